"""Window screens, inbox, receipt and the public pages through the test client."""

import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from jiuzhu.decisions.testing import grant_signed
from jiuzhu.intake import handling, services
from jiuzhu.intake.models import Application, Referral
from jiuzhu.intake.testing import PNG_BYTES, two_services


@pytest.fixture
def as_user():
    def make(user):
        c = Client()
        c.force_login(user)
        c.user = user
        return c

    return make


def test_window_flow_by_forms(as_user, clerk, household, policy, officer, staff):
    c = as_user(clerk)
    page = c.get("/intake/", {"q": household.code})
    assert page.status_code == 200 and f"/intake/new/{household.code}/" in page.content.decode()
    head = household.members.get(relation="head")
    r = c.post(
        f"/intake/new/{household.code}/",
        {
            "applicant": head.pk,
            "needs": ["education", "medical"],
            "description": "学费困难",
            "requester_kind": "self",
        },
    )
    app = Application.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/intake/a/{app.tracking_code}/"
    page = c.get(r["Location"]).content.decode()
    assert "救助事项预审建议" in page and "打印受理回执" in page
    up = c.post(
        f"/intake/a/{app.tracking_code}/documents/",
        {"file": SimpleUploadedFile("证明.png", PNG_BYTES), "kind": "income"},
    )
    assert up.status_code == 302 and app.documents.count() == 1
    a, b = two_services(policy)
    c.post(
        f"/intake/a/{app.tracking_code}/authorisations/",
        {"person": head.pk, "signed_on": "2026-01-02", "service_code": [a.code, b.code]},
    )
    assert sorted(app.household.authorisations.values_list("service_code", flat=True)) == sorted(
        [a.code, b.code]
    )
    r = c.post(f"/intake/a/{app.tracking_code}/refer/", {"services": [a.code, b.code]}, follow=True)
    assert "已分办" in r.content.decode()
    receipt = c.get(f"/intake/a/{app.tracking_code}/receipt/").content.decode()
    assert (
        "受理回执" in receipt
        and app.tracking_code[:5] in receipt
        and a.name in receipt
        and "@media print" in receipt
    )

    ref = Referral.objects.get(service_code=a.code)
    off = as_user(officer(a.unit_code))
    inbox = off.get("/intake/inbox/").content.decode()
    assert app.tracking_code in inbox
    page = off.get(f"/intake/r/{ref.pk}/").content.decode()
    assert "签收并开始办理" in page and "要求补正" in page
    r = off.post(f"/intake/r/{ref.pk}/accept/", {"version": ref.version}, follow=True)
    assert "已签收" in r.content.decode()
    # a stale form is refused with the message, not applied twice
    r = off.post(f"/intake/r/{ref.pk}/accept/", {"version": ref.version}, follow=True)
    assert "已被他人处理" in r.content.decode()
    r = off.post(
        f"/intake/r/{ref.pk}/refuse/",
        {"reasons": "收入超标", "basis": "", "alternatives": "临时救助"},
        follow=True,
    )
    assert "政策依据" in r.content.decode()
    ref.refresh_from_db()
    assert ref.state == Referral.IN_PROGRESS
    r = off.post(
        f"/intake/r/{ref.pk}/grant/",
        {"amount": "600", "period": "month", "start_month": "2026-11"},
        follow=True,
    )
    assert "须写明理由" in r.content.decode()  # the rules do not find the household eligible
    r = off.post(
        f"/intake/r/{ref.pk}/grant/",
        {"amount": "600", "period": "month", "start_month": "2026-11", "note": "按实际需要核定"},
        follow=True,
    )
    assert "签批后方可发放" in r.content.decode()
    ref.refresh_from_db()
    assert ref.state == Referral.IN_PROGRESS and not ref.entitlements.exists()
    held = ref.grant_requests.get()
    signer = as_user(staff("approver", "civil_affairs"))
    assert "签批同意发放" in signer.get(f"/decisions/grants/{held.pk}/").content.decode()
    r = signer.post(f"/decisions/grants/{held.pk}/sign/", {"note": "同意"}, follow=True)
    assert "已签批" in r.content.decode()
    ref.refresh_from_db()
    assert ref.state == Referral.GRANTED and ref.start_month == date(2026, 11, 1)
    assert ref.entitlements.get().signed_by == signer.user


def test_other_roles_are_kept_out(as_user, staff, application):
    assert as_user(staff("department_officer", "education")).get("/intake/").status_code == 403
    page = as_user(staff("department_officer", "education")).get(f"/intake/a/{application.tracking_code}/")
    assert page.status_code == 403
    assert Client().get("/intake/").status_code == 302  # to log-in


def test_track_page_shows_progress_without_personal_data(application, clerk, policy, officer):
    a, _ = two_services(policy)
    r = services.refer(actor=clerk, application=application, service_codes=[a.code])[0]
    handling.referral_request_supplement(actor=officer(a.unit_code), referral=r, missing="学籍证明")
    page = Client().post(
        "/intake/track/", {"code": application.tracking_code.lower(), "id_tail": application.id_tail}
    )
    body = page.content.decode()
    assert page.status_code == 200 and a.name in body and "学籍证明" in body
    hh = application.household
    for secret in [
        hh.code,
        hh.address,
        *[p.name for p in hh.members.all()],
        *[p.id_number for p in hh.members.all()],
    ]:
        assert secret not in body
    assert "丈夫失业" not in body  # the description is not shown either


def test_track_page_throttles_with_429(application, settings):
    settings.JIUZHU_TRACK_MAX_FAILURES = 10
    c = Client(REMOTE_ADDR="10.9.8.7")
    for i in range(10):
        r = c.post("/intake/track/", {"code": "ABCDEFGHJK", "id_tail": f"{i:04d}"})
        assert r.status_code == 404
    r = c.post("/intake/track/", {"code": application.tracking_code, "id_tail": application.id_tail})
    assert r.status_code == 429 and r["Retry-After"] == "600" and "请稍后再试" in r.content.decode()
    # another address is not blocked
    ok = Client(REMOTE_ADDR="10.9.8.8").post(
        "/intake/track/", {"code": application.tracking_code, "id_tail": application.id_tail}
    )
    assert ok.status_code == 200


def test_published_results_page_and_excel(application, clerk, policy, officer, staff):
    a, b = two_services(policy)
    ra, rb = services.refer(
        actor=clerk, application=application, service_codes=[a.code, b.code], today=date(2026, 10, 9)
    )
    to = next(
        u for u in ("civil_affairs", "housing", "education", "hrss") if u not in (a.unit_code, b.unit_code)
    )
    handling.referral_transfer(
        actor=officer(a.unit_code), referral=ra, to_unit=to, reason="职责", today=date(2026, 10, 12)
    )
    who = officer(b.unit_code)
    handling.referral_accept(actor=who, referral=rb)
    grant_signed(
        actor=who,
        approver=staff("approver", "civil_affairs"),
        referral=rb,
        amount="300",
        start_month=date(2026, 11, 1),
        today=date(2026, 10, 13),
    )
    page = Client().get("/intake/results/?month=2026-10")
    body = page.content.decode()
    assert page.status_code == 200 and "办理结果公开" in body
    x = Client().get("/intake/results.xlsx?month=2026-10")
    assert x.status_code == 200 and x["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(x.content)).active
    rows = {row[0]: row for row in ws.iter_rows(min_row=3, values_only=True) if row and row[0]}
    head = [c.value for c in ws[2]]
    assert head[0] == "单位" and ra.unit.code not in rows  # units by name, never by code
    col = {name: head.index(name) for name in ("收到", "办结", "按时办结", "给予救助", "转办")}
    unit_a = rows[ra.unit.name]
    assert unit_a[col["收到"]] == 1 and unit_a[col["转办"]] == 1 and unit_a[col["按时办结"]] == 1
    unit_b = rows[rb.unit.name]
    assert unit_b[col["给予救助"]] == 1 and unit_b[col["办结"]] == 1
    from jiuzhu.registry.models import Unit

    assert rows[Unit.objects.get(code=to).name][col["收到"]] == 1  # transferred in


def test_document_file_only_within_document_scope(as_user, clerk, household, staff, settings, tmp_path):
    """document.read / document.write (scope table): another town's staff cannot open an
    application's document file (page or API) nor attach one; the own window can, and the
    read is in the access log."""
    from jiuzhu.common.errors import PermissionDenied
    from jiuzhu.common.models import AccessLog

    settings.DATA_DIR = tmp_path
    app = services.application_create(
        actor=clerk, household=household, needs=["living"], today=date(2026, 1, 5)
    )
    doc = services.document_add(actor=clerk, application=app, file=io.BytesIO(PNG_BYTES), name="证明.png")
    for outsider in (staff("window_clerk", "town_chengxi"), staff("town_caseworker", "town_chengxi")):
        c = as_user(outsider)
        assert PNG_BYTES not in c.get(f"/intake/documents/{doc.pk}/").content
        r = c.get(f"/api/intake/documents/{doc.pk}")
        assert r.status_code == 403 and PNG_BYTES not in r.content
        with pytest.raises(PermissionDenied):
            services.document_add(actor=outsider, application=app, file=io.BytesIO(PNG_BYTES), name="x.png")
    assert not AccessLog.objects.filter(object_type="intake.document").exists()
    assert app.documents.count() == 1

    own = as_user(clerk).get(f"/intake/documents/{doc.pk}/")
    assert own.status_code == 200 and b"".join(own.streaming_content) == PNG_BYTES
    log = AccessLog.objects.get(object_type="intake.document")
    assert (log.username, log.object_id, log.household_code) == (clerk.username, str(doc.pk), household.code)
