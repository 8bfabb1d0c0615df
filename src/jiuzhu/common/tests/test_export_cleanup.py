"""Old export files are deleted: a job's file is kept ``JIUZHU_EXPORT_KEEP_DAYS`` after the job
finished (by the platform's clock), then the worker (after each job, at its start) or
``jiuzhu exports_clean`` deletes it and marks it expired; the job page says so and the download
answers 410 in the platform's error shape."""

from io import StringIO

import pytest
from django.core.management import call_command

from jiuzhu.common import exports, jobs
from jiuzhu.common.models import Job, TrainingClock


@jobs.job("test.export", title="导出测试")
def export(job, *, text: str) -> dict:
    data = ",".join(exports.safe_row(["姓名", text])).encode()
    return jobs.keep_file(job, name="out.csv", data=data, summary="已导出")


@pytest.fixture(autouse=True)
def site(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.TRAINING_SITE = True  # the clock can be moved
    settings.JIUZHU_EXPORT_KEEP_DAYS = 7


def _move_clock(days: int) -> None:
    TrainingClock.objects.update_or_create(pk=1, defaults={"days": days})


def _folder(settings, job):
    return settings.DATA_DIR / "exports" / str(job.pk)


def test_a_file_is_kept_its_days_then_deleted_and_the_download_says_gone(client, staff, settings):
    clerk = staff("window_clerk")
    job = jobs.enqueue("test.export", actor=clerk, text="=1+1")
    assert jobs.work_off() == 1
    client.force_login(clerk)
    assert client.get(f"/api/jobs/{job.pk}/file").content.decode() == "姓名,'=1+1"

    _move_clock(6)  # within the keeping time: the command leaves it
    out = StringIO()
    call_command("exports_clean", stdout=out)
    assert "已删除 0 个" in out.getvalue() and _folder(settings, job).is_dir()
    assert client.get(f"/jobs/{job.pk}/file").status_code == 200

    _move_clock(8)
    call_command("exports_clean", stdout=out)
    assert "已删除 1 个超过保留期限（7 天）的导出文件" in out.getvalue()
    assert not _folder(settings, job).exists()
    r = client.get(f"/api/jobs/{job.pk}/file")
    body = r.json()
    assert r.status_code == 410 and body["code"] == "job_file_expired" and "7 天" in body["message"]
    assert {"code", "field", "message", "request_id"} <= set(body)
    assert client.get(f"/api/jobs/{job.pk}").json()["result"]["file"]["expired"] is True
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "已超过保留期限（7 天），已删除" in page and f"/jobs/{job.pk}/file" not in page
    gone = client.get(f"/jobs/{job.pk}/file")
    assert gone.status_code == 410 and "已超过保留期限" in gone.content.decode()
    # a stranger still learns nothing
    client.force_login(staff("window_clerk"))
    assert client.get(f"/api/jobs/{job.pk}/file").status_code == 404
    assert jobs.clean_exports() == []  # once


def test_the_worker_cleans_after_each_job(staff, settings):
    clerk = staff("window_clerk")
    old = jobs.enqueue("test.export", actor=clerk, text="旧")
    assert jobs.work_off() == 1
    _move_clock(10)
    new = jobs.enqueue("test.export", actor=clerk, text="新")
    assert jobs.work_off() == 1  # the next job's run deletes the old file, keeps its own
    assert not _folder(settings, old).exists() and _folder(settings, new).is_dir()
    old.refresh_from_db()
    assert old.result["file"]["expired"] and old.state == Job.DONE
    new.refresh_from_db()
    assert "expired" not in new.result["file"]
