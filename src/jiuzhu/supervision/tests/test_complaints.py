"""A complaint from the public page through investigation, a confirmed finding against the
unit, an accountability record visible to supervisors, and the result on the tracking page."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.common import clock
from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.intake import services as intake
from jiuzhu.supervision import complaints, selectors
from jiuzhu.supervision.models import AccountabilityRecord, Complaint, Misconduct

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(make_household, staff):
    household = make_household(members=[{"name": "钱小花", "birth": date(1982, 2, 2), "gender": "F"}])
    return intake.application_create(
        actor=staff("window_clerk"), household=household, needs=["living"], today=date(2026, 3, 2)
    )


def test_public_complaint_to_accountability(application, handler, supervisor, as_user, units, staff):
    public = Client(REMOTE_ADDR="10.0.0.7")
    form = public.get("/supervision/complain/")
    assert form.status_code == 200 and "投诉类别" in form.content.decode()
    r = public.post(
        "/supervision/complain/",
        {
            "kind": "refused_acceptance",
            "subject": "case",
            "tracking_code": application.tracking_code,
            "staff_name": "孙窗口",
            "description": "窗口工作人员以材料不全为由拒绝登记我的申请",
            "complainant_name": "钱小花",
            "complainant_phone": "13800001111",
        },
    )
    page = r.content.decode()
    c = Complaint.objects.get()
    assert r.status_code == 200 and c.code[:5] in page and "投诉已受理" in page
    assert c.handling_unit.code == "discipline" and c.unit.code == "town_chengdong"
    assert c.subject == "case" and c.public and c.lodged_by is None
    assert c.due_on > c.lodged_on

    # the handling unit's officer investigates and closes; others may not
    with pytest.raises(PermissionDenied):
        complaints.complaint_note(actor=staff("department_officer", "education"), complaint=c, text="看看")
    with pytest.raises(IllegalTransition):
        complaints.complaint_close(actor=handler, complaint=c, finding="confirmed", findings="属实")
    h = as_user(handler)
    assert "钱小花" in h.get(f"/supervision/complaints/{c.pk}/").content.decode()
    h.post(
        f"/supervision/complaints/{c.pk}/note/", {"text": "调取窗口监控，询问当事人", "version": c.version}
    )
    c.refresh_from_db()
    assert c.state == Complaint.INVESTIGATING
    h.post(
        f"/supervision/complaints/{c.pk}/close/",
        {"finding": "confirmed", "findings": "孙窗口未按一次性告知要求登记申请", "version": c.version},
    )
    c.refresh_from_db()
    assert c.state == Complaint.CLOSED and c.finding == Complaint.CONFIRMED
    mis = Misconduct.objects.get()
    assert mis.unit.code == "town_chengdong" and mis.points == Decimal("3")
    r = h.post(
        f"/supervision/complaints/{c.pk}/accountability/",
        {
            "staff_name": "孙窗口",
            "kind": "warning",
            "decided_by": "市纪委",
            "decided_on": clock.today().isoformat(),
        },
        follow=True,
    )
    assert "问责记录已保存" in r.content.decode()
    rec = AccountabilityRecord.objects.get()
    assert (rec.staff_name, rec.kind, rec.unit.code) == ("孙窗口", "warning", "town_chengdong")

    # supervisors see the record; the complainant sees the finding, not the names
    assert "孙窗口" in as_user(supervisor).get("/supervision/accountability/").content.decode()
    assert as_user(staff("window_clerk")).get("/supervision/accountability/").status_code == 403
    # The discipline commission's officer who handles complaints reads the records too.
    assert "孙窗口" in as_user(handler).get("/supervision/accountability/").content.decode()
    r = public.post("/supervision/complain/track/", {"code": c.code})
    page = r.content.decode()
    assert "反映问题属实" in page and "依规依纪处理" in page and "孙窗口" not in page

    # the figures the performance evaluation reads
    found = selectors.misconduct_for(
        unit=units["town_chengdong"], start=date(2026, 1, 1), end=date(2099, 1, 1)
    )
    assert [(x["kind"], x["points"]) for x in found] == [("refused_acceptance", Decimal("3"))]
    kpi = selectors.kpi_supervision(start=c.lodged_on, end=c.closed_on, unit=units["town_chengdong"])
    assert kpi["complaints_received"] == 1 and kpi["complaints_confirmed"] == 1
    assert kpi["misconduct_points"] == Decimal("3") and kpi["accountability_records"] == 1
    assert selectors.kpi_supervision(start=c.lodged_on, end=c.closed_on, unit="town_chengdong") == kpi
    assert (
        selectors.kpi_supervision(start=c.lodged_on, end=c.closed_on, unit="housing")["complaints_received"]
        == 0
    )


def test_not_confirmed_leaves_no_misconduct(handler):
    c = complaints.complaint_lodge(
        kind="unfair", unit="housing", description="分配公租房不公平", ip="10.0.0.8"
    )
    complaints.complaint_note(actor=handler, complaint=c, text="核查分配记录")
    complaints.complaint_close(actor=handler, complaint=c, finding="not_confirmed", findings="分配按轮候顺序")
    assert not Misconduct.objects.exists()
    with pytest.raises(IllegalTransition):
        complaints.accountability_record(
            actor=handler, complaint=c, kind="criticism", decided_by="市纪委", decided_on=clock.today()
        )
    c.refresh_from_db()
    assert complaints.public_view(c)["reply"] == "经调查，您反映的问题不属实。"


def test_bad_complaints_store_nothing(application):
    for kw, code in [
        ({"kind": "nonsense", "description": "内容足够长了"}, "invalid_kind"),
        ({"kind": "other", "description": "短"}, "required"),
        (
            {"kind": "other", "description": "内容足够长了", "tracking_code": "ZZZZZZZZZZ"},
            "tracking_not_found",
        ),
        ({"kind": "other", "description": "内容足够长了", "subject": "staff", "unit": "housing"}, "required"),
        ({"kind": "other", "description": "内容足够长了"}, "no_subject"),
    ]:
        with pytest.raises(ValidationFailed) as err:
            complaints.complaint_lodge(ip="10.0.0.9", **kw)
        assert err.value.code == code
    assert not Complaint.objects.exists()


def test_public_page_is_throttled(settings, units):
    settings.JIUZHU_COMPLAINT_MAX_PER_HOUR = 2
    settings.JIUZHU_COMPLAINT_LOOKUP_FAILURES = 2
    client = Client(REMOTE_ADDR="10.0.0.10")
    data = {
        "kind": "overdue",
        "subject": "unit",
        "unit": "education",
        "description": "教育救助三个月没有结果",
    }
    assert client.post("/supervision/complain/", data).status_code == 200
    assert client.post("/supervision/complain/", data).status_code == 200
    r = client.post("/supervision/complain/", data)
    assert r.status_code == 429 and "操作过于频繁" in r.content.decode()
    assert Complaint.objects.count() == 2
    other = Client(REMOTE_ADDR="10.0.0.11")
    assert other.post("/supervision/complain/", data).status_code == 200
    for _ in range(2):
        assert client.post("/supervision/complain/track/", {"code": "0000000000"}).status_code == 404
    real = Complaint.objects.first().code
    assert client.post("/supervision/complain/track/", {"code": real}).status_code == 429
    api = Client(REMOTE_ADDR="10.0.0.12")
    r = api.post("/api/supervision/complaints/public", data, content_type="application/json")
    assert r.status_code == 201 and len(r.json()["code"]) == 10
    assert api.get(f"/api/supervision/complaints/track/{r.json()['code']}").json()["state"] == "open"


def test_complaint_on_the_household_chain(application, staff):
    from jiuzhu.registry.chain import assistance_chain

    complaints.complaint_lodge(
        actor=staff("window_clerk"),
        kind="overdue",
        tracking_code=application.tracking_code,
        description="申请已超过期限仍无结果",
    )
    chain = assistance_chain(household=application.household, role="town_caseworker")
    mine = [e for e in chain if e.area == "监督"]
    assert len(mine) == 1 and application.tracking_code in mine[0].title and "市纪委" in mine[0].detail


def test_complainant_masked_for_the_convener(handler, convener, as_user, staff):
    c = complaints.complaint_lodge(
        kind="data_leak",
        unit="town_chengxi",
        description="我的低保信息被人在微信群里转发",
        complainant_name="吴晓梅",
        complainant_phone="13912345678",
        ip="10.0.0.20",
    )
    full = as_user(handler).get(f"/supervision/complaints/{c.pk}/").content.decode()
    assert "吴晓梅" in full and "13912345678" in full
    masked = as_user(convener).get(f"/supervision/complaints/{c.pk}/").content.decode()
    assert "吴晓梅" in masked and "139****5678" in masked and "13912345678" not in masked
    assert (
        as_user(staff("department_officer", "education")).get(f"/supervision/complaints/{c.pk}/").status_code
        == 403
    )
    from jiuzhu.common.models import AccessLog

    assert AccessLog.objects.filter(object_type="supervision.complaint", object_id=c.code).count() == 2


@pytest.mark.parametrize(
    "extra, field, code",
    [
        ({"description": "三个月没有结果\x00"}, "description", "control_characters"),
        ({"description": "没" * 2001}, "description", "too_long"),
        ({"complainant_name": "张\x07三"}, "complainant_name", "control_characters"),
        ({"complainant_name": "张" * 51}, "complainant_name", "too_long"),
        ({"complainant_phone": "abc<script>"}, "complainant_phone", "invalid_phone"),
    ],
)
def test_public_complaint_text_is_checked_and_nothing_written(units, extra, field, code):
    data = {
        "kind": "overdue",
        "subject": "unit",
        "unit": "education",
        "description": "教育救助三个月没有结果",
    }
    r = Client(REMOTE_ADDR="10.0.0.20").post(
        "/api/supervision/complaints/public", {**data, **extra}, content_type="application/json"
    )
    assert r.status_code == 400, r.content
    assert r.json()["field"] == field and r.json()["code"] == code and r.json()["message"]
    assert not Complaint.objects.exists()


def test_public_complaint_page_shows_the_same_reason_and_writes_nothing(units):
    data = {
        "kind": "overdue",
        "subject": "unit",
        "unit": "education",
        "description": "教育救助三个月没有结果\x1b",
    }
    r = Client(REMOTE_ADDR="10.0.0.21").post("/supervision/complain/", data)
    assert r.status_code in (200, 400)
    assert "投诉内容含有不可见的控制字符" in r.content.decode()
    assert not Complaint.objects.exists()
