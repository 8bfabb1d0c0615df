"""Background jobs: queued with the write that starts them, run by the django-tasks worker,
their progress and outcome visible on the page and in the API to whoever started them."""

from datetime import date

import pytest
from django.db import transaction

from jiuzhu.common import jobs
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.models import HolidayDay, Job


@jobs.job("test.count", title="数数")
def count(job, *, upto: int, fail_at: int | None = None, crash: bool = False) -> dict:
    jobs.report(job, total=upto, message="开始")
    for i in range(1, upto + 1):
        if i == fail_at:
            raise ValidationFailed(f"第 {i} 行不对", field="file", code="bad_row")
        if crash:
            raise RuntimeError("boom")
        HolidayDay.objects.create(day=date(2001, 1, i), name=f"row {i}")  # any real write
        jobs.report(job, done=i)
    return {"summary": f"数到 {upto}", "url": "/"}


@pytest.fixture
def clerk(staff):
    return staff("window_clerk")


def test_a_job_waits_for_the_worker_then_reports_its_result(client, clerk):
    job = jobs.enqueue("test.count", actor=clerk, upto=3)
    assert job.state == Job.QUEUED and HolidayDay.objects.count() == 0
    client.force_login(clerk)
    page = client.get(f"/jobs/{job.pk}/")
    assert "排队中" in page.content.decode() and 'hx-trigger="every 1s"' in page.content.decode()

    assert jobs.work_off() == 1
    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.message) == (Job.DONE, 3, 3, "数到 3")
    assert HolidayDay.objects.count() == 3
    body = client.get(f"/api/jobs/{job.pk}").json()
    assert body["state"] == "done" and body["percent"] == 100 and body["result"]["summary"] == "数到 3"
    page = client.get(f"/jobs/{job.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert "已完成" in page and "数到 3" in page and "hx-trigger" not in page


def test_a_refused_job_shows_why_and_a_crash_is_logged(client, clerk, caplog):
    refused = jobs.enqueue("test.count", actor=clerk, upto=5, fail_at=2)
    crashed = jobs.enqueue("test.count", actor=clerk, upto=1, crash=True)
    assert jobs.work_off() == 2
    client.force_login(clerk)
    body = client.get(f"/api/jobs/{refused.pk}").json()
    assert body["state"] == "failed" and body["done"] == 1
    error = {k: v for k, v in body["error"].items() if v is not None}  # no differing lines here
    assert error == {"code": "bad_row", "field": "file", "message": "第 2 行不对"}
    body = client.get(f"/api/jobs/{crashed.pk}").json()
    assert body["state"] == "failed" and body["error"]["code"] == "job_crashed"
    assert "boom" not in body["error"]["message"]
    assert any("boom" in (r.exc_text or "") or r.exc_info for r in caplog.records if r.name == "jiuzhu.jobs")
    assert "已记录日志" in client.get(f"/jobs/{crashed.pk}/").content.decode()


def test_a_job_queued_in_a_transaction_that_rolls_back_never_runs(clerk):
    with pytest.raises(RuntimeError), transaction.atomic():
        jobs.enqueue("test.count", actor=clerk, upto=1)
        raise RuntimeError("the write that queued it failed")
    assert Job.objects.count() == 0
    assert jobs.work_off() == 0


def test_only_the_starter_or_an_administrator_sees_a_job(client, clerk, staff):
    job = jobs.enqueue("test.count", actor=clerk, upto=1)
    client.force_login(staff("window_clerk"))
    assert client.get(f"/api/jobs/{job.pk}").json()["code"] == "job_not_found"
    assert client.get(f"/jobs/{job.pk}/").status_code == 404
    client.force_login(staff("admin"))
    assert client.get(f"/api/jobs/{job.pk}").status_code == 200
    client.logout()
    assert client.get(f"/api/jobs/{job.pk}").status_code == 401


def test_an_upload_above_the_cap_is_refused_before_it_is_read(client, clerk, settings):
    settings.JIUZHU_UPLOAD_MAX_MB = 1
    client.force_login(clerk)
    big = b"x" * (1024 * 1024 + 1)
    from django.core.files.uploadedfile import SimpleUploadedFile

    r = client.post(
        "/api/verification/datasets", {"file": SimpleUploadedFile("b.csv", big), "source": "banks"}
    )
    assert r.status_code == 413
    assert (r.json()["code"], r.json()["field"]) == ("upload_too_large", "file")
    r = client.post("/verification/upload/", {"file": SimpleUploadedFile("b.csv", big), "source": "banks"})
    assert r.status_code == 413 and "1 MB" in r.content.decode()
    assert Job.objects.count() == 0
