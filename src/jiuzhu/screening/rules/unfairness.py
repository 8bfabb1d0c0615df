"""查不公: relatives of staff and cadres without the separate registration, similar households
with very different amounts, towns or approvers far from the city norm, coverage far off."""

from __future__ import annotations

import polars as pl

from . import empty, shape, yuan

MIN_GROUP = 5  # households in a comparison group before an amount counts as an outlier
AMOUNT_RATIO = 2.0  # an amount ≥ 2× or ≤ ½ the group's median …
TOPUP_RATIO = 1.5  # … for a top-up, amount + own income ≥ 1.5× or ≤ ½ the group's median …
TOPUP_CATEGORIES = ("minimum_living",)  # 特困 pays a flat basic-living standard, not a top-up
AMOUNT_GAP = 10000  # … and at least ¥100 away from it
TOWN_RATIO = 1.4  # a town's mean amount ≥ 1.4× or ≤ 1/1.4 of the city's
TOWN_MIN = 10
RATE_GAP = 0.3  # an approval rate 30 points from the city's
RATE_MIN = 10
COVERAGE_RATIO = 2.0  # coverage ≥ 2× or ≤ ½ the city's
COVERAGE_MIN = 5  # estimated low-income households in a town before it is judged


def relatives(prep) -> pl.DataFrame:
    rel = prep.inputs.relatives
    if rel is None or rel.height == 0:
        return empty()
    if "relatives" not in prep.found:
        return empty()
    found = prep.found["relatives"]
    ids = found.join(prep.persons.select("person_id", "identity"), on="person_id").join(
        rel.select("rel_id", "declarant", "post", "relation", pl.col("unit").alias("declarant_unit")),
        on="rel_id",
    )
    # receiving in the screening window (12 months), one-off aid included
    lines = prep.lines.filter(~pl.col("relative_registered").fill_null(False))
    j = (
        ids.drop("person_id")
        .join(lines, on="identity")
        .sort("start")
        .group_by("identity", "rel_id")
        .agg(
            pl.col("person_id").last(),
            pl.col("household_id").last(),
            pl.col("unit").last(),
            pl.col("declarant").first(),
            pl.col("post").first(),
            pl.col("relation").first(),
            pl.col("declarant_unit").first(),
            pl.col("how").first(),
            pl.col("service").unique().sort(),
            pl.format("{}：{}元/{}，{}起（{}）", "service", yuan("amount"), "period", "start", "unit").alias(
                "records"
            ),
            pl.col("line_id").unique().sort().alias("entitlements"),
        )
    )
    return shape(
        j,
        rule="relative_unregistered",
        severity="high",
        unit=pl.col("unit"),
        household=pl.col("household_id"),
        person=pl.col("person_id"),
        key=pl.format("{}:{}", "identity", "declarant"),
        summary=pl.format(
            "{}（{}）的{}享受{}，审批中未见近亲属备案记录",
            "declarant",
            "post",
            "relation",
            pl.col("service").list.join("、"),
        ),
        evidence={
            "records": pl.col("records"),
            "declarant": pl.format("{} {}（{}）", "declarant", "post", "declarant_unit"),
            "match": pl.col("how"),
            "entitlements": pl.col("entitlements"),
            "note": pl.lit("审批决定未记录近亲属备案标记的，按未备案处理"),
        },
    )


def _monthly_active(prep) -> pl.DataFrame:
    return prep.lines.filter(pl.col("active") & (pl.col("period") == "month")).unique("line_id")


def staff_household(prep) -> pl.DataFrame:
    """Close relatives nobody declared (DOMAIN §7 "Fraud"; 最低生活保障审核确认办法 第二十条): a
    member of staff carries his ID number, so his own registry household is known; anyone of
    that household (the family link) receiving a service of the staff member's unit, or of a
    household of the town he works for, without a declaration (``StaffRelative``) or the
    decision's close-relative registration, is raised. Declared relatives are left to
    ``relatives`` (declared but not registered on the decision)."""
    staff = prep.inputs.staff
    if staff is None or staff.height == 0:
        return empty()
    persons = prep.persons.select("person_id", "id_number", "household_id")
    st = staff.join(persons.rename({"person_id": "staff_person"}), on="id_number")
    if st.height == 0:
        return empty()
    family = persons.drop("id_number").join(
        st.select("staff_id", "staff_name", "staff_unit", "unit_name", "staff_person", "household_id"),
        on="household_id",
    )
    if "relatives" in prep.found:
        declared = prep.found["relatives"].select("person_id").unique()
        family = family.join(declared, on="person_id", how="anti")
    lines = prep.lines.filter(~pl.col("relative_registered").fill_null(False))
    j = (
        family.drop("household_id")
        .join(lines, on="person_id")
        .filter((pl.col("unit") == pl.col("staff_unit")) | (pl.col("town") == pl.col("staff_unit")))
        .with_columns(is_self=pl.col("person_id") == pl.col("staff_person"))
        .sort("start")
        .group_by("staff_id", "person_id")
        .agg(
            pl.col("household_id").last(),
            pl.col("unit").last(),
            pl.col("staff_name").first(),
            pl.col("unit_name").first(),
            pl.col("is_self").any().alias("self"),
            pl.col("service").unique().sort(),
            pl.format("{}：{}元/{}，{}起（{}）", "service", yuan("amount"), "period", "start", "unit").alias(
                "records"
            ),
            pl.col("line_id").unique().sort().alias("entitlements"),
        )
        .with_columns(who=pl.when(pl.col("self")).then(pl.lit("本人")).otherwise(pl.lit("同户家庭成员")))
    )
    return shape(
        j,
        rule="staff_household_undeclared",
        severity="high",
        unit=pl.col("unit"),
        household=pl.col("household_id"),
        person=pl.col("person_id"),
        key=pl.format("{}:{}", "staff_id", "person_id"),
        summary=pl.format(
            "{}工作人员{}的{}享受{}，未见近亲属备案",
            "unit_name",
            "staff_name",
            "who",
            pl.col("service").list.join("、"),
        ),
        evidence={
            "records": pl.col("records"),
            "staff": pl.format("{}（{}）", "staff_name", "unit_name"),
            "match": pl.lit("工作人员身份证号码与户籍登记一致，同户"),
            "entitlements": pl.col("entitlements"),
            "note": pl.lit("工作人员同户家庭成员享受本单位（本镇街）救助而未申报近亲属的，按未备案处理"),
        },
    )


def similar_households(prep) -> pl.DataFrame:
    """Households of one area receiving one service are compared on what they end up with:
    for a means-tested top-up (低保) the amount plus the household's own counted income, per
    member (the formula makes that about equal for every household, whatever its size), for
    other services the amount itself, among households of the same size. One far from its group's median (≥ 1.5× / ≤ ½ for top-ups, ≥ 2× / ≤ ½
    otherwise, and at least ¥100 away) is unequal treatment to look at."""
    m = _monthly_active(prep).filter(pl.col("pc_income").is_not_null() & pl.col("size").is_not_null())
    topup = pl.col("category").is_in(list(TOPUP_CATEGORIES))
    m = m.with_columns(
        metric=pl.when(topup)
        .then(pl.col("amount") + pl.col("pc_income") * pl.col("size"))
        .otherwise("amount"),
        ratio=pl.when(topup).then(pl.lit(TOPUP_RATIO)).otherwise(pl.lit(AMOUNT_RATIO)),
    )
    # A top-up's standard is per member, so what each member ends up with is comparable across
    # household sizes: compared with every household of the area (a group of one size was
    # often too small to judge: bench/screening.py found 938 of 1,000 planted at 1M)
    m = m.with_columns(
        members=pl.when(topup).then(pl.col("size")).otherwise(pl.lit(1)),
        gsize=pl.when(topup).then(pl.lit(0)).otherwise(pl.col("size")),
        group=pl.when(topup)
        .then(pl.format("{}、按人均计", "area"))
        .otherwise(pl.format("{}人、{}", "size", "area")),
    )
    g = ["service", "gsize", "area"]
    m = m.with_columns(
        median=((pl.col("metric") / pl.col("members")).median().over(g) * pl.col("members")).cast(pl.Int64),
        n=pl.len().over(g),
    )
    m = m.with_columns(
        # a top-up is never below nothing: income above the group's level expects 0
        expected=pl.when(topup)
        .then(pl.max_horizontal(pl.col("median") - pl.col("pc_income") * pl.col("size"), pl.lit(0)))
        .otherwise("median")
    )
    far = m.filter(
        (pl.col("n") >= MIN_GROUP)
        & ((pl.col("metric") - pl.col("median")).abs() >= AMOUNT_GAP)
        & (
            (pl.col("metric") >= pl.col("median") * pl.col("ratio"))
            | (pl.col("metric") * 2 <= pl.col("median"))
        )
    )
    return shape(
        far,
        rule="similar_households_amounts",
        severity="medium",
        unit=pl.col("unit"),
        household=pl.col("household_id"),
        person=pl.col("person_id"),
        key=pl.format("{}:{}:{}", "household_id", "service", "amount"),
        summary=pl.format(
            "{}：{}元/月，人均收入{}元；同类家庭（{}，共{}户）按同样收入应约{}元",
            "service",
            yuan("amount"),
            yuan("pc_income"),
            "group",
            "n",
            yuan("expected"),
        ),
        evidence={
            "records": pl.concat_list(pl.format("{}：{}元/月（{}）", "service", yuan("amount"), "unit")),
            "pc_income": yuan("pc_income"),
            "group_median": yuan("median"),
            "expected": yuan("expected"),
            "group_size": pl.col("n"),
            "entitlements": pl.concat_list("line_id"),
        },
    )


def town_amounts(prep) -> pl.DataFrame:
    """A town whose level for a service is far from the city's: for a top-up (低保) the level
    each member ends up with (amount per member plus own income), otherwise the amount."""
    m = _monthly_active(prep).filter(pl.col("town").is_not_null())
    topup = (
        pl.col("category").is_in(list(TOPUP_CATEGORIES))
        & pl.col("pc_income").is_not_null()
        & (pl.col("size") > 0)
    )
    m = m.with_columns(
        level=pl.when(topup).then(pl.col("amount") / pl.col("size") + pl.col("pc_income")).otherwise("amount")
    )
    t = m.group_by("service", "area", "town").agg(mean=pl.col("level").mean(), n=pl.len())
    c = m.group_by("service", "area").agg(city=pl.col("level").mean(), towns=pl.col("town").n_unique())
    j = (
        t.join(c, on=["service", "area"])
        .filter(
            (pl.col("n") >= TOWN_MIN)
            & (pl.col("towns") >= 3)
            & (
                (pl.col("mean") >= pl.col("city") * TOWN_RATIO)
                | (pl.col("mean") * TOWN_RATIO <= pl.col("city"))
            )
        )
        .with_columns(
            mean_c=pl.col("mean").round(0).cast(pl.Int64), city_c=pl.col("city").round(0).cast(pl.Int64)
        )
    )
    return shape(
        j,
        rule="town_amounts_off_norm",
        severity="low",
        unit=pl.col("town"),
        household=pl.lit(None),
        person=pl.lit(None),
        key=pl.format("{}:{}:{}", "town", "service", "area"),
        summary=pl.format(
            "{}（{}）本镇街保障水平{}元/月，全市{}元/月，共{}户（低保按人均金额加自身收入计）",
            "service",
            "area",
            yuan("mean_c"),
            yuan("city_c"),
            "n",
        ),
        evidence={"town_mean": yuan("mean_c"), "city_mean": yuan("city_c"), "households": pl.col("n")},
    )


def approver_rates(prep) -> pl.DataFrame:
    d = prep.inputs.decisions
    if d is None or d.height == 0:
        return empty()
    # compared with everyone else's decisions of the service (the rest of the city)
    city = d.group_by("service").agg(all_n=pl.len(), all_yes=pl.col("approved").cast(pl.Int64).sum())
    a = (
        d.group_by("approver", "unit", "service")
        .agg(n=pl.len(), yes=pl.col("approved").cast(pl.Int64).sum())
        .join(city, on="service")
        .filter(pl.col("all_n") > pl.col("n"))
        .with_columns(
            rate=pl.col("yes") / pl.col("n"),
            city=(pl.col("all_yes") - pl.col("yes")) / (pl.col("all_n") - pl.col("n")),
        )
        .filter((pl.col("n") >= RATE_MIN) & ((pl.col("rate") - pl.col("city")).abs() >= RATE_GAP))
        .with_columns(
            r=(pl.col("rate") * 100).round(0).cast(pl.Int64), c=(pl.col("city") * 100).round(0).cast(pl.Int64)
        )
    )
    return shape(
        a,
        rule="approver_rate_off_norm",
        severity="medium",
        unit=pl.col("unit"),
        household=pl.lit(None),
        person=pl.lit(None),
        key=pl.format("{}:{}", "approver", "service"),
        summary=pl.format(
            "{}审批{}的批准率{}%，全市其他审批人{}%（{}件）", "approver", "service", "r", "c", "n"
        ),
        evidence={"rate": pl.col("r"), "city_rate": pl.col("c"), "decisions": pl.col("n")},
    )


def town_coverage(prep) -> pl.DataFrame:
    h = prep.households
    if "low_income" not in h.columns or h["low_income"].null_count() == h.height:
        return empty()
    recv = (
        prep.lines.filter(pl.col("active") & pl.col("category").is_in(["minimum_living", "extreme_poverty"]))
        .select("household_id", "town")
        .unique("household_id")
        .group_by("town")
        .agg(receiving=pl.len())
    )
    t = (
        h.group_by("town")
        .agg(
            households=pl.len(),
            evaluated=pl.col("low_income").is_not_null().sum(),
            low=pl.col("low_income").fill_null(False).sum(),
        )
        .filter(pl.col("evaluated") > 0)
        .with_columns(estimated=pl.col("low") / pl.col("evaluated") * pl.col("households"))
        .join(recv, on="town", how="left")
        .with_columns(pl.col("receiving").fill_null(0))
    )
    est = t["estimated"].sum()
    if not est:
        return empty()
    city = t["receiving"].sum() / est
    t = t.with_columns(coverage=pl.col("receiving") / pl.col("estimated"), city=pl.lit(city)).filter(
        (pl.col("estimated") >= COVERAGE_MIN)
        & (
            (pl.col("coverage") >= pl.col("city") * COVERAGE_RATIO)
            | (pl.col("coverage") * COVERAGE_RATIO <= pl.col("city"))
        )
    )
    pct = lambda c: (pl.col(c) * 100).round(0).cast(pl.Int64)  # noqa: E731
    return shape(
        t,
        rule="town_coverage_off_norm",
        severity="medium",
        unit=pl.col("town"),
        household=pl.lit(None),
        person=pl.lit(None),
        key=pl.format("{}:{}", "town", pl.lit(prep.cfg.as_of.year)),
        summary=pl.format(
            "低收入人口覆盖率{}%（在保{}户，测算低收入约{}户），全市{}%",
            pct("coverage"),
            "receiving",
            pl.col("estimated").round(0).cast(pl.Int64),
            pct("city"),
        ),
        evidence={
            "coverage_pct": pct("coverage"),
            "city_pct": pct("city"),
            "receiving": pl.col("receiving"),
            "estimated_low_income": pl.col("estimated").round(0).cast(pl.Int64),
            "evaluated": pl.col("evaluated"),
        },
    )
