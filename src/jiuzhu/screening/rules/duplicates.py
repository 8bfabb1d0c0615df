"""查重: one person paid twice — incompatible services at once, the same need paid by two
units, registered twice, paid after death, temporary aid for the same cause twice in 12
months. Charity paying what is paid: ``rules.charity``."""

from __future__ import annotations

import polars as pl

from . import empty, shape, yuan

_LINE = [
    "line_id",
    "person_id",
    "household_id",
    "service",
    "category",
    "unit",
    "amount",
    "start",
    "end_eff",
    "town",
    "need",
]


def _line_text(s: str) -> pl.Expr:
    return pl.format(
        "{}：{}元/{}，{}起，{}发放（{}）",
        pl.col(f"service{s}"),
        yuan(f"amount{s}"),
        pl.col(f"period{s}"),
        pl.col(f"start{s}").cast(pl.String),
        pl.col(f"unit{s}"),
        pl.col(f"town{s}"),
    )


def pairs(prep) -> pl.DataFrame:
    """Overlapping lines of one identity (monthly/yearly; one-offs are not "at once")."""
    cols = [*_LINE, "period", "identity"]
    base = prep.lines.filter(pl.col("period") != "once").select(cols).unique(["line_id", "identity"])
    a = base.rename({c: f"{c}_a" for c in cols if c != "identity"})
    b = base.rename({c: f"{c}_b" for c in cols if c != "identity"})
    j = a.join(b, on="identity").filter(
        (pl.col("line_id_a") < pl.col("line_id_b"))
        & (pl.col("start_a") <= pl.col("end_eff_b"))
        & (pl.col("start_b") <= pl.col("end_eff_a"))
    )
    if j.height == 0:
        return empty()
    excl = prep.cfg.exclusive
    ex = pl.DataFrame(
        {
            "service_a": [x for x, _ in excl],
            "service_b": [y for _, y in excl],
            "exclusive": [True] * len(excl),
        },
        schema={"service_a": pl.String, "service_b": pl.String, "exclusive": pl.Boolean},
    )
    j = j.join(ex, on=["service_a", "service_b"], how="left").with_columns(
        pl.col("exclusive").fill_null(False)
    )
    same = pl.col("service_a") == pl.col("service_b")
    rule_of_pair = (
        pl.when(pl.col("exclusive"))
        .then(pl.lit("exclusive_services"))
        .when(same & (pl.col("town_a") != pl.col("town_b")))
        .then(pl.lit("two_towns"))
        .when((pl.col("need_a") == pl.col("need_b")) & (pl.col("unit_a") != pl.col("unit_b")))
        .then(pl.lit("same_need_two_units"))
        .when(same)
        .then(pl.lit("same_service_twice"))
    )
    j = j.with_columns(rule=rule_of_pair).drop_nulls("rule")
    # the later line is the one that should not have been granted
    later_b = pl.col("start_b") >= pl.col("start_a")

    def pick(c: str) -> pl.Expr:
        return pl.when(later_b).then(pl.col(f"{c}_b")).otherwise(pl.col(f"{c}_a"))

    j = j.with_columns(
        act_unit=pl.when(pl.col("rule") == "two_towns").then(pick("town")).otherwise(pick("unit")),
        act_household=pick("household_id"),
        act_person=pick("person_id"),
        svc_lo=pl.min_horizontal("service_a", "service_b"),
        svc_hi=pl.max_horizontal("service_a", "service_b"),
        overlap_from=pl.max_horizontal("start_a", "start_b"),
        overlap_to=pl.min_horizontal("end_eff_a", "end_eff_b"),
    )
    labels = prep.cfg.need_labels
    need = pl.col("need_a").replace(labels) if labels else pl.col("need_a")
    both = pl.format("同一人同时享受{}与{}（{}至{}）", "service_a", "service_b", "overlap_from", "overlap_to")
    out = []
    for rule in ("exclusive_services", "two_towns", "same_need_two_units", "same_service_twice"):
        part = j.filter(pl.col("rule") == rule)
        summary = (
            pl.format("同一需求“{}”由{}与{}两个单位同时保障：", need, "unit_a", "unit_b") + both
            if rule == "same_need_two_units"
            else both
        )
        out.append(
            shape(
                part,
                rule=rule,
                severity="high" if rule != "same_service_twice" else "medium",
                unit=pl.col("act_unit"),
                household=pl.col("act_household"),
                person=pl.col("act_person"),
                key=pl.format("{}:{}|{}", "identity", "svc_lo", "svc_hi"),
                summary=summary,
                evidence={
                    "need": need,
                    "persons": pl.concat_list(pl.col("person_id_a"), pl.col("person_id_b")).list.unique(),
                    "records": pl.concat_list(_line_text("_a"), _line_text("_b")),
                    "entitlements": pl.concat_list("line_id_a", "line_id_b"),
                    "overlap": pl.format("{}至{}", "overlap_from", "overlap_to"),
                },
            )
        )
    return pl.concat(out)


def temporary_same_cause(prep) -> pl.DataFrame:
    """临时救助 same cause at most once in 12 months per household (DOMAIN §3)."""
    t = (
        prep.lines.filter(
            (pl.col("category") == "temporary") & pl.col("cause").is_not_null() & (pl.col("cause") != "")
        )
        .with_columns(
            note=pl.col("cause_note") if "cause_note" in prep.lines.columns else pl.lit(None, pl.String)
        )
        .select(
            "line_id",
            "household_id",
            "service",
            "cause",
            "note",
            "start",
            "amount",
            "unit",
            "town",
            "person_id",
        )
        .unique("line_id")
    )
    a = t.rename({c: f"{c}_a" for c in t.columns if c not in ("household_id", "cause")})
    b = t.rename({c: f"{c}_b" for c in t.columns if c not in ("household_id", "cause")})
    j = a.join(b, on=["household_id", "cause"]).filter(
        (pl.col("line_id_a") != pl.col("line_id_b"))
        & (pl.col("start_a") <= pl.col("start_b"))
        & ((pl.col("start_a") < pl.col("start_b")) | (pl.col("line_id_a") < pl.col("line_id_b")))
        & (pl.col("start_b") < pl.col("start_a").dt.offset_by("12mo"))
    )
    labels = prep.cfg.cause_labels
    cause = pl.col("cause").replace(labels) if labels else pl.col("cause")

    def said(s: str) -> pl.Expr:  # the officer's words beside the chosen cause, when any
        return (
            pl.when(pl.col(f"note_{s}").fill_null("") != "")
            .then(pl.format("，“{}”", f"note_{s}"))
            .otherwise(pl.lit(""))
        )

    return shape(
        j,
        rule="temporary_same_cause",
        severity="medium",
        unit=pl.col("unit_b"),
        household=pl.col("household_id"),
        person=pl.col("person_id_b"),
        key=pl.format("{}:{}:{}", "household_id", "cause", "line_id_b"),
        summary=pl.format("同一事由“{}”12个月内两次临时救助（{}、{}）", cause, "start_a", "start_b"),
        evidence={
            "records": pl.concat_list(
                pl.format("{} {}元（{}{}）", "start_a", yuan("amount_a"), "unit_a", said("a")),
                pl.format("{} {}元（{}{}）", "start_b", yuan("amount_b"), "unit_b", said("b")),
            ),
            "entitlements": pl.concat_list("line_id_a", "line_id_b"),
            "cause": cause,
        },
    )


def registered_twice(prep) -> pl.DataFrame:
    p = prep.persons
    multi = p.filter(pl.len().over("identity") > 1)
    if multi.height == 0:
        return empty()
    receiving = (
        prep.lines.filter(pl.col("active")).select("person_id").unique().with_columns(recv=pl.lit(True))
    )
    g = (
        multi.join(receiving, on="person_id", how="left")
        .sort("person_id")
        .group_by("identity")
        .agg(
            pl.col("person_id"),
            pl.col("household_id").last().alias("act_household"),
            pl.col("person_id").last().alias("act_person"),
            pl.col("town").last().alias("act_town"),
            pl.format("{} 出生{}（{}，家庭{}）", "id_number", "birth_date", "town", "household_id").alias(
                "records"
            ),
            pl.col("name").alias("names"),
            pl.col("recv").fill_null(False).sum().alias("n_recv"),
        )
    )
    return shape(
        g,
        rule="registered_twice",
        severity=pl.when(pl.col("n_recv") > 0).then(pl.lit("high")).otherwise(pl.lit("low")),
        unit=pl.col("act_town"),
        household=pl.col("act_household"),
        person=pl.col("act_person"),
        key=pl.col("person_id").cast(pl.List(pl.String)).list.join("|"),
        summary=pl.format("同一人登记{}次，其中{}条记录在享受救助", pl.col("person_id").list.len(), "n_recv"),
        evidence={"persons": pl.col("person_id"), "records": pl.col("records"), "names": pl.col("names")},
    )


def paid_after_death(prep) -> pl.DataFrame:
    d = prep.lines.filter(pl.col("died_on").is_not_null())
    # owed for a month after the death month, or a one-off granted after the death
    month_after = pl.col("died_on").dt.month_start().dt.offset_by("1mo")
    d = d.filter(
        pl.when(pl.col("period") == "once")
        .then(pl.col("start") > pl.col("died_on"))
        .otherwise(pl.col("end_eff") >= month_after)
    ).with_columns(
        months=pl.when(pl.col("period") == "once")
        .then(1)
        .otherwise(
            (pl.col("end_eff").dt.year() - month_after.dt.year()) * 12
            + pl.col("end_eff").dt.month().cast(pl.Int32)
            - month_after.dt.month().cast(pl.Int32)
            + 1
        )
    )
    g = (
        d.sort("start")
        .group_by("person_id")
        .agg(
            pl.col("household_id").last(),
            pl.col("unit").last(),
            pl.col("died_on").first(),
            pl.col("source").first(),
            pl.col("months").max(),
            pl.col("service").unique().sort(),
            pl.format(
                "{}：{}元/{}，{}起，{}发放", "service", yuan("amount"), "period", "start", "unit"
            ).alias("records"),
            pl.col("line_id").unique().sort().alias("entitlements"),
        )
    )
    return shape(
        g,
        rule="paid_after_death",
        severity="high",
        unit=pl.col("unit"),
        household=pl.col("household_id"),
        person=pl.col("person_id"),
        key=pl.col("person_id"),
        summary=pl.format(
            "{}死亡，其后{}仍在发放（最长约{}个月）", "died_on", pl.col("service").list.join("、"), "months"
        ),
        evidence={
            "died_on": pl.col("died_on").cast(pl.String),
            "death_source": pl.col("source"),
            "records": pl.col("records"),
            "entitlements": pl.col("entitlements"),
            "months_after_death": pl.col("months"),
        },
    )
