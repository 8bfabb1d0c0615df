"""The same matching on Spark (pyspark, local mode) as on DuckDB, on small data."""

import polars as pl
import pytest

from jiuzhu.verification import matching, synth

pytest.importorskip("pyspark", reason="pyspark is not installed: the spark engine cannot be tested here")


def test_spark_engine_gives_the_same_pairs_as_duckdb():
    pop = synth.population(600, seed=3)
    recs = synth.records(pop, 1500, damaged_rate=0.2, seed=4).with_columns(
        pl.col("birth_date").cast(pl.String)
    )
    persons = pop.filter(pl.col("household") < 80).with_columns(pl.col("birth_date").cast(pl.String))
    duck = matching.match_frames(persons, recs, engine="duckdb")
    spark = matching.match_frames(persons, recs, engine="spark")
    assert duck.filter(pl.col("kind") == "fuzzy").height > 10
    key = ["person_id", "record_id", "kind"]
    assert set(spark.select(key).rows()) == set(duck.select(key).rows())
    joined = spark.join(duck, on=key)
    # string similarities come from each backend's own functions: the probabilities agree to a
    # few hundredths, the decisions are the same
    assert (joined["probability"] - joined["probability_right"]).abs().max() < 0.05
    states = matching.decide(spark).join(matching.decide(duck), on=key)
    assert (states["state"] == states["state_right"]).all()
    truth = synth.truth(recs, persons)
    found = duck.join(truth, on=["person_id", "record_id"]).height
    assert found >= 0.95 * truth.height
