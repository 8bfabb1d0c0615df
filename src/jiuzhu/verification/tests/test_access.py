"""Confidentiality: detail only to verification officers and the case's handler, a pass/fail
summary to others, IDs masked by role, every view and export logged, bulk export of source
data only by an administrator of that source; and 核对服务: a valid report served again to
another unit for its own service, logged, without new queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from jiuzhu.common import jobs
from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.common.models import AccessLog, Job
from jiuzhu.intake.testing import refer_to
from jiuzhu.verification import selectors, services, testing
from jiuzhu.verification.models import Match, SourceRecord, SourceTask, VerificationRequest

from .conftest import TODAY


@pytest.fixture
def issued(worked, clerk, officer, all_datasets):
    head = worked.members.order_by("id").first()
    all_datasets(
        {
            "banks": [
                {
                    "id_number": head.id_number,
                    "name": "张建国",
                    "institution": "某行",
                    "balance": "100",
                    "balance_date": "2026-02-28",
                }
            ]
        }
    )
    testing.authorise(worked, clerk, on=TODAY)
    req = services.request_create(actor=clerk, household=worked, service_code="dibao", today=TODAY)
    return services.report_issue(actor=officer, request=req)


def test_detail_for_officer_and_handler_summary_for_others(issued, officer, clerk, staff):
    head = issued.household.members.order_by("id").first()
    v = selectors.report_read(user=officer, report_id=issued.pk, purpose="审核")
    assert v.detail and v.content["members"][0]["id_number"] == head.id_number
    v = selectors.report_read(user=clerk, report_id=issued.pk)  # the handler of the case
    assert v.detail and v.content["totals"]["financial"] == "100.00"
    # a supervisor (city-wide, not the handler) gets the pass/fail summary
    other = staff("supervisor")
    v = selectors.report_read(user=other, report_id=issued.pk, purpose="监督检查")
    assert not v.detail and set(v.content) == {
        "household",
        "as_of",
        "service",
        "service_name",
        "eligible",
        "criteria",
    }
    assert all(set(c) == {"rule", "passed"} for c in v.content["criteria"])
    # a department not handling this household's dibao, another town's window: refused
    for outsider in (staff("department_officer", "education"), staff("window_clerk", "town_chengxi")):
        with pytest.raises(PermissionDenied) as exc:
            selectors.report_read(user=outsider, report_id=issued.pk, purpose="随便看看")
        assert exc.value.code == "out_of_scope"
    with pytest.raises(PermissionDenied):
        selectors.report_read(user=staff("data_provider", "banking"), report_id=issued.pk)
    logs = list(AccessLog.objects.filter(object_type="verification_report").order_by("id"))
    assert [(x.username, x.action, x.household_code) for x in logs] == [
        (u.username, "view", issued.household.code) for u in (officer, clerk, other)
    ]
    assert logs[0].purpose == "审核" and logs[1].purpose == "最低生活保障" and logs[2].unit_code == "audit"


def test_ids_masked_for_a_handler_who_may_not_see_them(worked, staff, officer, all_datasets, clerk):
    all_datasets()
    testing.authorise(worked, clerk, on=TODAY)
    dept = staff("department_officer", "education")
    refer_to(worked, "education", service_code="edu_compulsory", today=TODAY)
    req = services.request_create(
        actor=dept, household=worked, service_code="edu_compulsory", channel="department", today=TODAY
    )
    report = services.report_issue(actor=officer, request=req)
    v = selectors.report_read(user=dept, report_id=report.pk)
    member = v.content["members"][0]
    real = worked.members.order_by("id").first().id_number
    assert (
        v.detail
        and member["id_number"] != real
        and member["id_number"].startswith(real[:4])
        and "*" in member["id_number"]
    )
    csv = selectors.report_csv(selectors.report_read(user=dept, report_id=report.pk, action="export"))
    assert real not in csv.decode("utf-8-sig")
    header, first = csv.decode("utf-8-sig").split("\r\n")[:2]
    assert header.startswith("姓名,证件号码,来源") and first.split(",")[1] == member["id_number"]
    assert AccessLog.objects.filter(action="export", object_type="verification_report").count() == 1


def test_source_records_read_and_bulk_export(issued, officer, staff):
    rec = SourceRecord.objects.filter(source="banks", name="张建国").first()
    data = selectors.record_read(user=officer, record_id=rec.pk, purpose="核实余额")
    assert data["amount"] is not None
    log = AccessLog.objects.get(object_type="source_record")
    assert (log.object_id, log.household_code, log.purpose) == (
        str(rec.pk),
        issued.household.code,
        "核实余额",
    )
    with pytest.raises(PermissionDenied):
        selectors.record_read(user=staff("department_officer", "education"), record_id=rec.pk)
    for who in (staff("data_provider", "banking"), staff("admin", "civil_affairs"), officer):
        with pytest.raises(PermissionDenied):
            selectors.source_export(user=who, source_code="banks", on=TODAY)
    bank_admin = staff("admin", "banking")
    out = selectors.source_export(user=bank_admin, source_code="banks", on=TODAY, purpose="年度核对数据校验")
    assert "张建国" in out.decode()
    log = AccessLog.objects.get(action="export", object_type="source_dataset")
    assert (log.username, log.purpose) == (bank_admin.username, "年度核对数据校验")


def test_valid_report_served_again_without_new_queries(issued, staff):
    dept = staff("department_officer", "housing")
    refer_to(issued.household, "housing", service_code="housing_rent_subsidy", today=TODAY)
    with CaptureQueriesContext(connection) as ctx:
        req = services.request_create(
            actor=dept,
            household=issued.household,
            service_code="housing_rent_subsidy",
            channel="department",
            today=TODAY,
        )
    assert req.state == VerificationRequest.SERVED and req.served_from == issued
    assert not any(
        "verification_sourcerecord" in q["sql"] or "verification_datasetversion" in q["sql"]
        for q in ctx.captured_queries
    )
    assert (
        not SourceTask.objects.filter(request=req).exists() and not Match.objects.filter(request=req).exists()
    )
    served = req.report
    assert served.served_from == issued and served.valid_until == issued.valid_until
    assert served.snapshot["totals"] == issued.snapshot["totals"]
    assert served.snapshot["comparison"]["service"] == "housing_rent_subsidy"
    log = AccessLog.objects.get(action="serve")
    assert (log.object_id, log.unit_code, log.household_code) == (
        str(issued.pk),
        "housing",
        issued.household.code,
    )
    # a periodic review always reads the sources again
    again = services.request_create(
        actor=staff("approver"),
        household=issued.household,
        service_code="dibao",
        channel="periodic",
        today=TODAY,
    )
    assert again.state != VerificationRequest.SERVED and again.matches.exists()


def test_verification_outside_the_units_service_or_town_is_refused(worked, staff, clerk, all_datasets):
    """The attacks of issue 13: another town's window, a department asking for a service that
    is not its own with the purpose "随便看看", a department with no referral of the household."""
    all_datasets()
    testing.authorise(worked, clerk, on=TODAY)
    west = staff("window_clerk", "town_chengxi")
    edu = staff("department_officer", "education")
    with pytest.raises(PermissionDenied) as exc:
        services.request_create(actor=west, household=worked, service_code="dibao", today=TODAY)
    assert exc.value.code == "out_of_scope"
    with pytest.raises(PermissionDenied) as exc:
        services.request_create(actor=edu, household=worked, service_code="edu_compulsory", today=TODAY)
    assert exc.value.code == "out_of_scope"
    refer_to(worked, "education", service_code="edu_compulsory", today=TODAY)
    with pytest.raises(PermissionDenied) as exc:
        services.request_create(
            actor=edu, household=worked, service_code="dibao", purpose="随便看看", today=TODAY
        )
    assert (exc.value.code, exc.value.field) == ("out_of_scope", "service")
    with pytest.raises(ValidationFailed) as exc:
        services.request_create(
            actor=edu, household=worked, service_code="edu_compulsory", purpose="随便看看", today=TODAY
        )
    assert exc.value.code == "purpose_not_service"
    assert not VerificationRequest.objects.exists() and not SourceTask.objects.exists()
    req = services.request_create(actor=edu, household=worked, service_code="edu_compulsory", today=TODAY)
    assert req.purpose == "义务教育阶段家庭经济困难学生生活补助"


def test_authorisation_is_for_its_unit_and_service_and_expires(worked, staff, clerk, all_datasets):
    """授权书: given to the window that took it (and the units its application is referred to)
    for one service or its application's services, for ``verification.authorisation_months``
    (demo 12); a request outside it or after it is refused with its own code and nothing asked."""
    from datetime import date

    from jiuzhu.intake import services as intake
    from jiuzhu.intake.models import Authorisation

    all_datasets()
    # signed today at the window, for dibao only
    app = intake.application_create(actor=clerk, household=worked, needs=["living"], today=TODAY)
    for p in intake.adults(worked, TODAY):
        intake.authorisation_record(
            actor=clerk, application=app, person=p, signed_on=TODAY, service_code="dibao", today=TODAY
        )
    assert {(a.unit_id, a.valid_until) for a in Authorisation.objects.all()} == {
        (clerk.unit_id, date(2027, 3, 9))
    }
    with pytest.raises(ValidationFailed) as exc:
        services.request_create(
            actor=clerk, household=worked, service_code="low_income_marginal", today=TODAY
        )
    assert (exc.value.code, exc.value.field) == ("authorisation_out_of_scope", "authorisations")

    # education is handling the household through another application, which carries no
    # authorisation: the one given to the window for dibao does not cover it
    edu = staff("department_officer", "education")
    other = intake.application_create(actor=clerk, household=worked, needs=["education"], today=TODAY)
    assert other.pk != app.pk
    intake.refer(actor=clerk, application=other, service_codes=["edu_compulsory"], today=TODAY)
    with pytest.raises(ValidationFailed) as exc:
        services.request_create(actor=edu, household=worked, service_code="edu_compulsory", today=TODAY)
    assert exc.value.code == "authorisation_out_of_scope"
    assert not VerificationRequest.objects.exists() and not SourceTask.objects.exists()

    req = services.request_create(actor=clerk, household=worked, service_code="dibao", today=TODAY)
    assert req.service_code == "dibao" and len(req.authorised) == len(intake.adults(worked, TODAY))

    # a year later the same authorisation has expired (in force until the day before)
    with pytest.raises(ValidationFailed) as exc:
        services.request_create(
            actor=clerk, household=worked, service_code="dibao", fresh=True, today=date(2027, 3, 10)
        )
    assert exc.value.code == "authorisation_expired" and "已过有效期" in exc.value.message
    assert VerificationRequest.objects.count() == 1


def test_detail_is_the_scope_tables_read_detail_row(issued, clerk, staff):
    """``verification.read_detail``: at the requesting town only the handler himself sees the
    figures; a colleague at the same window and the approver (city-wide readers of reports,
    not of their detail) get the summary."""
    from jiuzhu.common import scope

    colleague = staff("window_clerk", clerk.unit.code)
    v = selectors.report_read(user=colleague, report_id=issued.pk)
    assert not v.detail and "members" not in v.content
    assert not selectors.report_read(user=staff("approver"), report_id=issued.pk).detail
    assert selectors.report_read(user=clerk, report_id=issued.pk).detail
    assert scope.SCOPE[("approver", "verification.read_detail")] == scope.NONE


def test_a_request_is_opened_by_the_centre_and_its_own_handler_only(issued, clerk, officer, staff):
    """``verification.review`` (the centre) or the person who asked: a colleague at the same
    window is told there is no such request, page and API alike."""
    from django.test import Client

    def get(user, url):
        c = Client()
        c.force_login(user)
        return c.get(url)

    req = issued.request
    api = f"/api/verification/requests/{req.pk}"
    colleague = staff("window_clerk", clerk.unit.code)
    assert get(colleague, api).status_code == 404
    assert get(colleague, f"/verification/r/{req.pk}/").status_code == 404
    assert get(clerk, api).status_code == 200 and get(officer, api).status_code == 200
    assert req.pk not in [r.pk for r in selectors.requests_list(user=colleague)]
    assert req.pk in [r.pk for r in selectors.requests_list(user=officer)]


def test_source_export_job_gives_the_same_csv_to_the_source_admin_only(
    issued, staff, client, settings, tmp_path
):
    settings.DATA_DIR = tmp_path
    bank_admin = staff("admin", "banking")
    expected = selectors.source_export(user=bank_admin, source_code="banks", on=TODAY, purpose="对照")
    for who in (staff("admin", "civil_affairs"), staff("data_provider", "banking")):
        client.force_login(who)
        r = client.get("/api/verification/sources/banks/export.csv", {"purpose": "看看", "on": TODAY})
        assert r.status_code == 403
    assert not Job.objects.exists()

    client.force_login(bank_admin)
    r = client.get("/api/verification/sources/banks/export.csv", {"purpose": "年度核对", "on": TODAY})
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    assert jobs.work_off() == 1
    got = client.get(f"/api/jobs/{job_id}/file")
    assert got.status_code == 200 and got["Content-Type"] == "text/csv; charset=utf-8"
    assert got.content.decode().splitlines() == expected.decode().splitlines()
    assert "张建国" in got.content.decode()
    assert AccessLog.objects.filter(
        action="export", purpose="年度核对", username=bank_admin.username
    ).exists()
    assert AccessLog.objects.filter(action="read", object_type="job.file", object_id=str(job_id)).exists()

    client.force_login(staff("admin", "civil_affairs"))  # an administrator, not of this source
    assert client.get(f"/api/jobs/{job_id}/file").status_code == 404
