"""查重 with social forces: charity cash and government lines paying one cost.

``covers_paid``: a charity payment covers months of a need (its ``cover_from``–``cover_to``,
else the month it was paid) and a cost (``cost_amount``, else its own amount: paid in full).
The government lines of the same household and the same need (the policy file's service →
need table) paid over those months are added up; charity plus government above the cost is a
duplicate, whichever was paid first — a backdated subsidy over charity-paid months is found
like charity paying a month the subsidy already paid. A top-up within the uncovered part
(charity ≤ cost − government) is silent.

``same_need``: one partner paying one household's need twice within its period."""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from . import empty, shape, yuan


def _months(a: pl.Expr, b: pl.Expr) -> pl.Expr:
    """Whole months from month ``a`` to month ``b`` inclusive (≤ 0 when b is before a)."""
    return (b.dt.year() - a.dt.year()) * 12 + b.dt.month().cast(pl.Int32) - a.dt.month().cast(pl.Int32) + 1


def _payments(prep) -> pl.DataFrame:
    c = prep.inputs.charity
    for col, dtype in (("cost_amount", pl.Int64), ("cover_from", pl.Date), ("cover_to", pl.Date)):
        if col not in c.columns:
            c = c.with_columns(pl.lit(None, dtype=dtype).alias(col))
    m0 = pl.coalesce(pl.col("cover_from"), pl.col("paid_on")).dt.month_start()
    return c.with_columns(m0=m0).with_columns(
        m1=pl.coalesce(pl.col("cover_to").dt.month_start(), pl.col("m0")),
        cost=pl.coalesce("cost_amount", "amount"),
    )


def covers_paid(prep) -> pl.DataFrame:
    c = _payments(prep)
    cols = ["line_id", "household_id", "need", "service", "unit", "period", "amount", "start", "end_eff"]
    extra = [x for x in ("granted_on",) if x in prep.lines.columns]
    gov = prep.lines.select(cols + extra).unique("line_id").rename({"amount": "gov_amount"})
    j = c.join(gov, on=["household_id", "need"])
    if j.height == 0:
        return empty()
    lo = pl.max_horizontal("m0", "start")
    hi = pl.min_horizontal("m1", "end_eff")
    months = pl.max_horizontal(_months(lo, hi), pl.lit(0))
    paid = (
        pl.when(pl.col("period") == "month")
        .then(pl.col("gov_amount") * months)
        .when(pl.col("period") == "year")
        .then(pl.col("gov_amount") * months // 12)
        .otherwise(  # a one-off: paid in the covered months or not at all
            pl.when((pl.col("start") >= pl.col("m0")) & (pl.col("start") <= pl.col("m1")))
            .then(pl.col("gov_amount"))
            .otherwise(0)
        )
    )
    j = j.with_columns(gov_paid=paid, months=months).filter(pl.col("gov_paid") > 0)
    # the later of the two should not have been paid: a government line granted after the
    # charity payment (backdated over its months) is its unit's to correct
    later_gov = (pl.col("granted_on") > pl.col("paid_on")) if "granted_on" in j.columns else pl.lit(False)
    j = j.with_columns(later_gov=later_gov)
    g = (
        j.sort("line_id")
        .group_by("charity_id")
        .agg(
            pl.col(
                "household_id", "person_id", "need", "amount", "cost", "paid_on", "m0", "m1", "partner_code"
            ).first(),
            pl.col("gov_paid").sum(),
            pl.col("service").unique().sort(),
            pl.col("line_id"),
            pl.format(
                "政府：{} {}元/{}，{}起（{}），其中本时段{}个月计{}元",
                "service",
                yuan("gov_amount"),
                "period",
                "start",
                "unit",
                "months",
                yuan("gov_paid"),
            ).alias("gov_records"),
            pl.col("unit").filter(pl.col("later_gov")).first().alias("gov_unit_later"),
        )
        .with_columns(excess=pl.col("amount") + pl.col("gov_paid") - pl.col("cost"))
        .filter(pl.col("excess") > 0)
    )
    if g.height == 0:
        return empty()
    label = prep.cfg.need_labels
    need = pl.col("need").replace(label) if label else pl.col("need")
    return shape(
        g,
        rule="charity_covers_paid_cost",
        severity=pl.when(pl.col("excess") >= pl.col("amount"))
        .then(pl.lit("high"))
        .otherwise(pl.lit("medium")),
        unit=pl.coalesce(pl.col("gov_unit_later"), pl.lit(prep.cfg.charity_unit)),
        household=pl.col("household_id"),
        person=pl.col("person_id"),
        key=pl.format("{}", "charity_id"),
        summary=pl.format(
            "“{}”{}至{}：慈善资金{}元（{}，{}支付）与政府救助{}元（{}）合计超过费用{}元，重复约{}元",
            need,
            pl.col("m0").dt.strftime("%Y-%m"),
            pl.col("m1").dt.strftime("%Y-%m"),
            yuan("amount"),
            "partner_code",
            "paid_on",
            yuan("gov_paid"),
            pl.col("service").list.join("、"),
            yuan("cost"),
            yuan("excess"),
        ),
        evidence={
            "records": pl.concat_list(
                pl.format(
                    "慈善：{} {}元，{}至{}（费用{}元）",
                    "paid_on",
                    yuan("amount"),
                    pl.col("m0").dt.strftime("%Y-%m"),
                    pl.col("m1").dt.strftime("%Y-%m"),
                    yuan("cost"),
                ),
                pl.col("gov_records"),
            ),
            "entitlements": pl.col("line_id"),
            "cost": yuan("cost"),
            "government_paid": yuan("gov_paid"),
            "charity_paid": yuan("amount"),
            "excess": yuan("excess"),
        },
    )


def same_need(prep, period: timedelta = timedelta(days=365)) -> pl.DataFrame:
    c = prep.inputs.charity.select(
        "charity_id", "household_id", "person_id", "need", "amount", "paid_on", "partner_code"
    )
    a = c.rename({x: f"{x}_a" for x in ("charity_id", "person_id", "amount", "paid_on")})
    b = c.rename({x: f"{x}_b" for x in ("charity_id", "person_id", "amount", "paid_on")})
    j = a.join(b, on=["household_id", "need", "partner_code"]).filter(
        (pl.col("charity_id_a") != pl.col("charity_id_b"))
        & (pl.col("paid_on_a") <= pl.col("paid_on_b"))
        & ((pl.col("paid_on_a") < pl.col("paid_on_b")) | (pl.col("charity_id_a") < pl.col("charity_id_b")))
        & (pl.col("paid_on_b") - pl.col("paid_on_a") < period)
    )
    label = prep.cfg.need_labels
    need = pl.col("need").replace(label) if label else pl.col("need")
    return shape(
        j,
        rule="charity_same_need_twice",
        severity="medium",
        unit=pl.lit(prep.cfg.charity_unit),
        household=pl.col("household_id"),
        person=pl.col("person_id_b"),
        key=pl.format("{}", "charity_id_b"),
        summary=pl.format(
            "合作方{}对同一需求“{}”两次给予慈善资金（{}、{}）", "partner_code", need, "paid_on_a", "paid_on_b"
        ),
        evidence={
            "records": pl.concat_list(
                pl.format("{} {}元", "paid_on_a", yuan("amount_a")),
                pl.format("{} {}元", "paid_on_b", yuan("amount_b")),
            ),
        },
    )
