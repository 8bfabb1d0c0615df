"""The screening report and a screening run through the API: the same jobs as the page's
buttons (202), refused in the request with nothing queued."""

from django.db import transaction

from jiuzhu.common import jobs
from jiuzhu.common.models import Job
from jiuzhu.common.roles import role_of
from jiuzhu.registry.models import Person
from jiuzhu.screening import documents, selectors
from jiuzhu.screening.models import ScreeningRun

from .test_report_job import _sheets, own_data_dir, raised  # noqa: F401  (fixtures)

JSON = "application/json"


def test_the_report_through_the_api_is_the_callers_masked_workbook(client, staff, raised):  # noqa: F811
    officer = staff("department_officer", "civil_affairs")
    with transaction.atomic():
        expected = _sheets(
            documents.alerts_workbook(selectors.alerts_for(officer, status=""), role_of(officer))
        )
        transaction.set_rollback(True)
    client.force_login(officer)
    r = client.post("/api/screening/report", {}, content_type=JSON)
    assert r.status_code == 202
    job = Job.objects.get(kind="screening.report")
    assert r.json()["url"] == f"/api/jobs/{job.pk}"
    assert jobs.work_off() == 1
    sheets = _sheets(client.get(f"/api/jobs/{job.pk}/file").content)
    assert sheets == expected
    full_id = Person.objects.get(household=raised).id_number
    assert full_id not in str(sheets["预警清单"][1])

    client.force_login(staff("supervisor"))
    assert client.post("/api/screening/report", {"status": "open"}, content_type=JSON).status_code == 202


def test_report_refusals_queue_nothing(client, staff):
    client.force_login(staff("data_provider"))
    assert client.post("/api/screening/report", {}, content_type=JSON).status_code == 403
    client.force_login(staff("approver"))
    r = client.post("/api/screening/report", {"kind": "nonsense"}, content_type=JSON)
    assert r.status_code == 400 and r.json()["field"] == "kind"
    assert client.post("/api/screening/report", {"unit": "u" * 41}, content_type=JSON).status_code == 422
    assert not Job.objects.exists()


def test_a_run_through_the_api_is_one_job_at_a_time(client, staff, policy):
    client.force_login(staff("department_officer", "civil_affairs"))
    assert client.post("/api/screening/run", content_type=JSON).status_code == 403
    client.force_login(staff("supervisor"))
    assert client.post("/api/screening/run", content_type=JSON).status_code == 403
    assert not Job.objects.exists()

    client.force_login(staff("approver", "civil_affairs"))
    first = client.post("/api/screening/run", content_type=JSON)
    again = client.post("/api/screening/run", content_type=JSON)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json() and Job.objects.count() == 1
    assert not ScreeningRun.objects.exists()
    assert jobs.work_off() == 1
    assert client.get(first.json()["url"]).json()["state"] == "done"
    assert ScreeningRun.objects.count() == 1
