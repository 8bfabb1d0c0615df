"""The same settings on Splink's Spark backend (local[2], offline) give the same pairs."""

import pytest

from jiuzhu.linkage import dedupe, synth

from .conftest import COMPARES

pytest.importorskip("pyspark", reason="pyspark is not installed: the spark engine cannot be tested here")


def test_spark_engine_matches_duckdb():
    df = synth.persons(400, seed=5)
    # Scored with the settings' priors: training on Spark works too but takes minutes on 2 cores.
    spark = dedupe(df, id_col="rec_id", compares=COMPARES, engine="spark", train=False, progress=False)
    duck = dedupe(df, id_col="rec_id", compares=COMPARES, engine="duckdb", train=False, progress=False)
    assert spark.height > 20
    assert set(spark.select("id_l", "id_r").rows()) == set(duck.select("id_l", "id_r").rows())
    joined = spark.join(duck, on=["id_l", "id_r"])
    assert (joined["match_probability"] - joined["match_probability_right"]).abs().max() < 1e-6


def test_spark_link_runs_again_in_the_same_session():
    from jiuzhu.linkage import link

    left, right = synth.link_pair(200, seed=9)
    pairs = link(left, right, id_col="rec_id", preset="person", engine="spark", progress=False)
    truth = synth.true_links(left, right)
    assert pairs.join(truth, on=["id_l", "id_r"]).height >= 0.9 * truth.height
