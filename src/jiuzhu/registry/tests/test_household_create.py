from datetime import date

import pytest

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.registry.models import Household, Person
from jiuzhu.registry.testing import make_id


def test_household_create_derives_gender_and_birth(make_household):
    hh = make_household(members=[{"name": "李四", "birth": date(1950, 3, 2), "gender": "F"}])
    p = hh.members.get()
    assert (p.gender, p.birth_date) == ("F", date(1950, 3, 2))
    assert hh.code.startswith("H329901001")


def test_bad_check_digit_writes_nothing(make_household):
    good = make_id(date(1980, 1, 1))
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationFailed) as err:
        make_household(members=[{"name": "王五", "id_number": good}, {"name": "赵六", "id_number": bad}])
    assert err.value.code == "id_number_check_digit"
    assert err.value.field == "members[1].id_number"
    assert Household.objects.count() == 0 and Person.objects.count() == 0


def test_member_in_two_households_refused(make_household):
    hh = make_household()
    existing = hh.members.get().id_number
    with pytest.raises(ValidationFailed) as err:
        make_household(members=[{"name": "张三", "id_number": existing}])
    assert err.value.code == "person_in_other_household"
    assert Household.objects.count() == 1


@pytest.mark.parametrize(
    ("member", "field", "code"),
    [
        ({"name": "王五", "id_number": ""}, "members[0].id_number", "required"),
        (
            {"name": "王五", "disability_kind": "physical", "disability_grade": "二"},
            "members[0].disability_grade",
            "invalid",
        ),
    ],
)
def test_member_bad_input_is_specific_and_writes_nothing(make_household, member, field, code):
    with pytest.raises(ValidationFailed) as err:
        make_household(members=[member])
    assert (err.value.field, err.value.code) == (field, code)
    assert Household.objects.count() == 0


def test_income_without_period_dates_is_refused(make_household):
    from jiuzhu.registry.services import income_add

    person = make_household().members.get()
    with pytest.raises(ValidationFailed) as err:
        income_add(
            actor=None,
            person=person,
            kind="wages",
            monthly_amount="1000",
            period_start=None,
            period_end=date(2026, 6, 30),
        )
    assert (err.value.field, err.value.code) == ("period_start", "required")
    assert not person.incomes.exists()
