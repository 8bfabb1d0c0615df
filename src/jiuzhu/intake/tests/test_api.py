"""Every step through the JSON API with real session log-ins: application (existing and new
household), documents, authorisation, proposals, referrals, unit handling, deadlines,
emergency aid, notifications, public tracking and results; errors with stable codes."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiuzhu.common.models import AccessLog
from jiuzhu.intake.models import Application, Referral
from jiuzhu.intake.testing import PDF_BYTES, two_services
from jiuzhu.registry.testing import make_id

URL = "/api/intake"


@pytest.fixture
def login(staff):
    def make(role, unit=None):
        c = Client()
        user = staff(role, unit)
        c.force_login(user)
        c.user = user
        return c

    return make


def _post(c, path, data=None):
    return c.post(f"{URL}{path}", data or {}, content_type="application/json")


def test_full_flow_over_the_api(login, household, policy):
    clerk = login("window_clerk", "town_chengdong")
    head = household.members.get(relation="head")
    r = _post(
        clerk,
        "/applications",
        {
            "household": household.code,
            "needs": ["education", "medical"],
            "description": "医药费负担重",
            "requester_kind": "self",
        },
    )
    assert r.status_code == 201, r.content
    app = r.json()
    code = app["tracking_code"]
    assert len(code) == 10 and app["applicant"]["id_number"] == head.id_number
    clerk.get(f"{URL}/applications/{code}")
    assert AccessLog.objects.filter(object_type="intake.application", object_id=code).exists()

    up = clerk.post(
        f"{URL}/applications/{code}/documents",
        {"file": SimpleUploadedFile("申请书.pdf", PDF_BYTES), "kind": "application_form"},
    )
    assert up.status_code == 201, up.content
    assert up.json()["content_type"] == "application/pdf"
    bad = clerk.post(f"{URL}/applications/{code}/documents", {"file": SimpleUploadedFile("x.pdf", b"hello")})
    assert bad.status_code == 400 and bad.json()["code"] == "file_type"

    a, b = two_services(policy)
    auth = _post(
        clerk,
        f"/applications/{code}/authorisations",
        {
            "person_id_number": head.id_number,
            "service_code": a.code,
            "signed_on": "2026-01-05",
            "document": up.json()["id"],
        },
    )
    assert auth.status_code == 201, auth.content
    assert auth.json()["service_code"] == a.code

    props = clerk.get(f"{URL}/applications/{code}/proposals").json()
    assert props and all(p["reasons"] for p in props)
    refs = _post(clerk, f"/applications/{code}/referrals", {"services": [a.code, b.code]})
    assert refs.status_code == 201, refs.content
    ra, rb = refs.json()
    assert ra["state"] == "referred" and ra["due_on"] > ra["referred_on"]

    off_a, off_b = login("department_officer", a.unit_code), login("department_officer", b.unit_code)
    inbox = off_a.get(f"{URL}/inbox").json()
    assert [x["id"] for x in inbox] == [ra["id"]] and inbox[0]["actions"] == [
        "accept",
        "request_supplement",
        "transfer",
    ]
    # acting for another unit
    r = _post(off_b, f"/referrals/{ra['id']}/accept")
    assert r.status_code == 403 and r.json()["code"] == "out_of_scope"

    # A: transfer, the receiving unit takes it and grants
    to = "civil_affairs" if a.unit_code != "civil_affairs" else "housing"
    r = _post(off_a, f"/referrals/{ra['id']}/transfer", {"to_unit": to, "reason": "属该单位职责"})
    assert r.status_code == 200 and r.json()["leg"] == 2 and r.json()["unit"] == to
    new_id = r.json()["id"]
    r = _post(off_a, f"/referrals/{ra['id']}/transfer", {"to_unit": to, "reason": "再转"})
    assert r.status_code == 409 and r.json()["code"] == "referral_closed"
    off_to = login("department_officer", to)
    assert _post(off_to, f"/referrals/{new_id}/accept").status_code == 200
    r = _post(
        off_to, f"/referrals/{new_id}/grant", {"amount": "800", "start_month": "2026-11-01", "version": 1}
    )
    assert r.status_code == 409 and r.json()["code"] == "stale_version"
    # the rules find the household not eligible: ¥800 waits for a second signature
    r = _post(off_to, f"/referrals/{new_id}/grant", {"amount": "800", "start_month": "2026-11-01"})
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = _post(
        off_to,
        f"/referrals/{new_id}/grant",
        {"amount": "800", "start_month": "2026-11-01", "note": "按实际需要核定"},
    )
    assert r.status_code == 200 and r.json()["state"] == "in_progress" and r.json()["result"] is None
    held = r.json()["held_grant"]
    assert held["amount"] == "800.00" and held["level"] == "county"
    approver = login("approver", "civil_affairs")
    r = approver.post(
        f"/api/decisions/grants/{held['id']}/sign", {"note": "同意"}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["state"] == "signed" and r.json()["entitlement"]
    r = clerk.get(f"{URL}/referrals/{new_id}")
    assert r.json()["result"]["amount"] == "800.00"

    # B: asks for material, window records it, B refuses properly
    r = _post(off_b, f"/referrals/{rb['id']}/supplement-request", {"missing": "诊断证明"})
    assert r.status_code == 200 and r.json()["state"] == "paused"
    notes = clerk.get(f"{URL}/notifications").json()
    assert any(n["kind"] == "supplement_requested" for n in notes)
    r = _post(clerk, f"/referrals/{rb['id']}/supplement-received", {"note": "已补交"})
    assert r.status_code == 200 and r.json()["state"] == "in_progress"
    r = _post(off_b, f"/referrals/{rb['id']}/refuse", {"reasons": "不符合", "basis": "", "alternatives": "x"})
    assert r.status_code == 400 and r.json()["code"] == "refusal_basis_required"
    r = _post(
        off_b,
        f"/referrals/{rb['id']}/refuse",
        {"reasons": "人均收入高于标准", "basis": "社会救助暂行办法第九条", "alternatives": "可申请临时救助"},
    )
    assert r.status_code == 200 and r.json()["state"] == "refused"

    detail = clerk.get(f"{URL}/applications/{code}").json()
    assert detail["status"] == "closed"
    kinds = [e["kind"] for e in detail["events"]]
    for k in (
        "received",
        "document",
        "authorisation",
        "referred",
        "transferred",
        "accepted",
        "granted",
        "supplement_requested",
        "supplement_received",
        "refused",
        "closed",
    ):
        assert k in kinds

    # public tracking: no log-in, no personal data
    pub = Client()
    t = pub.post(
        f"{URL}/track", {"code": code, "id_tail": head.id_number[-4:]}, content_type="application/json"
    )
    assert t.status_code == 200, t.content
    body = t.content.decode()
    assert head.name not in body and head.id_number not in body and household.code not in body
    states = sorted(s["state"] for s in t.json()["services"])
    assert states == ["granted", "refused"]


def test_application_with_a_new_household(login):
    clerk = login("window_clerk", "town_chengxi")
    head = make_id(date(1968, 4, 4))
    r = _post(
        clerk,
        "/applications",
        {
            "new_household": {
                "town": "town_chengxi",
                "community": "和平社区",
                "division_code": "329901002",
                "area": "urban",
                "address": "示范市城西街道和平路2号",
                "members": [{"name": "孙大海", "id_number": head, "relation": "head"}],
            },
            "needs": ["living"],
        },
    )
    assert r.status_code == 201, r.content
    assert r.json()["window"] == "town_chengxi"
    bad = _post(
        clerk,
        "/applications",
        {"new_household": {"town": "town_chengxi", "members": []}, "needs": ["living"]},
    )
    assert bad.status_code == 400
    assert Application.objects.count() == 1


def test_only_window_staff_register_and_needs_are_checked(login, household):
    r = _post(
        login("department_officer", "education"),
        "/applications",
        {"household": household.code, "needs": ["living"]},
    )
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    r = _post(login("window_clerk"), "/applications", {"household": household.code, "needs": ["lottery"]})
    assert r.status_code == 400 and r.json()["field"] == "needs"
    assert Client().get(f"{URL}/inbox").status_code == 401


def test_deadline_lists_by_scope_and_emergency_aid(login, household, policy):
    clerk = login("window_clerk", "town_chengdong")
    code = _post(clerk, "/applications", {"household": household.code, "needs": ["emergency"]}).json()[
        "tracking_code"
    ]
    case = login("town_caseworker", "town_chengdong")
    r = _post(case, f"/applications/{code}/emergency-aid", {"amount": "2500", "cause": "fire"})
    assert r.status_code == 400 and r.json()["code"] == "over_emergency_limit"
    # the window of another town may not pay first (scope row emergency.grant: own town)
    other = login("window_clerk", "town_chengxi")
    r = _post(other, f"/applications/{code}/emergency-aid", {"amount": "1500", "cause": "fire"})
    assert r.status_code == 403 and r.json()["code"] == "out_of_scope"
    r = _post(case, f"/applications/{code}/emergency-aid", {"amount": "1500", "cause": "fire"})
    assert r.status_code == 201 and r.json()["state"] == "open"
    aid = r.json()
    assert clerk.get(f"{URL}/deadlines?scope=window").status_code == 200
    assert clerk.get(f"{URL}/deadlines?scope=all").status_code == 403
    assert login("supervisor").get(f"{URL}/deadlines?scope=all").status_code == 200
    r = _post(clerk, f"/emergency-aid/{aid['id']}/complete", {"note": "手续齐全"})
    assert r.status_code == 200 and r.json()["state"] == "completed"
    assert Application.objects.get(tracking_code=code).status == "closed"


def test_track_throttles_guessing(household, staff, settings):
    from jiuzhu.intake import services

    settings.JIUZHU_TRACK_MAX_FAILURES = 3
    app = services.application_create(actor=staff("window_clerk"), household=household, needs=["living"])
    pub = Client()
    for _ in range(3):
        r = pub.post(
            f"{URL}/track", {"code": app.tracking_code, "id_tail": "0000"}, content_type="application/json"
        )
        assert r.status_code == 404 and r.json()["code"] == "tracking_not_found"
    r = pub.post(
        f"{URL}/track", {"code": app.tracking_code, "id_tail": app.id_tail}, content_type="application/json"
    )
    assert r.status_code == 429 and r.json()["code"] == "too_many_attempts"


def test_results_are_public(household, staff, policy):
    from jiuzhu.intake import services

    app = services.application_create(actor=staff("window_clerk"), household=household, needs=["education"])
    services.refer(
        actor=staff("window_clerk"),
        application=app,
        service_codes=[two_services(policy)[0].code],
        today=date(2026, 10, 9),
    )
    r = Client().get(f"{URL}/results?month=2026-10")
    assert r.status_code == 200 and sum(x["received"] for x in r.json()) == 1
    assert Client().get(f"{URL}/results?month=2026-13").status_code == 422  # not a month: a parameter error
    assert Referral.objects.count() == 1


def test_openapi_lists_every_step(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for p in (
        "/applications",
        "/applications/{code}/documents",
        "/applications/{code}/authorisations",
        "/applications/{code}/proposals",
        "/applications/{code}/referrals",
        "/referrals/{ref_id}/accept",
        "/referrals/{ref_id}/supplement-request",
        "/referrals/{ref_id}/supplement-received",
        "/referrals/{ref_id}/transfer",
        "/referrals/{ref_id}/grant",
        "/referrals/{ref_id}/refuse",
        "/referrals/{ref_id}/charity",
        "/deadlines",
        "/track",
        "/results",
        "/applications/{code}/emergency-aid",
        "/emergency-aid/{aid_id}/complete",
    ):
        assert f"{URL}{p}" in paths


@pytest.mark.parametrize(
    "extra, field, code",
    [
        ({"requester_kind": "agent", "requester_name": "张\x00三"}, "requester_name", "control_characters"),
        ({"requester_kind": "agent", "requester_name": "张" * 51}, "requester_name", "too_long"),
        ({"requester_phone": "abc<script>"}, "requester_phone", "invalid_phone"),
        ({"description": "困难\x1b[31m"}, "description", "control_characters"),
        ({"description": "难" * 2001}, "description", "too_long"),
        (
            {"needs": ["emergency"], "emergency_cause": "fire", "emergency_need": "1e30"},
            "emergency_need",
            "amount_out_of_range",
        ),
    ],
)
def test_application_free_text_and_amount_are_checked_and_nothing_written(
    login, household, extra, field, code
):
    clerk = login("window_clerk", "town_chengdong")
    r = _post(clerk, "/applications", {"household": household.code, "needs": ["living"], **extra})
    assert r.status_code == 400, r.content
    assert r.json()["field"] == field and r.json()["code"] == code
    assert r.json()["message"]  # the Chinese reason the screen shows too
    assert not Application.objects.exists()


def test_application_description_keeps_its_line_breaks(login, household):
    clerk = login("window_clerk", "town_chengdong")
    r = _post(
        clerk,
        "/applications",
        {"household": household.code, "needs": ["living"], "description": " 一行\n二行\t "},
    )
    assert r.status_code == 201, r.content
    assert Application.objects.get().description == "一行\n二行"
