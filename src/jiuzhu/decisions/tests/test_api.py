"""The thin API: the approver's decision with its error codes, the public notices and
objections without login, KPI figures."""

import json
from datetime import timedelta

from django.test import Client

from jiuzhu.common import clock
from jiuzhu.decisions import cases
from jiuzhu.decisions.models import Case, Objection

from .conftest import D0
from .test_workflow import investigate


def test_api_notice_objection_and_decision(refer_to, poor_household, caseworker, approver):
    r = refer_to(poor_household, "dibao")
    staff = Client()
    staff.force_login(caseworker)
    resp = staff.post(
        "/api/decisions/cases", json.dumps({"referral_id": r.pk}), content_type="application/json"
    )
    assert resp.status_code == 201, resp.content
    case_id = resp.json()["id"]
    c = Case.objects.get(pk=case_id)
    investigate(c, caseworker)
    cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=clock.today())

    public = Client()
    notices = public.get("/api/decisions/notices").json()
    assert [(n["name"], n["household_size"], n["amount"]) for n in notices] == [("王*国", 3, "2850.00")]
    assert "id_number" not in notices[0]
    resp = public.post(
        f"/api/decisions/notices/{notices[0]['id']}/objections",
        json.dumps({"text": "该户有车辆未申报"}),
        content_type="application/json",
    )
    assert resp.status_code == 201 and Objection.objects.count() == 1

    boss = Client()
    boss.force_login(approver)
    resp = boss.post(f"/api/decisions/cases/{case_id}/approve", "{}", content_type="application/json")
    assert resp.status_code == 409 and resp.json()["code"] == "notice_running"
    assert public.get("/api/decisions/cases").status_code == 401
    listed = boss.get("/api/decisions/cases", {"state": "notice"}).json()
    assert [x["id"] for x in listed] == [case_id] and listed[0]["extension_ground"] == "objection"
    k = boss.get(
        "/api/decisions/kpi",
        {"start": (D0 - timedelta(days=1)).isoformat(), "end": clock.today().isoformat()},
    )
    assert k.status_code == 200 and k.json()["objections_received"] == 1 and k.json()["cases_opened"] == 1
