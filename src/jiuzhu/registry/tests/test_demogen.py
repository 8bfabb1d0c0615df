"""The demo generator (pure: no database)."""

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from jiuzhu.common import idnumber
from jiuzhu.policy.catalogue import load_policy
from jiuzhu.registry import demogen

AS_OF = date(2026, 6, 1)
POLICY = Path(__file__).resolve().parents[4] / "policies" / "demo.yaml"


@pytest.fixture(scope="module")
def towns():
    return demogen.towns_from_policy(load_policy(POLICY))


def run(towns, **kw) -> demogen.Chunk:
    kw.setdefault("as_of", AS_OF)
    chunks = list(demogen.generate(towns=towns, **kw))
    return demogen._concat(chunks)


@pytest.fixture(scope="module")
def sample(towns):
    return run(towns, households=20_000, seed=11, city_name="示范市")


def frames(chunk):
    return (chunk.households, chunk.persons, chunk.incomes, chunk.assets)


def test_same_seed_same_output_and_chunking_changes_nothing(towns):
    a = run(towns, households=6000, seed=5)
    b = run(towns, households=6000, seed=5, chunk_households=1000)
    for x, y in zip(frames(a), frames(b), strict=True):
        assert x.equals(y)
    c = run(towns, households=6000, seed=6)
    assert not a.persons["id_number"].equals(c.persons["id_number"])
    # Whole blocks are shared by runs of any length.
    first = run(towns, households=demogen.BLOCK, seed=5)
    assert first.persons.equals(a.persons.filter(pl.col("household_idx") < demogen.BLOCK))
    assert first.households.equals(a.households.head(demogen.BLOCK))


def test_ids_are_valid_unique_and_match_birth_date_gender_and_town(sample):
    p = sample.persons.join(
        sample.households.select(pl.col("idx").alias("household_idx"), "division_code"), on="household_idx"
    )
    assert p["id_number"].n_unique() == p.height
    for row in p.iter_rows(named=True):
        info = idnumber.parse(row["id_number"], today=AS_OF)
        assert info.birth_date == row["birth_date"]
        assert info.gender == row["gender"]
        assert info.division_code == row["division_code"][:6] == "329901"
    assert sample.households["code"].n_unique() == sample.households.height
    assert sample.households["code"].str.starts_with(demogen.DEMO_CODE_PREFIX).all()


def test_ids_unique_across_a_larger_run(towns):
    ids = pl.concat(
        [c.persons["id_number"] for c in demogen.generate(towns=towns, persons=120_000, seed=3, as_of=AS_OF)]
    )
    assert ids.n_unique() == ids.len()


def counted_per_capita(chunk) -> pl.DataFrame:
    """Per household: members, area and per-capita counted income in yuan (DOMAIN §3),
    computed from the generated rows alone."""
    kinds = ("wages", "business", "property", "transfer")
    per_person = (
        chunk.incomes.filter(pl.col("kind").is_in(kinds))
        .group_by("person_idx")
        .agg([pl.col("monthly_amount_cents").filter(pl.col("kind") == k).sum().alias(k) for k in kinds])
        .with_columns(
            counted=pl.col("wages")
            - pl.min_horizontal((pl.col("wages") * 0.2).round(), pl.lit(30000))
            + pl.col("business")
            + pl.col("property")
            + pl.col("transfer")
        )
    )
    return (
        chunk.persons.select("idx", "household_idx")
        .join(per_person, left_on="idx", right_on="person_idx", how="left")
        .group_by("household_idx")
        .agg(pl.len().alias("members"), (pl.col("counted").fill_null(0).sum() / 100).alias("income"))
        .join(chunk.households.select(pl.col("idx").alias("household_idx"), "area"), on="household_idx")
        .with_columns(per_capita=pl.col("income") / pl.col("members"))
    )


def test_three_to_five_percent_of_persons_live_below_the_dibao_standard(sample, towns):
    for chunk in (sample, run(towns, households=8000, seed=99)):
        h = counted_per_capita(chunk)
        standard = pl.when(pl.col("area") == "urban").then(950).otherwise(800)
        poor = h.filter(pl.col("per_capita") < standard)
        share = poor["members"].sum() / h["members"].sum()
        assert 0.03 <= share <= 0.05, share


def test_a_realistic_city(sample, towns):
    h, p = sample.households, sample.persons
    sizes = p.group_by("household_idx").len()["len"]
    assert sizes.min() == 1 and sizes.max() == 6
    assert 2.6 <= sizes.mean() <= 3.0
    age = (pl.lit(AS_OF) - pl.col("birth_date")).dt.total_days() / 365.2425
    shares = p.select(
        elderly=(age >= 60).mean(),
        children=(age < 15).mean(),
        disabled=(pl.col("disability_kind") != "").mean(),
        ill=(pl.col("serious_illness") != "").mean(),
    ).row(0, named=True)
    assert 0.17 <= shares["elderly"] <= 0.24
    assert 0.12 <= shares["children"] <= 0.19
    assert 0.05 <= shares["disabled"] <= 0.07
    assert 0.01 <= shares["ill"] <= 0.02
    # One head per household; disability has kind and grade together.
    assert p.filter(pl.col("relation") == "head").height == h.height
    assert p.filter((pl.col("disability_kind") != "") != pl.col("disability_grade").is_not_null()).height == 0
    # Children mostly carry the head's surname.
    heads = p.filter(pl.col("relation") == "head").select(
        "household_idx", head=pl.col("name").str.slice(0, 1)
    )
    kids = p.filter(pl.col("relation") == "child").join(heads, on="household_idx")
    assert (kids["name"].str.slice(0, 1) == kids["head"]).mean() > 0.8
    # Schooling and work follow age.
    school_age = p.filter(age.is_between(7, 14))
    assert (school_age["school_stage"].is_in(["primary", "junior"])).mean() > 0.97
    assert p.filter(age < 16)["employment_status"].is_in(["student", "none"]).all()
    # Streets are urban, towns rural; communities and addresses name their town.
    urban = {t.code: t.urban for t in towns}
    assert all((area == "urban") == urban[town] for town, area in h.select("town_code", "area").iter_rows())
    assert h.filter(pl.col("area") == "urban")["community"].str.ends_with("社区").all()
    assert h.filter(pl.col("area") == "rural")["community"].str.ends_with("村").all()
    assert h["address"].str.starts_with("示范市").all()
    assert (h["division_code"].str.len_chars() == 12).all()
    kinds = set(sample.assets["kind"].unique())
    assert kinds == {"financial", "vehicle", "house", "business"}
    houses = sample.assets.filter(pl.col("kind") == "house")
    assert houses["floor_area_cents"].is_not_null().all()


def test_persons_target_gives_whole_households_in_bounded_chunks(towns):
    total = chunks = biggest = 0
    last_household = -1
    for chunk in demogen.generate(towns=towns, persons=200_000, seed=2, as_of=AS_OF, chunk_households=8192):
        chunks += 1
        total += chunk.persons.height
        biggest = max(biggest, chunk.households.height)
        assert chunk.households["idx"][0] == last_household + 1
        last_household = chunk.households["idx"][-1]
        assert set(chunk.persons["household_idx"].unique()) == set(chunk.households["idx"])
    assert 200_000 - 6 <= total <= 200_000
    assert chunks > 8 and biggest <= 8192


MEMORY_PROBE = """
import json, resource, sys
from datetime import date
from jiuzhu.policy.catalogue import load_policy
from jiuzhu.registry import demogen
towns = demogen.towns_from_policy(load_policy(sys.argv[1]))
n = 0
for chunk in demogen.generate(towns=towns, persons=int(sys.argv[2]), seed=1, as_of=date(2026, 6, 1), chunk_households=8192):
    n += chunk.persons.height
print(json.dumps({"persons": n, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def test_memory_does_not_grow_with_the_number_of_persons():
    """200,000 persons in chunks need no more memory than 20,000: nothing accumulates."""

    def peak(persons):
        out = subprocess.run(
            [sys.executable, "-c", MEMORY_PROBE, str(POLICY), str(persons)],
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
        return json.loads(out.stdout)

    small, large = peak(20_000), peak(200_000)
    assert large["persons"] > 199_000
    # Holding all frames at once would add about 75 MB here; Python objects far more.
    assert large["peak_mb"] - small["peak_mb"] < 40, (small, large)
