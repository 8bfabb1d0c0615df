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
