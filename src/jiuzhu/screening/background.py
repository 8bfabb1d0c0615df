"""What screening runs in the background worker (``jiuzhu.common.jobs``): a screening run
started from the page, and department lists (the request only streams the file to disk and
queues the check; the job's page links to the report)."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import jobs, uploads
from jiuzhu.common.models import Job

from . import services

SUFFIXES = (".csv", ".xlsx", ".xlsm")


@jobs.job("screening.list_validate", title="部门名单校验")
def list_validate(job, *, kept: str, filename: str, list_kind: str) -> dict:
    jobs.report(job, done=0, total=1, message="读取并校验名单")
    try:
        dl = services.department_list_validate(
            kind=list_kind, filename=filename, content=uploads.read(kept), actor=job.actor
        )
    finally:
        uploads.discard(kept)
    bad = len(dl.invalid_rows)
    return {
        "summary": f"共 {dl.rows_total} 行，有效 {dl.rows_valid} 行，无效 {bad} 行",
        "url": f"/screening/lists/?report={dl.pk}",
        "link": "查看校验结果" + ("" if bad else "并确认导入"),
        "list_id": dl.pk,
    }


STAGES = ("读取数据", "筛查规则", "保存预警")


@jobs.job("screening.run", title="查重查漏筛查")
def run(job, *, as_of: str) -> dict:
    from jiuzhu.policy.selectors import current_policy

    def say(stage: str) -> None:
        done = STAGES.index(stage) if stage in STAGES else None
        jobs.report(job, done=done, total=len(STAGES), message=stage)

    r = services.screening_run(
        policy=current_policy(), as_of=date.fromisoformat(as_of), actor=job.actor, progress=say
    )
    return {
        "summary": f"筛查完成：新增预警 {sum(r.raised.values())} 条",
        "url": "/screening/",
        "link": "查看预警",
    }


def run_queue(*, actor, as_of: date) -> Job:
    """Queue a screening run, unless one is already waiting or running (that one is returned:
    a run raises each case once anyway, a second would only repeat the work)."""
    waiting = Job.objects.filter(kind="screening.run", state__in=(Job.QUEUED, Job.RUNNING)).first()
    return waiting or jobs.enqueue("screening.run", actor=actor, as_of=as_of.isoformat())
