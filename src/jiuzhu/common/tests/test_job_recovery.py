"""A job whose worker was killed (kill -9) while it ran is found at the next worker start (or by
``jiuzhu jobs_recover``), marked failed with a message a person understands, and can be queued
again by its starter, once."""

import os
import signal
import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jiuzhu.common import jobs
from jiuzhu.common.models import HolidayDay, Job

from .test_jobs import count  # noqa: F401  (registers the "test.count" kind)


@pytest.fixture
def clerk(staff):
    return staff("window_clerk")


def _left_running(job: Job, *, worker: str, last_seen=None) -> Job:
    """What the worker does when it takes a job (claim the task, mark the job running), and no
    more: as if it was killed right after."""
    task = DBTaskResult.objects.get(id=job.task_id)
    task.claim(worker)
    started = last_seen or timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=Job.RUNNING, worker=worker, started_at=started, heartbeat_at=started
    )
    job.refresh_from_db()
    return job


def _killed_worker() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


def test_a_job_of_a_killed_worker_is_marked_failed_and_can_be_queued_again(client, clerk):
    job = _left_running(jobs.enqueue("test.count", actor=clerk, upto=2), worker=_killed_worker())
    client.force_login(clerk)
    assert "进行中" in client.get(f"/jobs/{job.pk}/").content.decode()

    call_command("jobs_recover", stdout=open(os.devnull, "w"))
    job.refresh_from_db()
    assert job.state == Job.FAILED and job.error["code"] == "job_abandoned"
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "后台进程已中断" in page and "重新排队" in page
    assert client.get(f"/api/jobs/{job.pk}").json()["retryable"] is True

    r = client.post(f"/jobs/{job.pk}/retry/")
    again = Job.objects.get(retry_of=job)
    assert r["Location"] == f"/jobs/{again.pk}/" and again.params == job.params
    r = client.post(f"/api/jobs/{job.pk}/retry", content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "job_already_retried"
    assert jobs.work_off() == 1  # the old task is not run again; the new one is
    again.refresh_from_db()
    assert again.state == Job.DONE and HolidayDay.objects.count() == 2


def test_a_job_silent_beyond_the_timeout_is_failed_a_live_one_is_left(clerk, settings):
    settings.JIUZHU_JOB_STALE_MINUTES = 30
    me = jobs.this_worker()  # this process: alive
    silent = _left_running(
        jobs.enqueue("test.count", actor=clerk, upto=1),
        worker="another-host:4242",
        last_seen=timezone.now() - timedelta(minutes=31),
    )
    busy = _left_running(jobs.enqueue("test.count", actor=clerk, upto=1), worker="another-host:4243")
    alive = _left_running(jobs.enqueue("test.count", actor=clerk, upto=1), worker=me)
    assert [j.pk for j in jobs.recover_stale()] == [silent.pk]
    states = dict(Job.objects.values_list("pk", "state"))
    assert (states[silent.pk], states[busy.pk], states[alive.pk]) == (Job.FAILED, Job.RUNNING, Job.RUNNING)


def test_progress_keeps_a_long_job_alive(clerk, settings):
    settings.JIUZHU_JOB_STALE_MINUTES = 30
    job = _left_running(
        jobs.enqueue("test.count", actor=clerk, upto=1),
        worker="another-host:4242",
        last_seen=timezone.now() - timedelta(hours=2),
    )
    jobs.report(job, done=1, message="第 1 行")
    assert jobs.recover_stale() == []


def test_a_job_refused_for_its_input_is_not_queued_again(client, clerk):
    job = jobs.enqueue("test.count", actor=clerk, upto=3, fail_at=1)
    jobs.work_off()
    client.force_login(clerk)
    assert "重新排队" not in client.get(f"/jobs/{job.pk}/").content.decode()
    r = client.post(f"/api/jobs/{job.pk}/retry", content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "job_not_retryable"
    assert Job.objects.count() == 1


def test_nobody_else_queues_a_job_again(client, clerk, staff):
    job = _left_running(jobs.enqueue("test.count", actor=clerk, upto=1), worker=_killed_worker())
    jobs.recover_stale()
    client.force_login(staff("window_clerk"))
    r = client.post(f"/api/jobs/{job.pk}/retry", content_type="application/json")
    assert r.status_code == 404 and not Job.objects.filter(retry_of=job).exists()


def test_a_job_queued_once_per_kind_is_queued_again_once_per_kind(client, clerk):
    first = _left_running(jobs.enqueue_once("test.count", actor=clerk, upto=1), worker=_killed_worker())
    jobs.recover_stale()
    waiting = jobs.enqueue_once("test.count", actor=clerk, upto=1)  # queued after the failure
    client.force_login(clerk)
    r = client.post(f"/api/jobs/{first.pk}/retry", content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "busy"
    assert Job.objects.filter(state__in=(Job.QUEUED, Job.RUNNING)).count() == 1

    assert jobs.work_off() == 1
    waiting.refresh_from_db()
    assert waiting.state == Job.DONE
    r = client.post(f"/api/jobs/{first.pk}/retry", content_type="application/json")
    again = Job.objects.get(retry_of=first)
    assert r.status_code == 202 and again.once
    assert jobs.enqueue_once("test.count", actor=clerk, upto=1).pk == again.pk
