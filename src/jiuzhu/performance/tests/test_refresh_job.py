"""The KPI refresh from the dashboard and the API: a background job run by the worker, one at a
time, for the roles of ``performance.refresh``; the dashboard says when the figures were last
refreshed."""

from datetime import date

from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from jiuzhu.common import jobs
from jiuzhu.common.models import Job
from jiuzhu.performance import refresh
from jiuzhu.performance.models import KpiSnapshot


def test_the_button_queues_the_refresh_and_the_worker_runs_it(may_cases, staff, client):
    convener = staff("convener")
    client.force_login(convener)
    page = client.get("/performance/?year=2026").content.decode()
    assert "本年度尚无指标快照" in page and "刷新指标快照" in page

    r = client.post("/performance/refresh", {"year": "2026"})
    job = Job.objects.get(kind=refresh.KIND)
    assert r.status_code == 302 and r.url == f"/jobs/{job.pk}/"
    assert not KpiSnapshot.objects.exists()  # nothing until the worker runs it
    page = client.get("/performance/?year=2026").content.decode()
    assert "正在后台刷新" in page and 'action="/performance/refresh"' not in page

    assert jobs.work_off() == 1
    job.refresh_from_db()
    assert (job.state, job.done, job.total) == (Job.DONE, 4, 4)
    assert job.result["summary"].startswith("2026 年指标快照已刷新")
    assert KpiSnapshot.objects.filter(month__year=2026).count() == job.result["rows"] > 0
    done = client.get(f"/jobs/{job.pk}/").content.decode()
    assert "/performance/?year=2026" in done and "查看领导驾驶舱" in done

    page = client.get("/performance/?year=2026").content.decode()
    at = KpiSnapshot.objects.first().refreshed_at
    assert f"指标最近刷新于 {timezone.localtime(at):%Y-%m-%d %H:%M}" in page
    assert "正在后台刷新" not in page
    # the same figures as the terminal command
    figures = dict(KpiSnapshot.objects.filter(unit=None).values_list("month", "data"))
    call_command("kpis", "--refresh", "--year", "2026", verbosity=0)
    assert dict(KpiSnapshot.objects.filter(unit=None).values_list("month", "data")) == figures
    assert figures[date(2026, 5, 1)]["received"] > 0


def test_one_refresh_at_a_time(staff, client):
    admin, convener = staff("admin"), staff("convener")
    client.force_login(admin)
    r = client.post("/api/performance/refresh", {"year": 2026}, content_type="application/json")
    assert r.status_code == 202, r.content
    body = r.json()
    assert body["page"] == f"/jobs/{body['job_id']}/" and body["state"] == "queued"

    client.force_login(convener)
    r = client.post("/api/performance/refresh", {"year": 2025}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "refresh_running"
    r = client.post("/performance/refresh", {"year": "2026"}, follow=True)
    assert "正在刷新" in r.content.decode()
    assert Job.objects.filter(kind=refresh.KIND).count() == 1
    # the convener did not start it: the job is not his to see
    assert client.get(body["url"]).status_code == 404

    # a refresh queued at the same moment as the first (both past the request's check) refuses
    # to write beside it while the first runs
    first = Job.objects.get(kind=refresh.KIND)
    Job.objects.filter(pk=first.pk).update(state=Job.RUNNING)
    DBTaskResult.objects.filter(id=first.task_id).update(status="RUNNING")  # a worker holds it
    second = jobs.enqueue(refresh.KIND, actor=convener, year=2026)
    assert jobs.work_off() == 1
    second.refresh_from_db()
    assert second.state == Job.FAILED and second.error["code"] == "refresh_running"
    assert not KpiSnapshot.objects.exists()


def test_who_may_refresh(staff, client):
    client.force_login(staff("approver"))  # reads the figures, does not refresh them
    page = client.get("/performance/?year=2026").content.decode()
    assert 'action="/performance/refresh"' not in page and "请联系" in page
    r = client.post("/api/performance/refresh", {"year": 2026}, content_type="application/json")
    assert r.status_code == 403
    for role in ("window_clerk", "supervisor"):  # a supervisor changes nothing
        client.force_login(staff(role))
        assert (
            client.post(
                "/api/performance/refresh", {"year": 2026}, content_type="application/json"
            ).status_code
            == 403
        )
    client.force_login(staff("convener"))
    r = client.post("/api/performance/refresh", {"year": 1900}, content_type="application/json")
    assert r.status_code in (400, 422) and r.json()["field"] in ("year", "body.year", None)
    assert not Job.objects.exists()
