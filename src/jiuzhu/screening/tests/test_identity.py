"""One identity per human: a person re-registered from a mistyped old 15-digit card (the
registry upgraded it to 18 digits and computed a check character that "passes") is still
found to be the person registered with the native number."""

from datetime import date

import polars as pl

from jiuzhu.common.idnumber import check_char, upgrade15
from jiuzhu.linkage import synth
from jiuzhu.screening import identity


def _register(upgraded_flag: bool) -> tuple[pl.DataFrame, int, int]:
    base = synth.persons(400, dup_rate=0.0, seed=21)
    persons = base.select(
        pl.col("rec_id").cast(pl.Int64).alias("person_id"),
        "name",
        "id_number",
        pl.col("birth_date").str.to_date(),
    ).with_columns(id_upgraded=pl.lit(False))
    own = "32990219580711283"
    own += check_char(own)
    card = own[:6] + own[8:17]
    mistyped = card[:12] + card[13] + card[12] + card[14:]  # two sequence-adjacent digits swapped
    assert mistyped != card
    extra = pl.DataFrame(
        {
            "person_id": [9001, 9002],
            "name": ["曾思俊", "曽思俊"],
            "id_number": [own, upgrade15(mistyped)],  # the registry keeps the upgraded form
            "birth_date": [date(1958, 7, 11)] * 2,
            "id_upgraded": [False, upgraded_flag],
        }
    )
    return pl.concat([persons, extra]), 9001, 9002


def test_re_registration_from_a_mistyped_old_card_is_one_identity():
    persons, a, b = _register(upgraded_flag=True)
    ids, _ = identity.resolve(persons, {})
    got = dict(ids.filter(pl.col("person_id").is_in([a, b])).iter_rows())
    assert got[a] == got[b]


def test_without_the_upgrade_flag_two_valid_numbers_are_two_people():
    persons, a, b = _register(upgraded_flag=False)
    ids, _ = identity.resolve(persons, {})
    got = dict(ids.filter(pl.col("person_id").is_in([a, b])).iter_rows())
    assert got[a] != got[b]


def test_a_mistyped_card_spelling_another_persons_number_joins_its_own_person_only():
    """The swapped digits of the old card spell another registered person's number exactly
    (bench/screening.py at 3M: 2 of 2,974 such cards): the card's record is its own person's,
    and the other person stays apart — an upgraded number is no proof, and one record joins
    one person, not two whose valid numbers differ."""
    persons, a, b = _register(upgraded_flag=True)
    card_number = persons.filter(pl.col("person_id") == b)["id_number"].item()
    other = pl.DataFrame(
        {
            "person_id": [9003],
            "name": ["赵勇敏"],
            "id_number": [card_number],  # his own native number, a valid one
            "birth_date": [date(1958, 7, 11)],
            "id_upgraded": [False],
        }
    )
    ids, _ = identity.resolve(pl.concat([persons, other]), {})
    got = dict(ids.filter(pl.col("person_id").is_in([a, b, 9003])).iter_rows())
    assert got[a] == got[b]
    assert got[9003] != got[a]
