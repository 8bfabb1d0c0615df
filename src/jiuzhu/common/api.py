"""Background jobs over the API, mounted at /api/jobs/: how far a job is, and what came of it."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema, Status

from . import jobs
from .exports import download
from .schemas import ERRORS, ErrorOut
from .values import Id

PREFIX = "/jobs"
router = Router(tags=["jobs 后台任务"])


class JobErrorLineOut(Schema):
    """One line of a refused file that differs from what it should say (a bank return against
    its roll): the file's row (none for a line missing from the file), the line it names, what
    is wrong, what was expected and what the file says (accounts masked to their last 4 digits)."""

    row: int | None = None
    line: str
    problem: str
    expected: str = ""
    got: str = ""


class JobErrorOut(Schema):
    """Why a job failed (the platform's error shape), with, for a refused file, its differing
    lines (``differences``, at most 500; ``count`` how many in all) and where to go back to."""

    code: str
    field: str | None = None
    message: str
    differences: list[JobErrorLineOut] | None = None
    count: int | None = None
    url: str | None = None  # where the person goes back to (e.g. the payment roll)
    link: str | None = None


class JobOut(Schema):
    id: int
    kind: str
    title: str
    state: str
    state_label: str
    done: int
    total: int | None = None
    percent: int | None = None
    message: str
    result: dict | None = None
    error: JobErrorOut | None = None
    created_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    url: str
    retryable: bool = False


class JobAcceptedOut(Schema):
    """The answer to an upload or a long action that runs as a background job (202)."""

    job_id: int
    state: str
    url: str  # GET it for progress and result
    page: str  # the same for a person


@router.get("/{job_id}", response={200: JobOut, 404: ErrorOut}, summary="后台任务进度与结果")
def job_detail(request, job_id: Id):
    """State (queued / running / done / failed), progress (done of total), the result when done
    (``summary``, ``url``) or the error when failed. Only the job's starter or an administrator
    sees it."""
    return jobs.as_dict(jobs.job_for(request.user, job_id))


@router.get(
    "/{job_id}/file", response={200: None, 404: ErrorOut, 410: ErrorOut}, summary="下载任务生成的文件"
)
def job_file(request, job_id: Id):
    """The file a finished export job kept (its result names it under ``file``); only the
    job's starter or an administrator, and the download is logged. 410 ``job_file_expired``
    once the file was deleted after ``JIUZHU_EXPORT_KEEP_DAYS`` (its ``file.expired`` is true)."""
    name, content_type, data = jobs.job_file(user=request.user, job_id=job_id)
    return download(data, name, content_type=content_type)


@router.post("/{job_id}/retry", response={202: JobAcceptedOut, **ERRORS}, summary="重新排队中断的任务")
def job_retry(request, job_id: Id):
    """A job that failed because its worker died (``job_abandoned``) or crashed is queued again
    with the same parameters (once); the answer names the new job."""
    return Status(202, jobs.accepted(jobs.retry(actor=request.user, job_id=job_id)))
