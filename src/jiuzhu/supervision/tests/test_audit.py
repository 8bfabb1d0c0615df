"""The supervisor's audit view finds who read a household and what changed, by ID number,
name, household, unit and date; its Excel export is itself logged."""

import io
from datetime import date

import pytest
from django.db import transaction
from openpyxl import load_workbook

from jiuzhu.common import clock, jobs
from jiuzhu.common.errors import PermissionDenied
from jiuzhu.common.models import AccessLog, Job
from jiuzhu.intake.testing import refer_to
from jiuzhu.registry.services import household_update
from jiuzhu.supervision import audit

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path


@pytest.fixture
def household(make_household, staff):
    clerk = staff("window_clerk")
    h = make_household(
        members=[{"name": "周建华", "birth": date(1958, 8, 8)}],
        actor=clerk,
        address="示范市城东街道幸福路9号",
    )
    return h


def test_audit_finds_a_read_and_the_export_is_logged(household, staff, supervisor, as_user, units):
    reader = staff("department_officer", "housing")
    refer_to(household, "housing")  # the housing officer reads a household referred to his unit
    assert as_user(reader).get(f"/households/{household.code}/").status_code == 200
    head = household.members.get()
    c = as_user(supervisor)
    page = c.get("/supervision/audit/", {"id_number": head.id_number}).content.decode()
    assert reader.username in page and household.code in page
    assert "人员" in page and "新增" in page  # the member's creation in the change history
    # the search named a person: it is logged too
    assert AccessLog.objects.filter(username=supervisor.username, action="search").count() == 1

    by_unit = c.get(
        "/supervision/audit/", {"unit": "housing", "start": clock.today().isoformat()}
    ).content.decode()
    assert reader.username in by_unit
    elsewhere = c.get("/supervision/audit/", {"unit": "education"}).content.decode()
    assert reader.username not in elsewhere
    old = c.get("/supervision/audit/", {"household": household.code, "end": "2000-01-01"}).content.decode()
    assert reader.username not in old

    r = c.post("/supervision/audit/export.xlsx?name=周建华")
    job = Job.objects.get(kind="supervision.audit_export")
    assert r.status_code == 302 and r["Location"] == f"/jobs/{job.pk}/"
    assert jobs.work_off() == 1
    assert "下载文件" in c.get(f"/jobs/{job.pk}/").content.decode()
    r = c.get(f"/jobs/{job.pk}/file")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    rows = [[cell for cell in row] for row in wb["访问日志"].iter_rows(values_only=True)]
    assert any(row[1] == reader.username and row[7] == household.code for row in rows[2:])
    changes = list(wb["变更记录"].iter_rows(values_only=True))
    assert any(row[1] == "家庭" for row in changes[1:])
    export = AccessLog.objects.get(action="export", object_type="audit.export")
    assert export.username == supervisor.username and export.household_code == household.code
    assert "周建华" in export.purpose


def test_change_history_shows_before_and_after_masked_for_role(household, staff, supervisor):
    caseworker = staff("town_caseworker")
    household_update(actor=caseworker, household=household, data={"address": "示范市城东街道和平路1号"})
    result = audit.search(actor=supervisor, criteria=audit.criteria_from({"household": household.code}))
    edits = [r for r in result.changes if r["action"] == "修改" and r["model"] == "家庭"]
    assert edits and edits[0]["username"] == caseworker.username
    assert {"field": "居住地址", "old": "示范市城东街道幸福路9号", "new": "示范市城东街道和平路1号"} in edits[
        0
    ]["changes"]


def test_only_supervisors_and_admin_search(staff, as_user):
    with pytest.raises(PermissionDenied):
        audit.search(actor=staff("convener"), criteria=audit.criteria_from({"name": "x"}))
    assert as_user(staff("window_clerk")).get("/supervision/audit/", {"name": "x"}).status_code == 403
    r = as_user(staff("admin")).get(
        "/api/supervision/audit/search", {"start": "2026-02-01", "end": "2026-01-01"}
    )
    assert r.status_code == 400 and r.json()["code"] == "invalid_range"


def _sheets(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_audit_export_job_gives_the_synchronous_file_to_its_starter_only(
    household, staff, supervisor, as_user, settings
):
    reader = staff("department_officer", "housing")
    refer_to(household, "housing")
    as_user(reader).get(f"/households/{household.code}/")
    household_update(actor=staff("town_caseworker"), household=household, data={"address": '=HYPERLINK("x")'})
    criteria = audit.criteria_from({"household": household.code})
    with transaction.atomic():  # what the old synchronous export handed over, then undone
        expected = _sheets(audit.export_xlsx(actor=supervisor, criteria=criteria))
        transaction.set_rollback(True)

    api = as_user(supervisor)
    r = api.get("/api/supervision/audit/export", {"household": household.code})
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    assert api.get(f"/api/jobs/{job_id}/file").status_code == 404  # not built yet
    assert jobs.work_off() == 1
    detail = api.get(f"/api/jobs/{job_id}").json()
    assert detail["state"] == "done" and detail["result"]["file"]["api"] == f"/api/jobs/{job_id}/file"
    assert (settings.DATA_DIR / "exports" / str(job_id)).is_dir()

    got = api.get(f"/api/jobs/{job_id}/file")
    assert got.status_code == 200
    assert got["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheets = _sheets(got.content)
    assert sheets == expected and len(sheets["访问日志"]) > 2
    cells = [c for rows in sheets.values() for row in rows for c in row if isinstance(c, str)]
    assert not any(c.startswith("=") for c in cells)  # the formula stays text
    assert AccessLog.objects.filter(
        username=supervisor.username, action="read", object_type="job.file", object_id=str(job_id)
    ).exists()

    stranger = as_user(staff("supervisor", "discipline"))
    assert stranger.get(f"/api/jobs/{job_id}/file").status_code == 404
    assert stranger.get(f"/jobs/{job_id}/file").status_code == 404
    assert as_user(staff("admin")).get(f"/jobs/{job_id}/file").status_code == 200


def test_audit_export_refused_to_others_queues_nothing(staff, as_user):
    r = as_user(staff("town_caseworker")).get("/api/supervision/audit/export", {"household": "X"})
    assert r.status_code == 403 and not Job.objects.exists()
    bad = as_user(staff("supervisor", "discipline")).post("/supervision/audit/export.xlsx?start=2020-13-01")
    assert bad.status_code == 400 and not Job.objects.exists()
