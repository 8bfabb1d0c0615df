"""查漏 (主动发现): people in other departments' lists whose household, evaluated with the
policy rules, looks eligible or low-income but who receive nothing — a visit list per town."""

from __future__ import annotations

import polars as pl

from . import empty, shape, yuan

LIST_KINDS = {
    "severe_disability": "重度残疾人名单",
    "serious_illness": "重特大疾病高额费用名单",
    "unemployed": "失业登记名单",
    "student": "在校学生名单",
    "elderly_alone": "独居老人名单",
    "disaster_hit": "受灾人员名单",
}
STATUS = {
    "tekun": ("high", "按规则测算符合特困人员供养条件"),
    "dibao": ("high", "按规则测算符合最低生活保障条件"),
    "marginal": ("medium", "按规则测算属低保边缘家庭"),
    "rigid": ("medium", "按规则测算属刚性支出困难家庭"),
}


def listed(prep) -> pl.DataFrame:
    """``row_id, kind, person_id, how`` for the list rows found in the registry."""
    if "lists" not in prep.found:
        return pl.DataFrame(
            schema={"row_id": pl.Int64, "kind": pl.String, "person_id": pl.Int64, "how": pl.String}
        )
    return prep.found["lists"].join(prep.inputs.lists.select("row_id", "kind"), on="row_id")


def listed_not_receiving(prep) -> pl.DataFrame:
    found = listed(prep)
    if found.height == 0 or prep.inputs.status_of is None:
        return empty()
    people = found.join(
        prep.persons.select("person_id", "identity", "household_id", "town", "name", "died_on"),
        on="person_id",
    ).filter(pl.col("died_on").is_null() | (pl.col("died_on") > pl.lit(prep.cfg.as_of)))
    # receiving anything now, under any registration of any member
    receiving_ids = prep.lines.filter(pl.col("active")).select("identity").unique()
    receiving_hh = prep.lines.filter(pl.col("active")).select("household_id").unique()
    people = people.join(receiving_ids, on="identity", how="anti").join(
        receiving_hh, on="household_id", how="anti"
    )
    if people.height == 0:
        return empty()
    status = prep.inputs.status_of(people["household_id"].unique().sort().to_list())
    st = pl.DataFrame(
        {
            "status": list(STATUS),
            "severity": [v[0] for v in STATUS.values()],
            "reason": [v[1] for v in STATUS.values()],
        }
    )
    hits = (
        people.join(status, on="household_id")
        .join(st, on="status")
        .with_columns(list_name=pl.col("kind").replace(LIST_KINDS))
        .group_by("household_id")
        .agg(
            pl.col("town").first(),
            pl.col("person_id").sort().first(),
            pl.col("status").first(),
            pl.col("severity").first(),
            pl.col("reason").first(),
            pl.col("pc_income").first(),
            pl.col("standard").first(),
            pl.format("{}（{}）", "list_name", "how").unique().sort().alias("records"),
            pl.col("name").unique().sort().alias("names"),
            pl.col("list_name").unique().sort().alias("lists"),
        )
    )
    return shape(
        hits,
        rule="listed_not_receiving",
        severity=pl.col("severity"),
        unit=pl.col("town"),
        household=pl.col("household_id"),
        person=pl.col("person_id"),
        key=pl.format("{}:{}", "household_id", "status"),
        summary=pl.format(
            "{}，人均收入{}元（标准{}元），未享受任何救助；在{}中",
            "reason",
            yuan("pc_income"),
            yuan("standard"),
            pl.col("lists").list.join("、"),
        ),
        evidence={
            "records": pl.col("records"),
            "names": pl.col("names"),
            "status": pl.col("status"),
            "reason": pl.col("reason"),
            "pc_income": yuan("pc_income"),
            "standard": yuan("standard"),
            "action": pl.lit("请镇街入户走访，告知并协助申请"),
        },
    )
