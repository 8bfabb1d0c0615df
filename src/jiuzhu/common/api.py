"""Background jobs over the API, mounted at /api/jobs/: how far a job is, and what came of it."""

from __future__ import annotations

from datetime import datetime

from ninja import Router, Schema

from . import jobs
from .schemas import ErrorOut

PREFIX = "/jobs"
router = Router(tags=["jobs 后台任务"])


class JobErrorOut(Schema):
    code: str
    field: str | None = None
    message: str


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


@router.get("/{job_id}", response={200: JobOut, 404: ErrorOut}, summary="后台任务进度与结果")
def job_detail(request, job_id: int):
    """State (queued / running / done / failed), progress (done of total), the result when done
    (``summary``, ``url``) or the error when failed. Only the job's starter or an administrator
    sees it."""
    return jobs.as_dict(jobs.job_for(request.user, job_id))
