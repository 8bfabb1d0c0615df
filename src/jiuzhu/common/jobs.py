"""Background jobs: long work (an upload's validation and loading, a screening run, a KPI
refresh, a large export) runs in the worker, not in the request, and shows its progress.

Declare what a kind of job does, queue it from a service or a view, report from inside::

    from jiuzhu.common import jobs

    @jobs.job("screening.run", title="查重查漏筛查")
    def screening_run(job, *, today: str) -> dict:
        jobs.report(job, done=0, total=3, message="读取户籍")
        ...
        return {"summary": "新增预警 12 条", "url": "/screening/"}

    job = jobs.enqueue("screening.run", actor=request.user, today="2026-03-01")
    return redirect("common:job", job.pk)          # the page polls until it is done

Parameters and the result are JSON (dates as ISO text). A job raising ``JiuzhuError`` ends
``failed`` with that error (code, field, message) for the person to read; any other
exception ends ``failed`` with a generic message and its traceback in the log.

It runs on django-tasks with the database backend: ``enqueue`` writes the ``Job`` row and the
task row in the caller's transaction, so a job exists exactly when the write that queued it
commits, and the worker (``jiuzhu db_worker``, started by ``jiuzhu serve``) sees it only then.
Progress written by ``report`` outside a transaction is visible at once; the job function
should therefore do its work in transactions of its own, not one around everything.

A worker killed mid-job (kill -9, a crash of the machine) leaves its job ``running``;
``recover_stale`` marks such a job failed with a message (its worker process is gone, or it
has not reported for ``JIUZHU_JOB_STALE_MINUTES``), and ``retry`` queues it again for the
person. The worker started by ``jiuzhu serve`` (``jiuzhu jobs_worker``) runs the recovery
first; ``jiuzhu jobs_recover`` runs it by hand.

A job's file (``keep_file``) is kept ``JIUZHU_EXPORT_KEEP_DAYS`` after the job finished;
``clean_exports`` (after every job, at the worker's start, ``jiuzhu exports_clean``) then deletes
it and marks it expired (the download answers 410).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks import task

from . import clock
from .errors import Conflict, Gone, IllegalTransition, JiuzhuError, NotFound
from .models import Job
from .tx import racing_write

if TYPE_CHECKING:  # the user model is registry's; common imports no app at run time
    from jiuzhu.registry.models import User


logger = logging.getLogger("jiuzhu.jobs")


@dataclass(frozen=True)
class Kind:
    code: str
    title: str
    path: str  # dotted path of the function, imported by the worker


KINDS: dict[str, Kind] = {}


def job(code: str, *, title: str) -> Callable:
    """Register ``fn(job, **params) -> dict | None`` as the runner of jobs of kind ``code``.
    The returned dict is kept as the job's result; ``summary`` and ``url`` are shown."""

    def decorate(fn: Callable) -> Callable:
        KINDS[code] = Kind(code, title, f"{fn.__module__}.{fn.__qualname__}")
        return fn

    return decorate


@transaction.atomic
def enqueue(kind: str, *, actor: User, **params: Any) -> Job:
    """Queue a job of a registered ``kind`` started by ``actor`` with JSON ``params``."""
    k = KINDS[kind]
    return _queue(kind=kind, title=k.title, path=k.path, actor=actor, params=params)


ONCE_BUSY = "同类任务正在排队，请稍后再试"


@racing_write(busy=ONCE_BUSY)
def enqueue_once(kind: str, *, actor: User, **params: Any) -> Job:
    """Queue a job of ``kind`` unless one of that kind is already waiting or running: that one
    is returned instead. Two callers at the same instant get the same job, held by the database,
    not by the look-up: a job queued here carries ``once``, and a partial unique constraint
    allows one such job of a kind queued or running. The second insert waits for the first's
    transaction (PostgreSQL) and, refused, answers with the first's job; SQLite's test database
    refuses the second writer at once (``Conflict(code="busy")``, nothing queued)."""
    waiting = Job.objects.filter(kind=kind, state__in=(Job.QUEUED, Job.RUNNING)).first()
    if waiting is not None:
        return waiting
    k = KINDS[kind]
    try:
        with transaction.atomic():
            return _queue(kind=kind, title=k.title, path=k.path, actor=actor, params=params, once=True)
    except IntegrityError:
        pass
    waiting = Job.objects.filter(kind=kind, state__in=(Job.QUEUED, Job.RUNNING)).first()
    if waiting is None:  # the other job ended between its insert and this look-up
        raise Conflict(ONCE_BUSY, code="busy")
    return waiting


def _queue(
    *, kind: str, title: str, path: str, actor, params: dict, retry_of: Job | None = None, once: bool = False
) -> Job:
    j = Job.objects.create(kind=kind, title=title, actor=actor, params=params, retry_of=retry_of, once=once)
    result = run_job.enqueue(j.pk, path)
    j.task_id = str(result.id)
    j.save(update_fields=["task_id"])
    return j


def accepted(j: Job) -> dict:
    """The API's 202 answer for a queued job: where to poll and where a person can watch."""
    return {"job_id": j.pk, "state": j.state, "url": f"/api/jobs/{j.pk}", "page": f"/jobs/{j.pk}/"}


def report(
    job: Job, *, done: int | None = None, total: int | None = None, message: str | None = None
) -> None:
    """Progress from inside a running job (``done`` of ``total``, a short message)."""
    changes: dict[str, int | str | datetime] = {}
    if done is not None:
        job.done = changes["done"] = max(0, done)
    if total is not None:
        job.total = changes["total"] = max(0, total)
    if message is not None:
        job.message = changes["message"] = message[:200]
    job.heartbeat_at = changes["heartbeat_at"] = timezone.now()  # the worker is alive
    Job.objects.filter(pk=job.pk).update(**changes)


def _finish(j: Job, state: str, **fields) -> None:
    fields.update(state=state, finished_at=clock.now())  # the platform's time: files expire by it
    Job.objects.filter(pk=j.pk).update(**fields)


@task()
def run_job(job_id: int, path: str) -> str:
    """The one django-task behind every job: run the kind's function and record the outcome;
    then delete the export files past their keeping time (``clean_exports``)."""
    outcome = _run(job_id, path)
    try:
        clean_exports()
    except Exception:  # the job's own outcome stands; the next job or the command cleans
        logger.exception("cleaning old export files failed")
    return outcome


def _run(job_id: int, path: str) -> str:
    j = Job.objects.get(pk=job_id)
    j.state, j.started_at, j.worker = Job.RUNNING, timezone.now(), this_worker()
    Job.objects.filter(pk=job_id).update(
        state=j.state, started_at=j.started_at, heartbeat_at=j.started_at, worker=j.worker
    )
    try:
        result = import_string(path)(j, **j.params)
    except JiuzhuError as exc:
        _finish(j, Job.FAILED, error=exc.as_dict(), message=exc.message[:200])
        return Job.FAILED
    except Exception:
        logger.exception("job %s (%s) failed", job_id, j.kind)
        _finish(
            j,
            Job.FAILED,
            error={"code": "job_crashed", "field": None, "message": "任务意外中断，已记录日志，请联系管理员"},
            message="任务意外中断",
        )
        return Job.FAILED
    result = result or {}
    done = j.total if j.total is not None else j.done
    _finish(j, Job.DONE, result=result, done=done, message=(result.get("summary") or "已完成")[:200])
    return Job.DONE


def work_off() -> int:
    """Run every queued job now, in this process, until the queue is empty; returns how many
    ran. Tests use it (the worker's own claim-and-run steps, without its loop, which closes
    the connection between tasks); from the command line ``jiuzhu db_worker --batch`` does
    the same."""
    from django_tasks_db.management.commands.db_worker import Worker
    from django_tasks_db.models import DBTaskResult
    from django_tasks_db.utils import exclusive_transaction

    worker = Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="work_off",
        excluded_queue_names=[],
    )
    ran = 0
    while True:
        with exclusive_transaction(DBTaskResult.objects.db):
            claimed = DBTaskResult.objects.ready().filter(backend_name="default").get_locked()
            if claimed is not None:
                claimed.claim(worker.worker_id)
        if claimed is None:
            return ran
        worker.run_task(claimed)
        ran += 1


# --- jobs left running by a dead worker ----------------------------------------------------------

ABANDONED = "job_abandoned"
ABANDONED_MESSAGE = "执行该任务的后台进程已中断（可能被强制结束或服务器重启），任务没有完成；可重新排队"
RETRYABLE = (ABANDONED, "job_crashed")


def this_worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _process_gone(worker: str) -> bool:
    """Whether the worker ``host:pid`` is known to be dead: only decidable on its own host."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    if int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    try:  # a zombie (killed, not yet reaped by its parent) is gone too
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[-1].split()[0] == "Z"
    except OSError:
        return False


def stale_jobs(*, now=None) -> list[Job]:
    """Running jobs whose worker process is gone, or that have not reported for longer than
    ``JIUZHU_JOB_STALE_MINUTES``."""
    now = now or timezone.now()
    limit = now - timedelta(minutes=settings.JIUZHU_JOB_STALE_MINUTES)
    found = []
    for j in Job.objects.filter(state=Job.RUNNING).order_by("pk"):
        last = j.heartbeat_at or j.started_at or j.created_at
        if last < limit or (j.worker and _process_gone(j.worker)):
            found.append(j)
    return found


def recover_stale(*, now=None) -> list[Job]:
    """Mark every stale job failed with a clear message (and its task row failed, so no worker
    waits for it); returns them. Runs when a worker starts and from ``jiuzhu jobs_recover``."""
    from django_tasks_db.models import DBTaskResult

    now = now or timezone.now()
    marked = []
    for j in stale_jobs(now=now):
        with transaction.atomic():
            n = Job.objects.filter(pk=j.pk, state=Job.RUNNING).update(
                state=Job.FAILED,
                finished_at=now,
                message=ABANDONED_MESSAGE[:200],
                error={"code": ABANDONED, "field": None, "message": ABANDONED_MESSAGE},
            )
            if not n:  # it finished meanwhile
                continue
            if j.task_id:
                DBTaskResult.objects.filter(id=j.task_id, status="RUNNING").update(
                    status="FAILED", finished_at=now, traceback="abandoned: worker gone (jobs.recover_stale)"
                )
        logger.warning("job %s (%s) abandoned by worker %s: marked failed", j.pk, j.kind, j.worker or "?")
        marked.append(j)
    return marked


@transaction.atomic
def retry(*, actor: User, job_id: int) -> Job:
    """Queue a job that failed through no fault of its input (abandoned by its worker, or
    crashed) again, with the same parameters and starter; once per failed job. A job queued by
    ``enqueue_once`` is queued again as one (``once``): while another job of its kind waits or
    runs, the retry is refused (``Conflict(code="busy")``), so a retry never runs beside it."""
    from django_tasks_db.models import DBTaskResult

    old = job_for(actor, job_id)
    old = Job.objects.select_for_update().get(pk=old.pk)
    if old.state != Job.FAILED or (old.error or {}).get("code") not in RETRYABLE:
        raise IllegalTransition(
            "只有因后台进程中断而失败的任务可以重新排队", field="job_id", code="job_not_retryable"
        )
    again = Job.objects.filter(retry_of=old).first()
    if again is not None:
        raise Conflict(f"该任务已重新排队（任务 {again.pk}）", field="job_id", code="job_already_retried")
    task = DBTaskResult.objects.filter(id=old.task_id).first() if old.task_id else None
    path = task.args_kwargs["args"][1] if task is not None else KINDS[old.kind].path
    if old.once and Job.objects.filter(kind=old.kind, state__in=(Job.QUEUED, Job.RUNNING)).exists():
        raise Conflict(ONCE_BUSY, field="job_id", code="busy")
    try:
        with transaction.atomic():
            return _queue(
                kind=old.kind,
                title=old.title,
                path=path,
                actor=old.actor,
                params=old.params,
                retry_of=old,
                once=old.once,
            )
    except IntegrityError:  # a job of a one-at-a-time kind was queued meanwhile
        raise Conflict(ONCE_BUSY, field="job_id", code="busy") from None


# --- a job whose result is a file (a large export) -------------------------------------------

FILE_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".csv": "text/csv; charset=utf-8",
    ".pdf": "application/pdf",
}


def _file_path(job_id: int, name: str):
    return settings.DATA_DIR / "exports" / str(job_id) / name


def keep_file(job: Job, *, name: str, data: bytes, summary: str, starter_only: bool = False) -> dict:
    """Write a job's output file to ``<data>/exports/<job id>/<name>`` and return the job's
    result naming it: the finished job's page and API then link to the download, which only
    the starter (or an administrator) may take, logged (``job_file``). ``data`` comes from the
    common safe writers (``exports``), so it carries no formula. ``starter_only``: not even an
    administrator may take it (data only its starter's role may export, e.g. a source's own
    dataset)."""
    suffix = "." + name.rsplit(".", 1)[-1]
    if "/" in name or suffix not in FILE_TYPES:
        raise ValueError(f"not a job file name: {name!r}")
    path = _file_path(job.pk, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return {
        "summary": summary,
        "url": f"/jobs/{job.pk}/file",
        "link": "下载文件",
        "file": {
            "name": name,
            "size": len(data),
            "api": f"/api/jobs/{job.pk}/file",
            "starter_only": starter_only,
        },
    }


@transaction.atomic
def job_file(*, user: User, job_id: int) -> tuple[str, str, bytes]:
    """The file a finished job kept: ``(name, content type, bytes)`` for its starter or an
    administrator (anyone else: not found), the read logged like any export."""
    from .services import log_access

    j = job_for(user, job_id)
    meta: dict = ((j.result or {}).get("file") if j.state == Job.DONE else None) or {}
    name = str(meta.get("name", ""))
    path = _file_path(j.pk, name) if name else None
    if meta.get("starter_only") and j.actor_id != user.pk:
        path = None
    elif path is not None and meta.get("expired"):
        raise Gone(expired_message(meta), field="job_id", code="job_file_expired")
    if path is None or not path.is_file():
        raise NotFound("该任务没有可下载的文件", field="job_id", code="job_file_not_found")
    log_access(user=user, action="read", object_type="job.file", object_id=j.pk, purpose=f"下载：{j.title}")
    return name, FILE_TYPES["." + name.rsplit(".", 1)[-1]], path.read_bytes()


def expired_message(meta: dict) -> str:
    return f"该文件已超过保留期限（{meta.get('kept_days', '?')} 天）并已删除，如需要请重新导出"


def clean_exports(*, now: datetime | None = None) -> list[int]:
    """Delete the files of jobs that finished more than ``JIUZHU_EXPORT_KEEP_DAYS`` ago (by the
    platform's clock) and mark each job's file expired: its page says so, the download answers
    410 ``job_file_expired``. Returns the jobs' ids. Runs after every job the worker runs, when
    the worker starts, and from ``jiuzhu exports_clean``."""
    now = now or clock.now()
    days = int(getattr(settings, "JIUZHU_EXPORT_KEEP_DAYS", 7))
    old = Job.objects.filter(
        state=Job.DONE, finished_at__lt=now - timedelta(days=days), result__has_key="file"
    )
    cleaned = []
    for pk in old.filter(result__file__expired__isnull=True).values_list("pk", flat=True):  # key absent
        with transaction.atomic():
            j = Job.objects.select_for_update().get(pk=pk)
            meta = dict((j.result or {}).get("file") or {})
            if meta.get("expired"):
                continue
            shutil.rmtree(_file_path(pk, "-").parent, ignore_errors=True)
            meta.update(expired=True, expired_at=now.isoformat(), kept_days=days)
            j.result = {**(j.result or {}), "file": meta}
            j.save(update_fields=["result"])
        logger.info("job %s (%s): export file %s deleted after %s days", pk, j.kind, meta.get("name"), days)
        cleaned.append(pk)
    return cleaned


def job_for(user: User, job_id: int) -> Job:
    """A job its starter (or an administrator) may see; anyone else gets not-found."""
    from . import masking

    j = Job.objects.filter(pk=job_id).first()
    if j is None or (j.actor_id != user.pk and getattr(user, "role", "") != masking.ADMIN):
        raise NotFound("没有这个任务", field="job_id", code="job_not_found")
    return j


def _error(error: dict | None) -> dict | None:
    """The failed job's error as the API documents it: a differing line that names no row of
    the file (a line missing from it) has ``row`` null."""
    if not error or not error.get("differences"):
        return error
    lines = [
        {**d, "row": d.get("row") if isinstance(d.get("row"), int) else None} for d in error["differences"]
    ]
    return {**error, "differences": lines}


def as_dict(j: Job) -> dict:
    return {
        "id": j.pk,
        "kind": j.kind,
        "title": j.title,
        "state": j.state,
        "state_label": j.get_state_display(),
        "done": j.done,
        "total": j.total,
        "percent": j.percent,
        "message": j.message,
        "result": j.result,
        "error": _error(j.error),
        "created_at": j.created_at.isoformat(),
        "started_at": j.started_at.isoformat() if j.started_at else None,
        "finished_at": j.finished_at.isoformat() if j.finished_at else None,
        "url": f"/jobs/{j.pk}/",
        "retryable": j.state == Job.FAILED and (j.error or {}).get("code") in RETRYABLE,
    }
