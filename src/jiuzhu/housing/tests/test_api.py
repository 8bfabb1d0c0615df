"""Housing over the API as the housing bureau uses it: two households join the waiting list
(priority before date), the allocation goes to the first and ends its rent subsidy, its options
then read public rental housing; a rural household's renovation is graded and paid in two stages,
in order, each once. Another unit's officer is refused (403); a bad priority or date is refused
with its field and nothing written."""

from datetime import date

import pytest
from django.test import Client

from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.decisions.models import Entitlement
from jiuzhu.housing.models import Renovation, RenovationStage, WaitingEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(staff, make_household, policy):
    officer = staff("department_officer", "housing")
    homes = {}
    for name in ("甲", "乙", "丙"):
        homes[name] = make_household(
            members=[{"name": f"租户{name}", "birth": date(1970, 1, 1)}], area="rural"
        )
    h = homes["甲"]
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
    c = Client()
    c.force_login(officer)
    return {"c": c, "homes": homes}


def _post(c, url, body):
    return c.post(url, body, content_type="application/json")


def test_waiting_allocation_and_renovation_stages(world):
    c, h = world["c"], world["homes"]
    a = _post(
        c, "/api/housing/waiting", {"household": h["甲"].code, "priority": 2, "applied_on": "2026-02-01"}
    )
    assert a.status_code == 201, a.content
    b = _post(
        c, "/api/housing/waiting", {"household": h["乙"].code, "priority": 1, "applied_on": "2026-03-01"}
    )
    assert b.json()["position"] == 1
    assert [e["household"] for e in c.get("/api/housing/waiting").json()] == [h["乙"].code, h["甲"].code]
    options = c.get(f"/api/housing/households/{h['甲'].code}/options").json()
    assert (options["options"], options["labels"]) == (["housing_rent_subsidy"], ["住房租赁补贴"])

    first = _post(c, "/api/housing/allocations", {"flat": "幸福家园3栋201室", "on": "2026-06-17"})
    assert (first.status_code, first.json()["household"], first.json()["state"]) == (
        201,
        h["乙"].code,
        "allocated",
    )
    second = _post(c, "/api/housing/allocations", {"flat": "幸福家园3栋202室", "on": "2026-06-18"})
    assert second.json()["household"] == h["甲"].code
    sub = Entitlement.objects.get(household=h["甲"], service_code="housing_rent_subsidy")
    assert (sub.status, sub.end_month) == ("ended", date(2026, 6, 1))
    options = c.get(f"/api/housing/households/{h['甲'].code}/options").json()
    assert options["options"] == ["housing_public_rental"]
    refused = _post(
        c,
        "/api/housing/renovations",
        {"household": h["甲"].code, "grade": "D", "inspected_on": "2026-07-01", "inspector": "李工"},
    )
    assert (refused.status_code, refused.json()["code"]) == (400, "other_housing_option")

    r = _post(
        c,
        "/api/housing/renovations",
        {"household": h["丙"].code, "grade": "D", "inspected_on": "2026-04-01", "inspector": "李工"},
    )
    assert (r.status_code, r.json()["amount"]) == (201, "30000.00")
    rid = r.json()["id"]
    early = _post(
        c,
        f"/api/housing/renovations/{rid}/stages",
        {"kind": "completion", "inspected_on": "2026-05-01", "inspector": "王工"},
    )
    assert (early.status_code, early.json()["code"]) == (409, "wrong_stage")
    start = _post(
        c,
        f"/api/housing/renovations/{rid}/stages",
        {"kind": "start", "inspected_on": "2026-05-01", "inspector": "王工"},
    )
    done = _post(
        c,
        f"/api/housing/renovations/{rid}/stages",
        {"kind": "completion", "inspected_on": "2026-09-01", "inspector": "王工"},
    )
    assert start.status_code == done.status_code == 201
    total = sum(float(x.json()["amount"]) for x in (start, done))
    assert total == 30000.0
    read = c.get(f"/api/housing/renovations/{rid}").json()
    assert (read["state"], [s["kind"] for s in read["stages"]]) == ("completed", ["start", "completion"])
    assert [x["id"] for x in c.get("/api/housing/renovations").json()] == [rid]


def test_another_unit_is_refused(world, staff):
    h = world["homes"]
    other = Client()
    other.force_login(staff("department_officer", "education"))
    r = _post(
        other, "/api/housing/waiting", {"household": h["乙"].code, "priority": 1, "applied_on": "2026-03-01"}
    )
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    r = other.get(f"/api/housing/households/{h['乙'].code}/options")
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    assert other.get("/api/housing/waiting").json() == []
    assert not WaitingEntry.objects.exists()


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"priority": 0}, 422, "priority"),
        ({"applied_on": "2099-03-01"}, 400, "applied_on"),
        ({"household": "NO-SUCH-HOUSEHOLD"}, 400, "household"),
    ],
)
def test_bad_input_is_refused_with_its_field_and_nothing_written(world, body, status, field):
    c, h = world["c"], world["homes"]
    good = {"household": h["乙"].code, "priority": 1, "applied_on": "2026-03-01"}
    r = _post(c, "/api/housing/waiting", {**good, **body})
    assert (r.status_code, r.json()["field"]) == (status, field)
    assert not WaitingEntry.objects.exists()
    r = _post(
        c,
        "/api/housing/renovations",
        {"household": h["丙"].code, "grade": "D", "inspected_on": "2026-04-01", "inspector": "李\x07工"},
    )
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (400, "inspector", "control_characters")
    assert not Renovation.objects.exists() and not RenovationStage.objects.exists()
