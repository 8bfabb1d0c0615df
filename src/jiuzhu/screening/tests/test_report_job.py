"""The screening report (Excel) as a background job: the page's button queues it, the worker
builds the same workbook the request used to build (masked for the starter's role, formulas as
text, the export logged), the file is the starter's (or an administrator's), nobody else's."""

import io
from datetime import date

import pytest
from django.db import transaction
from openpyxl import load_workbook

from jiuzhu.common import clock, jobs
from jiuzhu.common.models import AccessLog, Job
from jiuzhu.common.roles import role_of
from jiuzhu.common.testing import download_name
from jiuzhu.registry.models import Person
from jiuzhu.screening import documents, selectors


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def raised(make_household, grant, screen):
    a = make_household(members=[{"name": "钱双领", "birth": date(1950, 1, 9)}])
    grant(a, "dibao", "1140")
    grant(a, "tekun_dispersed", "1335", start=date(2026, 3, 1))
    Person.objects.filter(household=a).update(name='=HYPERLINK("http://x","钱")')
    screen()
    return a


def _sheets(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_the_report_job_gives_the_synchronous_workbook_to_its_starter_only(client, staff, raised):
    officer = staff("department_officer", "civil_affairs")  # sees IDs masked
    with transaction.atomic():  # what the old synchronous export handed over, then undone
        qs = selectors.alerts_for(officer, status="")
        expected = _sheets(documents.alerts_workbook(qs, role_of(officer)))
        transaction.set_rollback(True)
    assert len(expected["预警清单"]) == 2

    client.force_login(officer)
    r = client.post("/screening/report.xlsx", {"kind": "", "status": "", "unit": ""})
    job = Job.objects.get(kind="screening.report")
    assert r.status_code == 302 and r.url == f"/jobs/{job.pk}/"
    assert not AccessLog.objects.filter(object_type="screening.report").exists()  # not built yet
    assert client.get(f"/jobs/{job.pk}/file").status_code == 404
    assert jobs.work_off() == 1

    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "筛查预警报表已生成（1 条）" in page and f"/jobs/{job.pk}/file" in page
    got = client.get(f"/jobs/{job.pk}/file")
    assert got["Content-Type"].startswith("application/vnd.openxmlformats")
    assert download_name(got) == f"筛查预警报表-{clock.today()}.xlsx"
    sheets = _sheets(got.content)
    assert sheets == expected
    row = sheets["预警清单"][1]
    assert row[6] == '\'=HYPERLINK("http://x","钱")'  # a formula stays text
    full_id = Person.objects.get(household=raised).id_number
    assert full_id not in str(row) and full_id[:3] in str(row)  # masked as on the screen
    assert AccessLog.objects.filter(object_type="screening.report", username=officer.username).count() == 1
    assert AccessLog.objects.filter(object_type="job.file", username=officer.username).exists()

    stranger = staff("department_officer", "civil_affairs")  # same unit, did not start it
    client.force_login(stranger)
    assert client.get(f"/jobs/{job.pk}/file").status_code == 404
    assert client.get(f"/api/jobs/{job.pk}/file").status_code == 404
    client.force_login(staff("admin"))
    assert client.get(f"/api/jobs/{job.pk}/file").status_code == 200


def test_the_report_is_refused_to_who_may_not_read_alerts(client, staff):
    client.force_login(staff("data_provider"))
    assert client.post("/screening/report.xlsx", {"status": ""}).status_code == 403
    client.force_login(staff("approver"))
    assert client.post("/screening/report.xlsx", {"kind": "nonsense"}).status_code == 400
    assert client.get("/screening/report.xlsx?status=open").url == "/screening/?status=open"
    assert not Job.objects.exists()
