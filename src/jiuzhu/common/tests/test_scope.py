"""The scope table (DOMAIN §8) and its one check: towns, units, the city, and the refusals."""

from datetime import date

import pytest

from jiuzhu.common import masking as m
from jiuzhu.common import scope, scope_docs
from jiuzhu.intake import services as intake
from jiuzhu.registry.models import Household


@pytest.fixture
def east(make_household):
    return make_household(members=[{"name": "东一", "birth": date(1970, 1, 1)}], town="town_chengdong")


@pytest.fixture
def west(make_household):
    return make_household(members=[{"name": "西一", "birth": date(1971, 1, 1)}], town="town_chengxi")


def test_every_role_and_action_has_one_scope_in_the_table():
    for action in scope.ACTIONS:
        for role in m.ROLES:
            assert scope.SCOPE[(role, action)] in scope.SCOPES
    assert scope.SCOPE[(m.TOWN_CASEWORKER, "payment.prepare")] == scope.NONE
    assert scope.SCOPE[(m.SUPERVISOR, "household.write")] == scope.NONE


def test_town_staff_act_on_their_own_town_only(staff, east, west):
    clerk = staff("window_clerk", "town_chengdong")
    assert scope.require(clerk, "household.read", household=east) == scope.TOWN
    with pytest.raises(scope.OutOfScope) as exc:
        scope.require(clerk, "household.write", household=west)
    assert exc.value.code == "out_of_scope"
    assert list(scope.households_in_scope(clerk, "household.read", Household.objects.all())) == [east]


def test_a_role_not_in_the_table_is_refused_by_role(staff, east):
    with pytest.raises(scope.RoleNotAllowed) as exc:
        scope.require(staff("town_caseworker"), "payment.prepare")
    assert exc.value.code == "role_not_allowed"
    with pytest.raises(scope.RoleNotAllowed):
        scope.require(staff("data_provider"), "household.read", household=east)
    assert not scope.households_in_scope(
        staff("partner", "charity_federation"), "household.read", Household.objects.all()
    ).exists()


def test_city_roles_see_every_town(staff, east, west):
    approver = staff("approver")
    assert scope.require(approver, "household.read", household=west) == scope.CITY
    assert set(scope.households_in_scope(approver, "household.read", Household.objects.all())) == {east, west}


def test_a_department_sees_the_households_behind_its_own_referrals(staff, east, west, policy):
    clerk = staff("window_clerk", "town_chengdong")
    app = intake.application_create(actor=clerk, household=east, needs=["education"], today=date(2026, 9, 1))
    edu = next(s for s in policy.services_of_unit("education"))
    intake.refer(actor=clerk, application=app, service_codes=[edu.code], today=date(2026, 9, 1))
    officer = staff("department_officer", "education")
    other = staff("department_officer", "housing")
    assert scope.require(officer, "household.read", household=east) == scope.UNIT
    with pytest.raises(scope.OutOfScope):
        scope.require(officer, "household.read", household=west)
    with pytest.raises(scope.OutOfScope):
        scope.require(other, "household.read", household=east)
    assert list(scope.households_in_scope(officer, "household.read", Household.objects.all())) == [east]
    # verification: only for the service it handles, and only while it handles it
    assert scope.allows(officer, "verification.request", household=east, service=edu.code)
    assert not scope.allows(officer, "verification.request", household=east, service="dibao")
    assert not scope.allows(other, "verification.request", household=east, service=edu.code)


def test_read_logs_the_personal_data_read(staff, east):
    from jiuzhu.common.models import AccessLog

    clerk = staff("window_clerk", "town_chengdong")
    scope.read(clerk, "household.read", household=east)
    row = AccessLog.objects.get()
    assert (row.username, row.household_code, row.purpose) == (clerk.username, east.code, "查看家庭档案")


def test_an_unknown_action_is_a_programming_error(staff):
    with pytest.raises(KeyError):
        scope.require(staff("admin"), "household.erase")


def test_docs_show_the_table_as_it_is_in_the_code(db):
    from django.conf import settings

    text = (settings.BASE_DIR / "docs" / "scope.md").read_text(encoding="utf-8")
    shown = text.split("<!-- scope-table:start -->\n")[1].split("<!-- scope-table:end -->")[0]
    assert shown == scope_docs.markdown()


def test_the_scope_table_document_is_the_table_by_area(db):
    """docs/scope-table.md (quoted in issue 13's closing note) is ``scope_docs.readable()``: every
    action of the code in exactly one area, and the document not stale
    (``uv run jiuzhu scope_table --write`` rewrites it)."""
    from django.conf import settings

    for action in scope.ACTIONS:
        assert sum(action.split(".")[0] in prefixes for _, _, prefixes in scope.AREAS) == 1, action
    text = (settings.BASE_DIR / "docs" / "scope-table.md").read_text(encoding="utf-8")
    assert text == scope_docs.readable(), (
        "docs/scope-table.md is stale: run `uv run jiuzhu scope_table --write`"
    )
    for action, (label, _) in scope.ACTIONS.items():
        assert f"| {label} `{action}`" in text
    row = next(line for line in text.splitlines() if "`payment.prepare`" in line)
    assert row.split(" | ")[1:] == ["approver, administrator", "—", "department officer |"]
    assert "approver `approver` (2FA)" in text and "window clerk `window_clerk` |" in text
