"""What screening runs in the background worker (``jiuzhu.common.jobs``): a screening run
started from the page, department lists (the request only streams the file to disk and
queues the check; the job's page links to the report), and the Excel report of the alerts
(built and logged by the worker, masked for the starter's role, downloaded from the job page by
the starter or an administrator)."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jiuzhu.common import clock, jobs, scope, uploads
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.models import Job
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access
from jiuzhu.registry.models import User

from . import documents, selectors, services
from .models import AlertKind, AlertStatus

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


def run_queue(*, actor: User, as_of: date) -> Job:
    """Queue a screening run, unless one is already waiting or running (that one is returned:
    a run raises each case once anyway, a second would only repeat the work). Two presses at
    the same instant queue one run (``jobs.enqueue_once``)."""
    return jobs.enqueue_once("screening.run", actor=actor, as_of=as_of.isoformat())


# --- the Excel report of the alerts -----------------------------------------------------------

REPORT = "screening.report"


@transaction.atomic
def report_xlsx(*, user: User, kind: str = "", status: str = "", unit: str = "") -> tuple[bytes, int]:
    """The workbook of the alerts ``user`` may see under the filters (masked for his role) and
    how many it lists; the export logged in the same transaction."""
    qs = selectors.alerts_for(user, kind=kind, status=status, unit=unit)
    n = qs.count()
    log_access(
        user=user,
        action="export",
        object_type="screening.report",
        object_id=f"{n}条",
        purpose="筛查预警Excel报表",
    )
    return documents.alerts_workbook(qs, role_of(user)), n


@jobs.job(REPORT, title="筛查预警Excel报表")
def report(job, *, alert_kind: str, status: str, unit: str) -> dict:
    jobs.report(job, done=0, total=1, message="生成 Excel 文件")
    data, n = report_xlsx(user=job.actor, kind=alert_kind, status=status, unit=unit)
    return jobs.keep_file(
        job,
        name=f"筛查预警报表-{clock.today()}.xlsx",
        data=data,
        summary=f"筛查预警报表已生成（{n} 条），可下载 Excel 文件",
    )


@transaction.atomic
def report_queue(*, actor: User, kind: str = "", status: str = "", unit: str = "") -> Job:
    """Queue the report of the alerts the actor may see under the page's filters."""
    scope.require(actor, "screening.read")
    if kind and kind not in AlertKind.values:
        raise ValidationFailed("没有这种预警类型", field="kind", code="unknown_kind")
    if status and status not in AlertStatus.values:
        raise ValidationFailed("没有这种预警状态", field="status", code="unknown_status")
    if len(unit) > 40:
        raise ValidationFailed("单位代码过长", field="unit", code="too_long")
    return jobs.enqueue(REPORT, actor=actor, alert_kind=kind, status=status, unit=unit)
