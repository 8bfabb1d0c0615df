"""link: left ids on the left, right ids on the right, even when the values overlap."""

import polars as pl
import pytest

from jiuzhu.linkage import Compare, LinkageError, clusters, link, synth

from .conftest import COMPARES


def test_link_register_to_source():
    left, right = synth.link_pair(1000, seed=7)
    pairs = link(left, right, id_col="rec_id", compares=COMPARES, progress=False)
    truth = synth.true_links(left, right)
    tp = pairs.join(truth, on=["id_l", "id_r"]).height
    assert tp / pairs.height >= 0.98
    assert tp / truth.height >= 0.95
    # both sides number their records from 1: the orientation must come from the inputs
    assert set(left["rec_id"]) & set(right["rec_id"])
    groups = clusters(pairs, left["rec_id"], right["rec_id"])
    assert groups.columns == ["source", "id", "cluster_id"]
    assert groups.height == left.height + right.height


def test_person_preset_scores_a_household_against_a_source_without_training():
    _, source = synth.link_pair(2000, seed=8)
    persons = source.filter(pl.col("id_damaged") | pl.col("damage").str.contains("name")).head(3)
    registry = persons.select("person_id", "name", "id_number", "birth_date", "gender").with_columns(
        pl.col("name").str.replace_all(" ", ""),
        reg_id=pl.Series(["R1", "R2", "R3"]),
    )
    pairs = link(registry, source, id_col="reg_id", right_id_col="rec_id", preset="person", progress=False)
    got = set(pairs.select("id_l", "id_r").rows())
    want = set(zip(registry["reg_id"], persons["rec_id"], strict=True))
    assert want <= got
    assert len(got) <= len(want) + 1


def test_differently_named_columns_and_overlapping_ids():
    left = pl.DataFrame({"id": [1, 2], "name": ["张伟", "李娜"], "dob": ["1984-01-29", "1990-05-01"]})
    right = pl.DataFrame({"id": [2, 1], "姓名": ["章伟", "王芳"], "出生日期": ["19840129", "19700101"]})
    pairs = link(
        left,
        right,
        id_col="id",
        compares=[Compare("name", "name", right="姓名"), Compare("dob", "date", right="出生日期")],
        progress=False,
    )
    assert pairs.select("id_l", "id_r").rows() == [(1, 2)]


def test_caller_prior_replaces_the_size_derived_one():
    """The same evidence scored with a smaller prior gives a smaller probability, so a
    household scored alone and the same household in the whole city can be made to agree."""
    left = pl.DataFrame({"id": ["a"], "name": ["张伟"], "dob": ["1984-01-29"]})
    right = pl.DataFrame({"id": ["x", "y"], "name": ["章伟", "王芳"], "dob": ["1984-01-29", "1970-01-01"]})
    compares = [Compare("name", "name"), Compare("dob", "date")]
    kw = {"id_col": "id", "compares": compares, "progress": False, "threshold": 0.0}
    default = link(left, right, **kw).filter(pl.col("id_r") == "x")["match_probability"][0]
    city = link(left, right, prior=1e-6, **kw).filter(pl.col("id_r") == "x")["match_probability"][0]
    assert city < default
    with pytest.raises(LinkageError, match="prior"):
        link(left, right, prior=1.5, **kw)
