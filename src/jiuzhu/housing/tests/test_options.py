"""Housing assistance walked end to end (DOMAIN §7 住房): households wait for public rental
housing by priority and date while keeping their rent subsidy; the allocation goes to the
first of the list and ends its rent subsidy the same day (paid for that month, nothing from
the next); a household holding one option is refused a second; a rural renovation is graded
and paid in two stages against inspections, each once."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.decisions.entitlements import entitlement_grant, owed_in
from jiuzhu.decisions.models import Entitlement
from jiuzhu.housing import selectors, services


@pytest.fixture
def world(staff, make_household, policy):
    officer = staff("department_officer", "housing")
    homes = {}
    for name in ("甲", "乙", "丙"):
        h = make_household(members=[{"name": f"租户{name}", "birth": date(1970, 1, 1)}], area="rural")
        homes[name] = h
    for name in ("甲", "乙"):
        h = homes[name]
        entitlement_grant(
            household=h,
            payee=h.members.get(),
            service_code="housing_rent_subsidy",
            amount="450",
            start_month=date(2026, 1, 1),
            actor=officer,
            policy=policy,
            reason="审批同意",
        )
    return {"officer": officer, "homes": homes}


def _wait(actor, household, priority: int, applied_on: date, policy):
    return services.waiting_add(
        actor=actor, household=household, priority=priority, applied_on=applied_on, policy=policy
    )


def _renovate(actor, household, grade: str, inspected_on: date, policy, inspector: str = "鉴定员"):
    return services.renovation_register(
        actor=actor,
        household=household,
        grade=grade,
        inspected_on=inspected_on,
        inspector=inspector,
        policy=policy,
    )


def _stage(actor, renovation, kind: str, inspected_on: date, policy):
    return services.renovation_stage(
        actor=actor,
        renovation=renovation,
        kind=kind,
        inspected_on=inspected_on,
        inspector="验收员",
        policy=policy,
    )


def test_waiting_list_allocation_ends_the_rent_subsidy_the_same_day(world, policy, client):
    w, h = world, world["homes"]
    _wait(w["officer"], h["甲"], 2, date(2026, 2, 1), policy)
    _wait(w["officer"], h["乙"], 1, date(2026, 3, 1), policy)
    _wait(w["officer"], h["丙"], 1, date(2026, 3, 5), policy)
    order = [e.household_id for e in selectors.waiting_list(actor=w["officer"])]
    assert order == [h["乙"].pk, h["丙"].pk, h["甲"].pk]  # priority first, then the date

    client.force_login(w["officer"])
    resp = client.post("/housing/allocate/", {"flat": "幸福家园3栋201室", "on": "2026-06-17"}, follow=True)
    assert "已向户" in resp.content.decode() and "幸福家园3栋201室" in resp.content.decode()
    e = h["乙"].rental_waiting.get()
    assert (e.state, e.allocated_on, e.flat) == ("allocated", date(2026, 6, 17), "幸福家园3栋201室")
    sub = Entitlement.objects.get(household=h["乙"], service_code="housing_rent_subsidy")
    assert (sub.status, sub.end_month) == ("ended", date(2026, 6, 1)) and "配租" in sub.ended_reason
    assert owed_in(date(2026, 6, 1)).filter(pk=sub.pk).exists()  # June still paid
    assert (
        not owed_in(date(2026, 7, 1)).filter(household=h["乙"], service_code="housing_rent_subsidy").exists()
    )
    assert owed_in(date(2026, 7, 1)).filter(household=h["甲"], service_code="housing_rent_subsidy").exists()
    assert [x.household_id for x in selectors.waiting_list(actor=w["officer"])] == [h["丙"].pk, h["甲"].pk]

    with pytest.raises(ValidationFailed) as err:  # the allocated household: no second option
        _renovate(w["officer"], h["乙"], "D", date(2026, 7, 1), policy)
    assert err.value.code == "other_housing_option"


def test_renovation_graded_and_paid_in_stages_and_a_second_option_refused(
    world, policy, make_household, staff
):
    w = world
    rural = make_household(members=[{"name": "农户丁", "birth": date(1960, 1, 1)}], area="rural")
    r = _renovate(w["officer"], rural, "D", date(2026, 4, 1), policy, inspector="县住建局鉴定员")
    assert r.amount == Decimal("30000.00")
    with pytest.raises(ValidationFailed) as err:  # renovating: not on the public-rental list too
        _wait(w["officer"], rural, 1, date(2026, 4, 2), policy)
    assert err.value.code == "other_housing_option"
    with pytest.raises(IllegalTransition):  # completion before the start inspection
        _stage(w["officer"], r, "completion", date(2026, 5, 1), policy)
    s1 = _stage(w["officer"], r, "start", date(2026, 5, 1), policy)
    s2 = _stage(w["officer"], r, "completion", date(2026, 8, 1), policy)
    assert (s1.amount, s2.amount) == (Decimal("15000.00"), Decimal("15000.00"))
    assert (s1.entitlement.amount_period, s1.entitlement.start_month, s2.entitlement.start_month) == (
        "once",
        date(2026, 5, 1),
        date(2026, 8, 1),
    )
    with pytest.raises(IllegalTransition):  # each stage once
        _stage(w["officer"], r, "completion", date(2026, 8, 2), policy)
    with pytest.raises(ValidationFailed) as err:  # a rent-subsidy household is not renovated too
        _renovate(w["officer"], w["homes"]["甲"], "C", date(2026, 4, 1), policy)
    assert err.value.code == "other_housing_option"
    with pytest.raises(PermissionDenied):
        _wait(staff("department_officer", "education"), w["homes"]["丙"], 1, date(2026, 4, 2), policy)


def test_the_screen_is_the_housing_bureaus(world, staff, client):
    client.force_login(world["officer"])
    assert 'href="/housing/"' in client.get("/housing/").content.decode()
    client.force_login(staff("window_clerk"))
    resp = client.get("/housing/")
    assert resp.status_code == 403 and "住房救助" in resp.content.decode()
