"""A supervisor reads everything and changes nothing: unsafe requests are refused on every
area's screens and API (403 ``forbidden``, reason ``supervisor_read_only``); reads and the audit
view work."""

from datetime import date

import pytest

from jiuzhu.intake import services as intake
from jiuzhu.registry.models import Household
from jiuzhu.supervision.guard import MESSAGE, REASON
from jiuzhu.supervision.models import Complaint, Directive, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(make_household, staff):
    household = make_household(members=[{"name": "赵大山", "birth": date(1960, 4, 4)}])
    app = intake.application_create(
        actor=staff("window_clerk"), household=household, needs=["living"], today=date(2026, 3, 2)
    )
    return household, app


def _refused_page(r):
    return r.status_code == 403 and MESSAGE in r.content.decode() and REASON in r.content.decode()


def _refused_json(r):
    body = r.json()
    return r.status_code == 403 and (body["code"], body["reason"], body["message"]) == (
        "forbidden",
        REASON,
        MESSAGE,
    )


def test_supervisor_refused_writes_everywhere(as_user, supervisor, case):
    household, app = case
    c = as_user(supervisor)
    # registry screen and API
    assert _refused_page(c.post("/households/new/", {"community": "x"}))
    assert _refused_page(c.post(f"/households/{household.code}/edit/", {"address": "改"}))
    assert _refused_json(c.post("/api/registry/households", {}, content_type="application/json"))
    assert _refused_json(
        c.patch(
            f"/api/registry/households/{household.code}", {"address": "改"}, content_type="application/json"
        )
    )
    # intake screen and API
    assert _refused_page(c.post(f"/intake/a/{app.tracking_code}/refer/", {"services": ["dibao"]}))
    assert _refused_json(
        c.post(f"/api/intake/applications/{app.tracking_code}/referrals", {}, content_type="application/json")
    )
    # supervision's own screens and API
    assert _refused_page(c.post("/supervision/meetings/plan/", {"year": 2026}))
    assert _refused_page(c.post("/supervision/complaints/", {"kind": "other", "description": "测试投诉内容"}))
    assert _refused_json(
        c.post(
            "/api/supervision/directives",
            {"title": "x", "units": ["education"], "limit_days": 5},
            content_type="application/json",
        )
    )
    assert _refused_json(c.delete("/api/supervision/directives"))
    household.refresh_from_db()
    assert household.address != "改"
    assert not app.referrals.exists()
    assert Household.objects.count() == 1
    assert not Meeting.objects.exists() and not Directive.objects.exists() and not Complaint.objects.exists()


def test_supervisor_reads_and_logs_out(as_user, supervisor, case):
    household, _ = case
    c = as_user(supervisor)
    assert c.get(f"/households/{household.code}/").status_code == 200
    assert c.get("/supervision/").status_code == 200
    assert c.get("/supervision/audit/", {"household": household.code}).status_code == 200
    assert c.post("/supervision/audit/", {"household": household.code}).status_code == 200
    r = c.post("/logout/")
    assert r.status_code == 302 and c.get("/supervision/").status_code == 302  # logged out


def test_other_roles_are_not_affected(as_user, staff, case):
    household, _ = case
    clerk = as_user(staff("window_clerk"))
    r = clerk.post(f"/households/{household.code}/edit/", {})
    assert r.status_code != 403 or REASON not in r.content.decode()
