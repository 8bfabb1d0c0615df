import pytest

from jiuzhu.linkage import synth

COMPARES = ["name:name", "id_number:id", "birth_date:date", "phone:phone", "address:address"]


@pytest.fixture(scope="session")
def persons():
    """2,000 synthetic Chinese records with truth (person_id, damage, id_damaged)."""
    return synth.persons(2000, seed=11)


@pytest.fixture(scope="session")
def persons_pairs(persons):
    from jiuzhu.linkage import dedupe

    return dedupe(persons, id_col="rec_id", compares=COMPARES, progress=False, detail=True)
