"""A blocking rule over its budget is narrowed (or dropped with the reason), never dropped
silently: the 2.5M-person case (surname + ID region passing the cap) at small size."""

from datetime import date, timedelta

import polars as pl

from jiuzhu.linkage import dedupe, synth

GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红"


def _city(n=400):
    """``n`` people of one surname and one ID region (a county of 王s), and one of them
    recorded again with a homophone name and a mistyped ID number."""
    rows = []
    for i in range(n):
        birth = date(1950, 1, 1) + timedelta(days=37 * i)
        body = f"329901{birth:%Y%m%d}{i % 1000:03d}"
        name = "王" + GIVEN[i % len(GIVEN)] + GIVEN[(i * 7) % len(GIVEN)]
        rows.append((f"r{i:04d}", name, body + synth.check_char(body), birth.isoformat()))
    _, name, number, born = rows[n // 3]
    rows.append(("dup", "汪" + name[1:], number[:10] + number[11] + number[10] + number[12:], born))
    return pl.DataFrame(rows, schema=["rid", "name", "id_number", "birth_date"], orient="row")


def test_a_rule_over_its_budget_is_tightened_and_reported():
    report: dict = {}
    pairs = dedupe(
        _city(),
        id_col="rid",
        compares=["name:name", "id_number:id", "birth_date:date"],
        block_budget=3000,
        train=False,
        progress=False,
        report=report,
    )
    blocking = report["blocking"]
    assert blocking["budget"] == 3000
    changes = {c["rule"]: c for c in blocking["changes"]}
    loose = changes["name.s1+id_number.region"]  # one surname, one region: every pair
    assert loose["pairs"] == 401 * 400 // 2
    assert loose["action"] == "tightened"
    assert loose["into"].startswith("name.s1+id_number.region+")
    assert 0 < loose["into_pairs"] <= 3000
    # the narrowed rule blocks, unless the rules kept compare all its pairs already
    used = {r["rule"] for r in blocking["rules"]}
    into = next(c for c in blocking["candidates"] if c["rule"] == loose["into"] and c.get("from"))
    if into["action"] == "kept":
        assert {"rule": loose["into"], "pairs": loose["into_pairs"]} in [
            {"rule": r["rule"], "pairs": r["pairs"]} for r in blocking["rules"]
        ]
    else:
        assert loose["into"] not in used and into["new"] == 0
        assert set(into.get("held_by") or [into.get("covered_by")]) <= used
    assert all(r["pairs"] <= 3000 for r in blocking["rules"])
    assert all(c["action"] == "tightened" or c["why"] for c in blocking["changes"])
    found = {tuple(sorted(p)) for p in pairs.select("id_l", "id_r").rows()}
    assert ("dup", "r0133") in found


def test_nothing_is_reported_when_every_rule_fits():
    report: dict = {}
    dedupe(
        _city(60),
        id_col="rid",
        compares=["name:name", "id_number:id", "birth_date:date"],
        train=False,
        progress=False,
        report=report,
    )
    assert report["blocking"]["changes"] == []
    assert report["blocking"]["rules"]


def test_a_weak_key_blocks_alone_only_when_it_fits_the_budget():
    """Small inputs (FEBRL's 5,000 records) also block on a birth date alone, so a record
    whose name columns are swapped and mistyped is still compared; on large inputs the same
    key only blocks with another one, and the report says so."""
    people = pl.DataFrame(
        {
            "rid": [f"p{i}" for i in range(40)] + ["dup"],
            "given_name": [f"{g}{i}" for i, g in enumerate(["anna", "ben", "carl", "dora"] * 10)] + ["smiht"],
            "surname": ["smith", "jones", "brown", "white"] * 10 + ["anan0"],
            "dob": [f"19{50 + i}0102" for i in range(40)] + ["19500102"],
        }
    )
    compares = ["given_name:name", "surname:name", "dob:date"]
    roomy: dict = {}
    pairs = dedupe(
        people, id_col="rid", compares=compares, train=False, progress=False, threshold=0.0, report=roomy
    )
    assert {"rule": "dob.d", "pairs": 1, "new": 1} in roomy["blocking"]["rules"]
    assert ("dup", "p0") in {tuple(sorted(p)) for p in pairs.select("id_l", "id_r").rows()}
    tight: dict = {}
    dedupe(
        people.vstack(people.with_columns(pl.col("rid") + "x")),
        id_col="rid",
        compares=compares,
        train=False,
        progress=False,
        block_budget=50,
        report=tight,
    )
    over = {r["rule"] for r in tight["blocking"]["weak_alone_over"]}
    used = {r["rule"] for r in tight["blocking"]["rules"]}
    assert {"given_name.s1", "surname.s1"} <= over  # 761 pairs each: over the budget of 50
    assert not over & used and all(r["pairs"] <= 50 for r in tight["blocking"]["rules"])
