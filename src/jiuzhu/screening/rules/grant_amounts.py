"""Grant control (DOMAIN §7): an active entitlement whose amount is not the rules' amount for
the household's facts, with no second person's signature on a written reason. Pure: polars.

The rules' amount is the one recorded when the entitlement was granted (``rule_amount``,
cents); for an entitlement granted without one (imports, older grants) it is the rules'
amount now (``inputs.rule_amounts(household ids)``: household_id, service, amount — the
policy's batch path). Services whose amount the rules set by need are not judged."""

from __future__ import annotations

import polars as pl

from . import empty, shape, yuan

RULE = "amount_not_rule"


def amount_not_rule(prep) -> pl.DataFrame:
    lines = prep.lines
    if "rule_amount" not in lines.columns or lines.height == 0:
        return empty()
    ents = (
        lines.filter(pl.col("active") & ~pl.col("signed").fill_null(False))
        .sort("person_id")
        .unique("line_id", keep="first")
    )
    if ents.height == 0:
        return empty()
    unknown = ents.filter(pl.col("rule_amount").is_null())
    now_of = getattr(prep.inputs, "rule_amounts", None)
    if unknown.height and now_of is not None:
        now = now_of(unknown["household_id"].unique().sort().to_list())
        if now.height:
            now = now.select("household_id", "service", pl.col("amount").alias("rule_now"))
            ents = ents.join(now, on=["household_id", "service"], how="left").with_columns(
                rule_amount=pl.coalesce("rule_amount", "rule_now")
            )
    # several entitlements of one household and service are compared as their sum
    per = (
        ents.filter(pl.col("rule_amount").is_not_null())
        .group_by("household_id", "service")
        .agg(
            pl.col("amount").sum(),
            pl.col("rule_amount").first(),
            pl.col("line_id").min(),
            pl.col("person_id").first(),
            pl.col("unit").first(),
            pl.col("period").first(),
        )
        .filter(pl.col("amount") != pl.col("rule_amount"))
    )
    if per.height == 0:
        return empty()
    return shape(
        per,
        rule=RULE,
        severity=pl.when(pl.col("amount") > pl.col("rule_amount"))
        .then(pl.lit("high"))
        .otherwise(pl.lit("medium")),
        unit=pl.col("unit"),
        household=pl.col("household_id"),
        person=pl.col("person_id"),
        key=pl.format("{}:{}:{}", "household_id", "service", "amount"),
        summary=pl.format(
            "{}：待遇金额 ¥{} 与规则测算 ¥{} 不符，无第二人签批的理由",
            "service",
            yuan("amount"),
            yuan("rule_amount"),
        ),
        evidence={
            "service": pl.col("service"),
            "amount": yuan("amount"),
            "rule_amount": yuan("rule_amount"),
            "period": pl.col("period"),
            "entitlement": pl.col("line_id"),
        },
    )
