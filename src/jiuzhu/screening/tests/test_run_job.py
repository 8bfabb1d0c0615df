"""A screening run started from the page runs in the background worker: the request only
queues it (a second click while it waits finds the same job), the job's page shows the stages
and then what the run raised."""

from jiuzhu.common import jobs
from jiuzhu.common.models import Job
from jiuzhu.screening.models import ScreeningRun


def test_run_now_queues_one_job_and_the_worker_runs_it(client, staff, policy):
    client.force_login(staff("approver", "civil_affairs"))
    first = client.post("/screening/run/")
    assert first.status_code == 302 and first["Location"].startswith("/jobs/")
    again = client.post("/screening/run/")
    assert again["Location"] == first["Location"] and Job.objects.count() == 1
    assert not ScreeningRun.objects.exists()  # nothing screened in the request
    assert jobs.work_off() == 1
    page = client.get(first["Location"]).content.decode()
    assert "已完成" in page and "筛查完成：新增预警" in page and 'href="/screening/"' in page
    assert ScreeningRun.objects.count() == 1
