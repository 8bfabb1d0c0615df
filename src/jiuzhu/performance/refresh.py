"""The KPI snapshot refresh as a background job (``performance.refresh``): the dashboard's button
and ``POST /api/performance/refresh`` queue it (202, on to the job page); the worker recomputes
the year's snapshots (``services.snapshot_refresh``), reporting each step. One refresh at a time:
while one waits or runs, another is refused (409 ``refresh_running``), and a job that finds
another running (queued before the first started) refuses too, so two never write the same
snapshot rows at once. ``jiuzhu kpis --refresh`` still runs it in the terminal."""

from __future__ import annotations

from django.db import transaction

from jiuzhu.common import jobs, scope, values
from jiuzhu.common.errors import Conflict
from jiuzhu.common.models import Job
from jiuzhu.registry.models import User

from . import services

KIND = "performance.refresh"
BUSY = "指标快照正在刷新，请在本次刷新完成后再试"


@jobs.job(KIND, title="刷新绩效指标快照")
def refresh(job, *, year: int) -> dict:
    if Job.objects.filter(kind=KIND, state=Job.RUNNING).exclude(pk=job.pk).exists():
        raise Conflict(BUSY, field="year", code="refresh_running")
    total = len(services.REFRESH_STEPS)
    n = services.snapshot_refresh(
        year=year, step=lambda done, message: jobs.report(job, done=done, total=total, message=message)
    )
    return {
        "summary": f"{year} 年指标快照已刷新（{n} 条）",
        "url": f"/performance/?year={year}",
        "link": "查看领导驾驶舱",
        "year": year,
        "rows": n,
    }


def running() -> Job | None:
    """The refresh waiting or running now, if any."""
    return Job.objects.filter(kind=KIND, state__in=(Job.QUEUED, Job.RUNNING)).order_by("pk").first()


@transaction.atomic
def refresh_queue(*, actor: User, year) -> Job:
    """Queue the refresh of ``year``'s snapshots (a year within the platform's window), unless
    one is already waiting or running."""
    scope.require(actor, "performance.refresh")
    year = values.year_param(year)
    if running() is not None:
        raise Conflict(BUSY, field="year", code="refresh_running")
    return jobs.enqueue(KIND, actor=actor, year=year)
