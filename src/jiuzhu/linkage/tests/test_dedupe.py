"""dedupe on 2,000 synthetic records: planted duplicates are found, with high precision."""

import polars as pl
import pytest

from jiuzhu.linkage import Compare, LinkageError, dedupe, synth

from .conftest import COMPARES


def _key(df):
    return df.select(a=pl.min_horizontal("id_l", "id_r"), b=pl.max_horizontal("id_l", "id_r"))


def _found(pairs, persons, damage):
    """Share of true pairs involving a record with this damage that were found."""
    truth = _key(synth.true_pairs(persons))
    hit = persons.filter(pl.col("damage").str.contains(damage))["rec_id"]
    truth = truth.filter(pl.col("a").is_in(hit.implode()) | pl.col("b").is_in(hit.implode()))
    assert truth.height >= 10, f"too few planted {damage} duplicates"
    return truth.join(_key(pairs), on=["a", "b"]).height / truth.height


def test_precision_and_recall(persons, persons_pairs):
    truth, found = _key(synth.true_pairs(persons)), _key(persons_pairs)
    tp = found.join(truth, on=["a", "b"]).height
    assert tp / found.height >= 0.98
    assert tp / truth.height >= 0.95


@pytest.mark.parametrize("damage", ["name_homophone", "id_transposed", "id_15", "id_dropped", "name_shape"])
def test_planted_damage_is_found(persons, persons_pairs, damage):
    assert _found(persons_pairs, persons, damage) >= 0.95


def test_output_shape_and_detail(persons_pairs):
    assert persons_pairs.columns[:3] == ["id_l", "id_r", "match_probability"]
    assert persons_pairs["match_probability"].min() >= 0.5
    assert persons_pairs["id_l"].dtype == pl.Int64
    assert "id_number__level" in persons_pairs.columns
    assert "phone+address__level" in persons_pairs.columns  # correlated: one comparison
    assert persons_pairs.filter(pl.col("id_l") == pl.col("id_r")).height == 0


def test_homophone_pair_explained():
    body = "32990119840129486"
    df = pl.DataFrame(
        {
            "rid": ["a", "b", "c", "d"],
            "name": ["张伟", "章伟", "李娜", "王玉明"],
            "id_number": [body + synth.check_char(body), "329901840129486", "329902199001011234", None],
        }
    )
    df = pl.concat([df, pl.DataFrame({"rid": ["e"], "name": ["玉玉明"], "id_number": [body + "0"]})])
    pairs = dedupe(df, id_col="rid", compares=["name:name", "id_number:id"], progress=False, detail=True)
    assert pairs.select("id_l", "id_r").rows()[0] == ("a", "b")
    row = pairs.row(0, named=True)
    assert row["name__level"] == "同音字（拼音相同）"
    assert row["id_number__level"] == "号码相同（含15位升18位）"  # 15 digits upgraded to 18


def test_twins_with_valid_ids_stay_apart():
    body = ["32990120150523422", "32990120150523424"]
    df = pl.DataFrame(
        {
            "rid": [1, 2],
            "name": ["王敏", "王静"],
            "id_number": [b + synth.check_char(b) for b in body],
            "birth_date": ["2015-05-23"] * 2,
            "phone": ["13800001111"] * 2,
            "address": ["城东街道幸福社区黄河巷55号9栋3单元1201室"] * 2,
        }
    )
    assert dedupe(df, id_col="rid", compares=COMPARES, progress=False).height == 0


def test_bad_input_is_explained(persons):
    with pytest.raises(LinkageError, match="column 'nme' not found"):
        dedupe(persons, id_col="rec_id", compares=["nme:name"], progress=False)
    with pytest.raises(LinkageError, match="unknown kind 'nam'"):
        Compare("name", "nam")
    with pytest.raises(LinkageError, match="not unique"):
        dedupe(
            persons.with_columns(rec_id=pl.lit(1)), id_col="rec_id", compares=["name:name"], progress=False
        )
    with pytest.raises(LinkageError, match="does not exist"):
        dedupe("/nonexistent.csv", id_col="x", compares=["name:name"], progress=False)
