"""A staff member's close relative receiving without the registration on the decision is found
even when the declaration carries a damaged ID number (bench/screening.py missed 53 of 1,000
such relatives at 1M persons): the 15-digit form of the number of someone born after 2000
(the linkage read it as a person a century older, twin pattern) and a dropped digit with a
similar-looking name and no birth date (no blocking key in common with the register)."""

from datetime import date

import polars as pl

from jiuzhu.common.idnumber import check_char
from jiuzhu.linkage import synth
from jiuzhu.registry.models import StaffRelative
from jiuzhu.screening import identity
from jiuzhu.screening.models import Alert


def _declare(units, name, id_number):
    StaffRelative.objects.create(
        declarant_name="韩干部",
        declarant_post="村委会委员",
        unit=units["town_chengdong"],
        name=name,
        id_number=id_number,
        relation="spouse",
        declared_on=date(2025, 1, 1),
    )


def test_relatives_declared_with_damaged_numbers_are_found(make_household, grant, screen, units):
    young = make_household(members=[{"name": "温鑫英", "birth": date(2005, 5, 28)}], town="town_chengdong")
    grant(young, "dibao", "950")
    older = make_household(members=[{"name": "王磊芳", "birth": date(1962, 2, 18)}], town="town_chengxi")
    grant(older, "dibao", "950")
    # a namesake receiving elsewhere, with another number: not the declared relative
    other = make_household(members=[{"name": "温鑫英", "birth": date(1971, 3, 9)}], town="town_chengbei")
    grant(other, "dibao", "950")
    clean = make_household(members=[{"name": "褚平安", "birth": date(1970, 1, 1)}], town="town_chengnan")
    grant(clean, "dibao", "950")

    n = young.members.get().id_number
    _declare(units, "温鑫英", n[:6] + n[8:17])  # 15 digits: century and check character left off
    m = older.members.get().id_number
    _declare(units, "玉磊芳", m[:5] + m[6:])  # a digit dropped, 王 typed as 玉, no birth date

    screen()

    got = {a.person_id: a for a in Alert.objects.filter(rule="relative_unregistered")}
    assert set(got) == {young.members.get().pk, older.members.get().pk}
    assert "2005年出生" in got[young.members.get().pk].evidence["match"]
    assert not Alert.objects.filter(household__in=[other, clean]).exists()


def test_a_relative_declared_from_a_mistyped_15_digit_card_is_found(make_household, grant, screen, staff):
    """The declaration form upgrades a 15-digit card and computes its check character: the
    number then passes every check, so two digits swapped on the card made a valid number
    other than the person's and the linkage kept the two apart (two different valid numbers).
    The declaration records the upgrade, and screening compares such a number on its body."""
    from jiuzhu.decisions.relatives import relative_declare

    person = make_household(members=[{"name": "覃海燕", "birth": date(1966, 3, 14)}], town="town_chengdong")
    grant(person, "dibao", "950")
    namesake = make_household(members=[{"name": "覃海燕", "birth": date(1979, 8, 2)}], town="town_chengxi")
    grant(namesake, "dibao", "950")
    n = person.members.get().id_number
    card = n[:6] + n[8:17]
    mistyped = card[0] + card[2] + card[1] + card[3:]  # the area code's 2nd and 3rd digits swapped
    assert mistyped != card
    cadre = staff("town_caseworker", "town_chengdong")
    declared = relative_declare(actor=cadre, name="覃海燕", id_number=mistyped, relation="parent")
    assert declared.id_upgraded and declared.id_number != n and len(declared.id_number) == 18

    screen()

    got = Alert.objects.filter(rule="relative_unregistered")
    assert [a.person_id for a in got] == [person.members.get().pk]


def test_damaged_numbers_meet_their_person_in_a_register_where_blocking_cannot_see_them():
    """In a register of 400 the linkage blocks (name pinyin, surname, ID area): a dropped
    digit with 王 typed as 玉 and no birth date shares no key with its person."""
    base = synth.persons(400, dup_rate=0.0, seed=21)
    persons = base.select(
        pl.col("rec_id").cast(pl.Int64).alias("person_id"),
        "name",
        "id_number",
        pl.col("birth_date").str.to_date(),
    )
    own, kid = "32990219620218530", "32991020080528004"
    own, kid = own + check_char(own), kid + check_char(kid)
    extra = pl.DataFrame(
        {
            "person_id": [9001, 9002],
            "name": ["王磊芳", "温鑫英"],
            "id_number": [own, kid],
            "birth_date": [date(1962, 2, 18), date(2008, 5, 28)],
        }
    )
    rows = pl.DataFrame(
        {
            "rel_id": [1, 2],
            "name": ["玉磊芳", "温鑫英"],
            # a digit dropped; the 15-digit form of a number of someone born in 2008
            "id_number": [own[:5] + own[6:], kid[:6] + kid[8:17]],
        }
    )
    _, found = identity.resolve(pl.concat([persons, extra]), {"relatives": (rows, "rel_id")})
    got = {r: (p, how) for r, p, how in found["relatives"].iter_rows()}
    assert got[1][0] == 9001 and "证件号码差一位" in got[1][1]
    assert got[2] == (9002, "15位号码与登记号码一致（2008年出生）")
