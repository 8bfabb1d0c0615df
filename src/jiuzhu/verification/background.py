"""Datasets are read, validated and loaded by the background worker (``jiuzhu.common.jobs``): the
upload request only streams the file to disk and queues the validation, the officer's choice
queues the load; each job's result links to the upload's report."""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jiuzhu.common import clock, jobs, uploads
from jiuzhu.common.errors import Conflict, NotFound
from jiuzhu.common.models import Job
from jiuzhu.registry.models import User

from . import datasets, ingest
from .models import DatasetUpload
from .sources import source


@jobs.job("verification.dataset_validate", title="数据集校验")
def dataset_validate(job, *, kept: str, filename: str, source: str, as_of: str) -> dict:
    jobs.report(job, done=0, total=1, message="读取并校验数据集")
    try:
        u = datasets.dataset_upload(
            actor=job.actor,
            source_code=source,
            as_of=date.fromisoformat(as_of),
            data=uploads.read(kept),
            filename=filename,
        )
    finally:
        uploads.discard(kept)  # the dataset keeps its own copy of the file
    return {
        "summary": f"共 {u.rows_total} 行，有问题 {u.rows_bad} 行（{u.error_count} 处）",
        "url": f"/verification/upload/{u.pk}/",
        "link": "查看校验报告并确认导入或拒收",
        "upload_id": u.pk,
        "api": f"/api/verification/datasets/{u.pk}",
    }


def queue(f, *, actor, source: str, as_of: date):
    """Check what can be checked without the file, then keep it and queue its validation."""
    datasets.dataset_upload_check(actor=actor, source_code=source, as_of=as_of)
    return uploads.queue(
        f,
        kind="verification.dataset_validate",
        actor=actor,
        suffixes=ingest.SUFFIXES,
        source=source,
        as_of=as_of.isoformat(),
    )


@jobs.job("verification.dataset_apply", title="数据集导入")
def dataset_apply(job, *, upload_id: int, mode: str) -> dict:
    jobs.report(job, done=0, total=1, message="导入数据集")
    u = datasets.dataset_apply(actor=job.actor, upload=DatasetUpload.objects.get(pk=upload_id), mode=mode)
    if u.state == DatasetUpload.REFUSED:
        summary = "已拒收整个文件，未导入任何记录"
    else:
        v = u.version
        summary = f"已导入第 {v.number} 版，{v.rows} 行" + (
            f"，隔离 {v.quarantined} 行" if v.quarantined else ""
        )
    return {
        "summary": summary,
        "url": f"/verification/upload/{u.pk}/",
        "link": "查看上传记录",
        "upload_id": u.pk,
        "api": f"/api/verification/datasets/{u.pk}",
    }


def apply_queue(*, actor: User, upload: DatasetUpload, mode: str):
    """Check the choice, then queue the load (one per upload: a second click finds it queued)."""
    datasets.dataset_apply_check(actor=actor, upload=upload, mode=mode)
    pending = Job.objects.filter(
        kind="verification.dataset_apply", state__in=(Job.QUEUED, Job.RUNNING), params__upload_id=upload.pk
    ).first()
    if pending is not None:
        raise Conflict(
            f"该上传正在导入（任务 {pending.pk}）", field="mode", code="upload_applying", job_id=pending.pk
        )
    return jobs.enqueue("verification.dataset_apply", actor=actor, upload_id=upload.pk, mode=mode)


@transaction.atomic
def source_export_queue(*, actor: User, source_code: str, on: date | None, purpose: str):
    """Queue the bulk export of a source's dataset: who may take it and whether a dataset is
    valid on ``on`` are checked now; the worker builds the file (and logs the export)."""
    from .access import ensure_source_admin
    from .datasets import version_for

    src = source(source_code)
    ensure_source_admin(actor, src)
    if version_for(src.code, on or clock.today()) is None:
        raise NotFound(f"{src.name}没有有效的数据集", code="no_dataset")
    params = {"source_code": src.code, "on": on.isoformat() if on else None, "purpose": purpose}
    return jobs.enqueue("verification.source_export", actor=actor, **params)


@jobs.job("verification.source_export", title="来源数据批量导出")
def source_export(job, *, source_code: str, on: str | None, purpose: str) -> dict:
    from . import selectors

    jobs.report(job, done=0, total=1, message="生成 CSV 文件")
    day = date.fromisoformat(on) if on else None
    data = selectors.source_export(user=job.actor, source_code=source_code, on=day, purpose=purpose)
    return jobs.keep_file(
        job,
        name=f"{source_code}.csv",
        data=data,
        summary="来源数据已导出，可下载 CSV 文件",
        starter_only=True,
    )
