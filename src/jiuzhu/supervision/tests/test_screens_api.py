"""The conference through its screens (convener and unit) and the thin API."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.common import clock
from jiuzhu.intake.testing import PDF_BYTES
from jiuzhu.supervision.models import Assignment, Directive, Meeting, MeetingAttachment

pytestmark = pytest.mark.django_db


def test_meeting_by_forms(as_user, convener, staff):
    c = as_user(convener)
    year = clock.today().year
    r = c.post("/supervision/meetings/plan/", {"year": year}, follow=True)
    assert f"已生成 {year} 年季度例会 4 次" in r.content.decode()
    r = c.post(
        "/supervision/meetings/call/",
        {
            "title": "防汛救灾专题会议",
            "planned_on": clock.today().isoformat(),
            "reason": "汛期受灾人员救助",
        },
    )
    m = Meeting.objects.get(kind=Meeting.EXTRAORDINARY)
    assert r.status_code == 302 and r["Location"] == f"/supervision/meetings/{m.pk}/"
    page = c.get(r["Location"]).content.decode()
    assert "督办事项落实情况" in page and "本期主要指标" in page and "城东街道" in page
    c.post(
        f"/supervision/meetings/{m.pk}/attendance/",
        {"status_emergency": "present", "attendee_emergency": "赵主任"},
    )
    assert m.attendance.get().unit.code == "emergency"
    c.post(
        f"/supervision/meetings/{m.pk}/attachment/",
        {"file": SimpleUploadedFile("纪要.pdf", PDF_BYTES), "title": "签批件"},
    )
    att = MeetingAttachment.objects.get()
    assert c.get(f"/supervision/attachments/{att.pk}/").status_code == 200
    bad = c.post(
        f"/supervision/meetings/{m.pk}/attachment/",
        {"file": SimpleUploadedFile("x.exe", b"MZ\x90\x00" * 10)},
        follow=True,
    )
    assert "只接受 PDF" in bad.content.decode() and MeetingAttachment.objects.count() == 1
    c.post(f"/supervision/meetings/{m.pk}/hold/", {"minutes": "研究了受灾群众过渡期生活救助。"})
    m.refresh_from_db()
    assert m.status == Meeting.HELD
    r = c.post(
        f"/supervision/meetings/{m.pk}/directive/",
        {"title": "三日内发放过渡期生活救助", "units": ["emergency", "town_chengdong"], "limit_days": "3"},
        follow=True,
    )
    d = Directive.objects.get()
    assert f"已交办督办事项 {d.number}" in r.content.decode() and d.meeting == m
    part = d.assignments.get(unit__code="town_chengdong")

    town = as_user(staff("town_caseworker", "town_chengdong"))
    assert "三日内发放过渡期生活救助" in town.get("/supervision/").content.decode()
    town.post(
        f"/supervision/assignments/{part.pk}/request_closure/", {"note": "已发放", "version": part.version}
    )
    part.refresh_from_db()
    stale = town.post(
        f"/supervision/assignments/{part.pk}/report/",
        {"note": "再报", "version": part.version - 1},
        follow=True,
    )
    assert "已被他人处理" in stale.content.decode()
    page = c.get(f"/supervision/directives/{d.pk}/").content.decode()
    assert "验收办结" in page
    c.post(f"/supervision/assignments/{part.pk}/accept/", {"version": part.version})
    part.refresh_from_db()
    assert part.state == Assignment.CLOSED


def test_api(client, as_user, convener, staff):
    assert client.get("/api/supervision/meetings").status_code == 401
    c = as_user(convener)
    year = clock.today().year
    r = c.post("/api/supervision/meetings/plan", {"year": year}, content_type="application/json")
    assert r.status_code == 200 and len(r.json()) == 4 and r.json()[0]["agenda"][0]["kind"] == "directives"
    r = c.post(
        "/api/supervision/directives",
        {"title": "统一救助申请表", "units": ["civil_affairs"], "limit_days": 10},
        content_type="application/json",
    )
    assert r.status_code == 201
    part = r.json()["assignments"][0]
    officer = as_user(staff("department_officer", "civil_affairs"))
    r = officer.post(
        f"/api/supervision/assignments/{part['id']}/request_closure",
        {"note": "已统一", "version": part["version"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "closure_requested"
    r = officer.post(f"/api/supervision/assignments/{part['id']}/accept", {}, content_type="application/json")
    assert r.status_code == 403 and r.json()["code"] == "role_not_allowed"
    r = c.post(f"/api/supervision/assignments/{part['id']}/accept", {}, content_type="application/json")
    assert r.json()["state"] == "closed"
    assert c.get("/api/supervision/directives", {"status": "closed"}).json()[0]["status"] == "closed"
    r = c.get(
        "/api/supervision/kpi", {"start": date(year, 1, 1).isoformat(), "end": date(year, 12, 31).isoformat()}
    )
    assert r.json()["directives_closed"] == 1


def test_assigned_deputy_acts_as_convener_and_sees_notices(as_user, staff, convener):
    from jiuzhu.supervision import escalation, services

    admin, deputy = staff("admin"), staff("approver")
    r = as_user(admin).post(
        "/supervision/conference/officers/",
        {"username": deputy.username, "position": "deputy", "title": "民政局局长"},
    )
    assert r.status_code == 302
    page = as_user(deputy).get("/supervision/conference/").content.decode()
    assert "副召集人" in page and "民政局局长" in page and "市纪委" in page  # members and duties listed
    d = services.directive_create(
        actor=deputy, title="核查低保边缘家庭", units=["town_chengxi"], limit_days=2, today=date(2026, 3, 2)
    )
    escalation.tick(today=date(2026, 3, 5))
    home = as_user(convener).get("/supervision/").content.decode()
    assert "督办事项已超期" in home and d.number in home
    refused = as_user(staff("window_clerk")).post(
        "/supervision/conference/officers/", {"username": "x", "position": "convener"}, follow=True
    )
    assert "只有系统管理员可以指定召集人" in refused.content.decode()


def test_complaint_api_to_accountability(as_user, handler, supervisor, staff):
    clerk = as_user(staff("window_clerk"))
    r = clerk.post(
        "/api/supervision/complaints",
        {"kind": "unfair", "unit": "town_chengxi", "staff_name": "钱某", "description": "评议时优亲厚友"},
        content_type="application/json",
    )
    assert r.status_code == 201
    code = r.json()["code"]
    h = as_user(handler)
    mine = h.get("/api/supervision/complaints").json()
    assert [c["code"] for c in mine] == [code] and mine[0]["subject"] == "staff"
    assert (
        h.post(
            f"/api/supervision/complaints/{code}/note",
            {"text": "走访评议代表"},
            content_type="application/json",
        ).json()["state"]
        == "investigating"
    )
    r = h.post(
        f"/api/supervision/complaints/{code}/close",
        {"finding": "confirmed", "findings": "评议中未回避近亲属"},
        content_type="application/json",
    )
    assert r.json()["finding"] == "confirmed"
    r = h.post(
        f"/api/supervision/complaints/{code}/accountability",
        {"kind": "admonition", "decided_by": "市纪委", "decided_on": clock.today().isoformat()},
        content_type="application/json",
    )
    assert r.status_code == 200
    rows = as_user(supervisor).get("/api/supervision/accountability").json()
    assert [(x["staff_name"], x["kind_display"], x["unit"]) for x in rows] == [
        ("钱某", "诫勉谈话", "town_chengxi")
    ]
    assert clerk.get("/api/supervision/accountability").json()["code"] == "role_not_allowed"
