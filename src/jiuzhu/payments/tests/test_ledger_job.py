"""The year's ledger (Excel, PDF) as a background job: the ledger page's buttons queue it, the
worker builds the workbook the request used to build (formulas as text), the file is its
starter's (or an administrator's) only."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from jiuzhu.common import jobs
from jiuzhu.common.models import Job
from jiuzhu.common.testing import download_name
from jiuzhu.payments import bankfiles, reports, services
from jiuzhu.payments.models import PaymentRoll
from jiuzhu.registry.models import Unit

MARCH = date(2026, 3, 1)


@pytest.fixture(autouse=True)
def own_data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def paid(grant, actors):
    grant("吴九", "950")
    grant("冯一", "300", service="housing_rent_subsidy", town="town_xishan")
    services.rolls_generate(month=MARCH)
    for roll in PaymentRoll.objects.filter(month=MARCH):
        services.roll_review(actor=actors["payments"], roll=roll)
        services.roll_approve(actor=actors["approver"], roll=roll)
        bankfiles.roll_export(actor=actors["approver"], roll=roll)
        roll.refresh_from_db()
        bankfiles.roll_return_import(
            actor=actors["payments"], roll=roll, data=bankfiles.return_template(roll)
        )
    Unit.objects.filter(code="town_xishan").update(name="=1+2 西山")  # a name that reads as a formula


def _sheets(data: bytes) -> dict:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}


def test_the_ledger_job_gives_the_synchronous_workbook_to_its_starter_only(client, paid, actors, staff):
    expected = _sheets(reports.ledger_xlsx(2026))  # what the request used to hand over
    caseworker = actors["caseworker"]  # reads payments (his town), as before
    client.force_login(caseworker)
    page = client.get("/payments/ledger/?year=2026").content.decode()
    assert 'action="/payments/ledger/export"' in page

    r = client.post("/payments/ledger/export", {"year": "2026", "fmt": "xlsx"})
    job = Job.objects.get(kind="payments.ledger_export")
    assert r.status_code == 302 and r.url == f"/jobs/{job.pk}/"
    assert client.get(f"/jobs/{job.pk}/file").status_code == 404  # not built yet
    assert jobs.work_off() == 1
    detail = client.get(f"/api/jobs/{job.pk}").json()
    assert detail["state"] == "done" and detail["result"]["file"]["name"] == "资金台账-2026.xlsx"
    assert "2026 年度资金台账已导出" in client.get(f"/jobs/{job.pk}/").content.decode()
    got = client.get(f"/jobs/{job.pk}/file")
    assert download_name(got) == "资金台账-2026.xlsx"
    sheets = _sheets(got.content)
    assert sheets == expected
    assert "'=1+2 西山" in [r[0] for r in sheets["按镇街"]]  # a formula stays text

    client.force_login(actors["colleague"])  # same town, did not start it
    assert client.get(f"/jobs/{job.pk}/file").status_code == 404
    assert client.get(f"/api/jobs/{job.pk}/file").status_code == 404
    client.force_login(staff("admin"))
    assert client.get(f"/jobs/{job.pk}/file").status_code == 200


def test_the_pdf_and_who_may_not(client, paid, actors, staff):
    client.force_login(staff("supervisor"))  # reads payments, changes nothing, may have a file built
    r = client.post("/payments/ledger/export", {"year": "2026", "fmt": "pdf"})
    assert r.status_code == 302 and jobs.work_off() == 1
    job = Job.objects.get(kind="payments.ledger_export")
    got = client.get(f"/jobs/{job.pk}/file")
    assert got.content[:5] == b"%PDF-" and got["Content-Type"] == "application/pdf"

    assert client.post("/payments/ledger/export", {"year": "2026", "fmt": "doc"}).status_code == 400
    assert client.post("/payments/ledger/export", {"year": "1900", "fmt": "xlsx"}).status_code == 400
    assert client.get("/payments/ledger/export?year=2026").url == "/payments/ledger/?year=2026"
    client.force_login(staff("window_clerk"))  # does not read payments
    assert client.post("/payments/ledger/export", {"year": "2026", "fmt": "xlsx"}).status_code == 403
    assert Job.objects.filter(kind="payments.ledger_export").count() == 1
