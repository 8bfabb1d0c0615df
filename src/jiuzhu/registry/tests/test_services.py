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
    item = services.income_add(
        actor=None,
        person=person,
        kind="wages",
        monthly_amount="1234.567",
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
