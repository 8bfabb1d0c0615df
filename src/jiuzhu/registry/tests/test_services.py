"""Registry writes other than household_create (which has its own module)."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.registry import services
from jiuzhu.registry.models import Asset, IncomeItem, Person
from jiuzhu.registry.testing import make_id


def test_member_add_refuses_second_head_and_existing_member(make_household):
    hh = make_household()
    with pytest.raises(ValidationFailed) as err:
        services.member_add(
            actor=None,
            household=hh,
            data={"name": "二户主", "id_number": make_id(date(1971, 1, 1)), "relation": "head"},
        )
    assert (err.value.code, err.value.field) == ("one_head_required", "relation")
    with pytest.raises(ValidationFailed) as err:
        services.member_add(
            actor=None,
            household=hh,
            data={"name": "重复", "id_number": hh.members.get().id_number, "relation": "child"},
        )
    assert err.value.code == "duplicate_id_number"
    assert Person.objects.count() == 1


def test_member_update_keeps_id_number_and_records_actor(make_household, staff):
    hh = make_household()
    person = hh.members.get()
    worker = staff("town_caseworker")
    with pytest.raises(ValidationFailed) as err:
        services.member_update(actor=worker, person=person, data={"id_number": make_id(date(1990, 1, 1))})
    assert err.value.code == "id_number_immutable"
    services.member_update(actor=worker, person=person, data={"labour_capacity": "partial"})
    latest = person.history.latest()
    assert (latest.labour_capacity, latest.history_user) == ("partial", worker)


def test_income_add_checks_period_and_amount(make_household):
    person = make_household().members.get()
    with pytest.raises(ValidationFailed) as err:
        services.income_add(
            actor=None,
            person=person,
            kind="wages",
            monthly_amount="100",
            period_start=date(2025, 12, 31),
            period_end=date(2025, 1, 1),
        )
    assert err.value.field == "period_end"
    with pytest.raises(ValidationFailed) as err:  # common.values.money: at most two decimals
        services.income_add(
            actor=None,
            person=person,
            kind="wages",
            monthly_amount="1234.567",
            period_start=date(2025, 1, 1),
            period_end=date(2025, 12, 31),
        )
    assert (err.value.field, err.value.code) == ("monthly_amount", "invalid_amount")
    item = services.income_add(
        actor=None,
        person=person,
        kind="wages",
        monthly_amount="1234.57",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )
    assert item.monthly_amount == Decimal("1234.57")
    assert IncomeItem.objects.count() == 1


def test_asset_add_rules(make_household):
    hh = make_household()
    stranger = make_household(members=[{"name": "外人"}]).members.get()
    with pytest.raises(ValidationFailed) as err:
        services.asset_add(actor=None, household=hh, kind="house", value="0", as_of=date(2026, 1, 1))
    assert (err.value.code, err.value.field) == ("required", "floor_area")
    with pytest.raises(ValidationFailed) as err:
        services.asset_add(
            actor=None, household=hh, person=stranger, kind="financial", value="10", as_of=date(2026, 1, 1)
        )
    assert err.value.field == "person"
    assert Asset.objects.count() == 0


def test_split_merge_and_death_only_by_the_households_town(make_household, staff):
    """分户, 合户 and a death are registry writes like any other: another town's caseworker is
    refused (out_of_scope) and nothing changes; the household's own town may do them."""
    from jiuzhu.common.errors import PermissionDenied

    hh = make_household(
        members=[
            {"name": "张父", "birth": date(1960, 1, 1), "relation": "head"},
            {"name": "张子", "birth": date(1990, 1, 1), "relation": "child"},
        ]
    )
    other = make_household(members=[{"name": "李母", "birth": date(1962, 1, 1), "relation": "head"}])
    elsewhere = make_household(
        members=[{"name": "王某", "birth": date(1970, 1, 1), "relation": "head"}], town="town_chengxi"
    )
    west = staff("town_caseworker", "town_chengxi")
    own = staff("town_caseworker", "town_chengdong")
    father, son = hh.members.order_by("id")
    with pytest.raises(PermissionDenied) as err:
        services.member_death(actor=west, person=father, died_on=date(2026, 1, 5))
    assert err.value.code == "out_of_scope"
    with pytest.raises(PermissionDenied) as err:
        services.household_split(actor=west, household=hh, members={son: "head"}, data={})
    assert err.value.code == "out_of_scope"
    with pytest.raises(PermissionDenied) as err:
        services.household_merge(actor=west, household=hh, other=other, relations={})
    assert err.value.code == "out_of_scope"
    # a town may not pull another town's household into one of its own either
    with pytest.raises(PermissionDenied) as err:
        services.household_merge(actor=own, household=hh, other=elsewhere, relations={})
    assert err.value.code == "out_of_scope"
    father.refresh_from_db()
    assert father.deceased_on is None and hh.members.count() == 2 and elsewhere.members.count() == 1

    services.member_death(actor=own, person=father, died_on=date(2026, 1, 5))
    new = services.household_split(actor=own, household=hh, members={son: "head"}, data={})
    father.refresh_from_db()
    assert father.deceased_on == date(2026, 1, 5) and list(new.members.all()) == [son]


def test_a_wrong_choice_is_named_in_words_not_codes(make_household):
    hh = make_household()
    with pytest.raises(ValidationFailed) as err:
        services.member_add(
            actor=None,
            household=hh,
            data={"name": "新成员", "id_number": make_id(date(1999, 1, 1)), "relation": "cousin"},
        )
    assert (err.value.code, err.value.field) == ("invalid_choice", "relation")
    assert (
        "配偶" in err.value.message
        and "spouse" not in err.value.message
        and "cousin" not in err.value.message
    )
    assert Person.objects.count() == 1
