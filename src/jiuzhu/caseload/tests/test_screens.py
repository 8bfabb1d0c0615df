"""The screens and the API of the import and of change requests, as a person uses them."""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.caseload.models import ChangeRequest, ImportBatch
from jiuzhu.caseload.testing import household_rows, workbook
from jiuzhu.registry.models import Household


def _login(client, user):
    client.force_login(user)
    return client


def test_the_template_downloads_and_imports_cleanly(client, staff):
    _login(client, staff("approver"))
    resp = client.get("/caseload/template.xlsx")
    assert resp.status_code == 200 and resp["Content-Type"].startswith("application/vnd.openxmlformats")
    up = SimpleUploadedFile("template.xlsx", resp.content)
    resp = client.post("/caseload/imports/upload/", {"file": up})
    batch = ImportBatch.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/caseload/imports/{batch.pk}/"
    assert batch.error_count == 0, batch.errors  # the filled example is valid
    page = client.get(resp["Location"]).content.decode()
    assert "没有错误" in page and "新增 1 户" in page


def test_an_upload_with_errors_shows_the_report_and_cannot_be_approved(client, staff):
    rows = household_rows("BAD-1", [{"name": "陈一", "id_number": "110101199001011234", "relation": "户主"}])
    _login(client, staff("approver"))
    client.post("/caseload/imports/upload/", {"file": SimpleUploadedFile("b.xlsx", workbook(rows))})
    batch = ImportBatch.objects.get()
    _login(client, staff("approver"))
    page = client.get(f"/caseload/imports/{batch.pk}/").content.decode()
    assert "成员" in page and "第 2 行" in page and "身份证号码校验位错误" in page
    resp = client.post(f"/caseload/imports/{batch.pk}/approve/", {"note": ""})
    assert resp.status_code == 302
    batch.refresh_from_db()
    assert batch.state == ImportBatch.State.VALIDATED and not Household.objects.filter(code="BAD-1").exists()


def test_api_change_request_round_trip(client, staff, make_household):
    hh = make_household(members=[{"name": "林一", "birth": date(1950, 1, 1), "relation": "head"}])
    head = hh.members.get()
    _login(client, staff("window_clerk"))
    resp = client.post(
        "/api/caseload/changes",
        {
            "household": hh.code,
            "kind": "death",
            "person": head.id_number,
            "payload": {"died_on": "2026-13-01"},
        },
        content_type="application/json",
    )
    assert resp.status_code == 400 and resp.json()["field"] == "died_on"
    resp = client.post(
        "/api/caseload/changes",
        {
            "household": hh.code,
            "kind": "death",
            "person": head.id_number,
            "payload": {"died_on": "2025-11-01"},
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    cid = resp.json()["id"]
    assert (
        client.post(f"/api/caseload/changes/{cid}/approve", {}, content_type="application/json").status_code
        == 403
    )
    _login(client, staff("town_caseworker"))
    assert client.get(f"/caseload/changes/{cid}/").status_code == 200
    resp = client.post(
        f"/api/caseload/changes/{cid}/approve", {"note": "已核实死亡证明"}, content_type="application/json"
    )
    assert resp.status_code == 200 and resp.json()["state"] == ChangeRequest.State.APPLIED
    head.refresh_from_db()
    assert head.deceased_on == date(2025, 11, 1)
    other = make_household(
        members=[{"name": "林二", "birth": date(1960, 1, 1), "relation": "head"}], town="town_chengxi"
    )
    resp = client.post(
        "/api/caseload/changes",
        {"household": other.code, "kind": "address", "payload": {"address": "城西路1号"}},
        content_type="application/json",
    )
    assert resp.status_code == 403 and resp.json()["code"] == "out_of_scope"


def test_the_household_page_offers_a_change_request(client, staff, make_household):
    hh = make_household()
    _login(client, staff("window_clerk"))
    page = client.get(f"/households/{hh.code}/").content.decode()
    assert f"/caseload/households/{hh.code}/changes/new/" in page
    resp = client.post(
        f"/caseload/households/{hh.code}/changes/new/",
        {"kind": "address", "address": "示范市城东街道新华路2号", "reason": "搬家"},
    )
    c = ChangeRequest.objects.get()
    assert resp["Location"] == f"/caseload/changes/{c.pk}/"
    hh.refresh_from_db()
    assert hh.address != "示范市城东街道新华路2号"


def test_direct_edits_of_a_recipient_household_become_change_requests(client, staff, make_household, policy):
    from jiuzhu.decisions.entitlements import entitlement_grant

    hh = make_household()
    head = hh.members.get()
    entitlement_grant(
        household=hh,
        payee=head,
        service_code="dibao",
        amount="500",
        start_month=date(2026, 1, 1),
        actor=staff("approver"),
        policy=policy,
    )
    _login(client, staff("window_clerk"))
    resp = client.get(f"/households/{hh.code}/edit/")
    assert resp.status_code == 302 and resp["Location"] == f"/caseload/households/{hh.code}/changes/new/"
    resp = client.post(
        f"/api/registry/persons/{head.id_number}/incomes",
        {
            "kind": "wages",
            "monthly_amount": "900.00",
            "period_start": "2026-01-01",
            "period_end": "2026-03-31",
        },
        content_type="application/json",
    )
    assert resp.status_code == 409 and resp.json()["code"] == "change_request_required"
    assert not head.incomes.exists()
