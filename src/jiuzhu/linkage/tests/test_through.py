"""dedupe: two records each matched to the same third record are the same person too, even
when they share too little to be matched to each other (two copies of one person damaged in
different fields)."""

import polars as pl

from jiuzhu.linkage import dedupe, synth

COMPARES = ["name:name", "id_number:id", "birth_date:date", "phone:phone", "address:address"]


def _copies() -> pl.DataFrame:
    body = "32990119840129486"
    swapped = "32990119841029486"  # two digits of the birth date swapped, the check character
    wrong = swapped + synth.check_char(body)  # kept: now a wrong one
    assert synth.check_char(swapped) != synth.check_char(body)
    return pl.DataFrame(
        {
            "rid": ["o", "a", "b", "z"],
            # a: homophone name and no ID; b: the mistyped ID, no birth date, new phone and address
            "name": ["张伟", "章伟", "张伟", "李娜"],
            "id_number": [body + synth.check_char(body), None, wrong, "329902199001011234"],
            "birth_date": ["1984-01-29", "1984-01-29", None, "1990-01-01"],
            "phone": ["13912345678", "13912345678", "18800001111", "13700000000"],
            "address": [
                "城西街道文化路45号3栋",
                "城西街道文化路45号3栋",
                "河口乡红星村12号",
                "城东街道人民路1号",
            ],
        }
    )


def test_two_damaged_copies_meet_through_the_clean_record():
    pairs = dedupe(_copies(), id_col="rid", compares=COMPARES, progress=False, detail=True)
    rows = {(r["id_l"], r["id_r"]): r for r in pairs.iter_rows(named=True)}
    assert set(rows) == {("a", "o"), ("b", "o"), ("a", "b")}
    ab = rows[("a", "b")]
    assert ab["via"] == "o" and rows[("a", "o")]["via"] is None
    # the product of the two probabilities, each at least 0.99
    assert ab["match_probability"] >= 0.98
    assert (
        abs(
            ab["match_probability"]
            - rows[("a", "o")]["match_probability"] * rows[("b", "o")]["match_probability"]
        )
        < 1e-9
    )
    assert ab["name__level"] is None  # the pair was not scored at this threshold


def test_a_scored_pair_keeps_the_higher_probability_and_can_be_turned_off():
    everything = dedupe(
        _copies(), id_col="rid", compares=COMPARES, progress=False, detail=True, threshold=0.0
    )
    ab = everything.filter((pl.col("id_l") == "a") & (pl.col("id_r") == "b")).row(0, named=True)
    assert ab["via"] == "o" and ab["match_probability"] >= 0.98
    assert ab["name__level"] == "同音字（拼音相同）"  # scored directly, and far lower
    direct = dedupe(_copies(), id_col="rid", compares=COMPARES, progress=False, through=None)
    assert set(direct.select("id_l", "id_r").rows()) == {("a", "o"), ("b", "o")}
