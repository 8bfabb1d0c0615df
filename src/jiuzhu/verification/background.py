"""Dataset files are read and validated by the background worker (``jiuzhu.common.jobs``): the
request only streams the file to disk and queues this job; its result links to the report."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import jobs, uploads

from . import datasets, ingest


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
