"""Blocking rules are kept for the pairs they add to the rules before them: a rule whose pairs
are all compared already is left out (and the report says by which rules), a rule adding
pairs is kept, and the choice does not depend on the order of the rows."""

from datetime import date

import polars as pl

from jiuzhu.linkage import dedupe, synth

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平"
COMPARES = ["name:name", "id_number:id", "birth_date:date", "phone:phone"]


def _person(i: int) -> dict:
    """Person ``i``: a name, ID region, birth date, ID sequence and phone no one else has."""
    born = date(1950 + i, 1 + i % 12, 1 + i)
    body = f"3299{i:02d}{born:%Y%m%d}{i:03d}"
    return {
        "rid": f"p{i:02d}",
        "name": SURNAMES[i] + GIVEN[i] + GIVEN[(i + 7) % 20],
        "id_number": body + synth.check_char(body),
        "birth_date": born.isoformat(),
        "phone": f"1390000{i:04d}",
    }


def _again(of: dict, rid: str, name: str, born: date, phone: str, region: str | None = None) -> dict:
    """``of`` recorded again under another name and birth date: the ID's birth part mistyped
    (its region, sequence and check character kept, so its area + sequence still agree)."""
    number = of["id_number"]
    return {
        "rid": rid,
        "name": name,
        "id_number": (region or number[:6]) + f"{born:%Y%m%d}" + (number[14:] if region is None else "5555"),
        "birth_date": born.isoformat(),
        "phone": phone,
    }


def _records(with_region_only: bool = False) -> pl.DataFrame:
    rows = [_person(i) for i in range(20)]
    # p03 again: only the phone in common (an ID of another region and sequence)
    rows.append(_again(rows[3], "d1", "孔祥瑞", date(1990, 6, 6), rows[3]["phone"], region="329990"))
    # p05 again: only the ID area + sequence in common
    rows.append(_again(rows[5], "d2", "严正清", date(1991, 7, 7), "13811112222"))
    if with_region_only:
        # p07 again: only the ID's region in common (another sequence)
        number = rows[7]["id_number"]
        other = number[:6] + "19920808" + "999"
        rows.append(
            {
                "rid": "d3",
                "name": "葛文博",
                "id_number": other + synth.check_char(other),
                "birth_date": "1992-08-08",
                "phone": "13711113333",
            }
        )
    return pl.DataFrame(rows)


def _plan(frame: pl.DataFrame) -> tuple[dict, set]:
    report: dict = {}
    pairs = dedupe(
        frame, id_col="rid", compares=COMPARES, train=False, progress=False, threshold=0.0, report=report
    )
    return report["blocking"], {tuple(sorted(p)) for p in pairs.select("id_l", "id_r").rows()}


def _decision(blocking: dict, rule: str) -> dict:
    return next(c for c in blocking["candidates"] if c["rule"] == rule)


def test_a_rule_adding_pairs_is_kept_and_one_whose_pairs_are_compared_is_left_out():
    blocking, pairs = _plan(_records())
    rules = {r["rule"]: r for r in blocking["rules"]}
    # the phone brings p03 and its copy; the ID's area + sequence adds p05 and its copy
    assert rules["phone.p8"] == {"rule": "phone.p8", "pairs": 1, "new": 1}
    assert rules["id_number.tail"] == {"rule": "id_number.tail", "pairs": 1, "new": 1}
    tail = _decision(blocking, "id_number.tail")
    assert tail["action"] == "kept" and tail["why"] == "adds 1 pairs no earlier kept rule holds"
    # the ID region alone holds the same pair as the area + sequence: compared already
    region = _decision(blocking, "id_number.region")
    assert region["pairs"] == 1 and region["action"] == "left out" and region["new"] == 0
    assert region["held_by"] == ["id_number.tail"]
    assert region["why"] == "every pair of it is held by the rules kept before it"
    assert "id_number.region" not in rules
    # nothing lost: both copies are compared; a left-out rule is not a change to report
    assert {("d1", "p03"), ("d2", "p05")} <= pairs
    assert blocking["scored"] == 2 and blocking["changes"] == []
    # every candidate is accounted for, with a reason
    assert all(c["action"] in ("kept", "tightened", "left out") and c["why"] for c in blocking["candidates"])
    kept = [c["rule"] for c in blocking["candidates"] if c["action"] == "kept"]
    assert kept == list(rules)


def test_a_kept_rule_whose_pairs_later_rules_hold_is_taken_out_again():
    """The ID region alone (a weak key that fits the budget of a small input) comes after the
    area + sequence, holds its pair and adds one: the area + sequence is taken out again."""
    blocking, pairs = _plan(_records(with_region_only=True))
    rules = {r["rule"]: r for r in blocking["rules"]}
    assert rules["id_number.region"] == {"rule": "id_number.region", "pairs": 2, "new": 2}
    assert "id_number.tail" not in rules
    tail = _decision(blocking, "id_number.tail")
    assert tail["action"] == "left out" and tail["new"] == 0
    assert tail["why"] == "every pair of it is held by the other kept rules"
    assert tail["held_by"] == ["id_number.region"]
    # the pairs scored are each counted once, under the first rule that holds them
    assert blocking["scored"] == sum(r["new"] for r in blocking["rules"]) == 3
    assert {("d1", "p03"), ("d2", "p05"), ("d3", "p07")} <= pairs


def test_the_choice_does_not_depend_on_the_order_of_the_rows():
    frame = _records(with_region_only=True)
    first, pairs = _plan(frame)
    for seed in (1, 2):
        again, pairs_again = _plan(frame.sample(fraction=1.0, shuffle=True, seed=seed))
        assert again == first and pairs_again == pairs


def test_the_given_name_and_birth_date_find_a_surname_mistyped_as_a_similar_character():
    """30 people born on three days (the birth date alone is over the budget of 60 pairs), and
    王伟芳 recorded again as 玉伟芳, born the same day, with another phone."""
    days = ["1960-03-01", "1971-07-15", "1985-11-30"]
    rows = [
        {
            "rid": f"p{i:02d}",
            "name": "王伟芳" if i == 0 else SURNAMES[i % 20] + GIVEN[i % 20] + "一二"[i // 20],
            "birth_date": days[i % 3],
            "phone": f"1381234{i:04d}",
        }
        for i in range(30)
    ]
    rows.append({"rid": "dup", "name": "玉伟芳", "birth_date": days[0], "phone": "13712345678"})
    report: dict = {}
    pairs = dedupe(
        pl.DataFrame(rows),
        id_col="rid",
        compares=["name:name", "birth_date:date", "phone:phone"],
        train=False,
        progress=False,
        threshold=0.0,
        block_budget=60,
        report=report,
    )
    blocking = report["blocking"]
    assert "birth_date.d" in {r["rule"] for r in blocking["weak_alone_over"]}
    rules = {r["rule"]: r for r in blocking["rules"]}
    assert rules["name.gpy+birth_date.d"] == {"rule": "name.gpy+birth_date.d", "pairs": 1, "new": 1}
    assert ("dup", "p00") in {tuple(sorted(p)) for p in pairs.select("id_l", "id_r").rows()}
