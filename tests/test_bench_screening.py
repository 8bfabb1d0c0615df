"""bench/screening.py plants what the platform can hold: a re-registered person and a declared
staff relative carry a number the platform's forms accept (``common.idnumber.parse``: the
check character, a 15-digit number upgraded and flagged) and, in the register, the birth date
that number spells. A number the forms refuse (one digit typed over, two swapped, one dropped)
is a case no screening can meet in the platform's data."""

import sys
from pathlib import Path

import polars as pl
import pytest

from jiuzhu.common import idnumber
from jiuzhu.policy.catalogue import load_policy

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def city():
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        import screening  # bench/screening.py
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return screening.generate(20_000, load_policy(ROOT / "policies" / "demo.yaml"))


@pytest.mark.bench
def test_register_holds_only_numbers_its_form_accepts(city):
    inputs, truth, _ = city
    persons = inputs.persons
    replanted = truth["duplicate/registered_twice"] | truth["duplicate/registered_twice@card15"]
    assert len(replanted) >= 40
    for row in persons.filter(pl.col("person_id").is_in(list(replanted))).iter_rows(named=True):
        info = idnumber.parse(row["id_number"])
        assert info.number == row["id_number"], row
        assert info.birth_date == row["birth_date"], row
    # the registry's flag: every card15 plant is flagged, and a flagged number is 18 characters
    flagged = set(persons.filter(pl.col("id_upgraded"))["person_id"].to_list())
    assert truth["duplicate/registered_twice@card15"] <= flagged
    assert persons.filter(pl.col("id_upgraded"))["id_number"].str.len_chars().unique().to_list() == [18]


@pytest.mark.bench
def test_declared_relatives_hold_numbers_the_declaration_accepts(city):
    inputs, _, _ = city
    numbers = inputs.relatives["id_number"].to_list()
    assert len(numbers) >= 40
    assert all(idnumber.is_valid(n) and len(n) == 18 for n in numbers)
