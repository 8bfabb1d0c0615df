"""Settlement files are read and checked by the background worker (``jiuzhu.common.jobs``): the
request only streams the file to disk and queues this job; its result links to the report."""

from __future__ import annotations

from jiuzhu.common import jobs, scope, uploads
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.registry.models import User

from . import settlement

SUFFIXES = (".xlsx", ".csv")


@jobs.job("medical.file_validate", title="一站式结算文件校验")
def file_validate(job, *, kept: str, filename: str, unit: int) -> dict:
    jobs.report(job, done=0, total=1, message="读取并校验结算文件")
    try:
        f = settlement.file_validate(actor=job.actor, unit=unit, data=uploads.read(kept), filename=filename)
    finally:
        uploads.discard(kept)
    return {
        "summary": f"共 {f.row_count} 行，可结算 {len(f.rows)} 行，问题 {len(f.errors)} 处",
        "url": f"/medical/settlements/{f.pk}/",
        "link": "查看校验报告",
        "file_id": f.pk,
    }


def queue(f, *, actor: User, unit: int):
    if f is not None and not (f.name or "").lower().endswith(SUFFIXES):
        raise ValidationFailed("请上传 Excel（.xlsx）或 CSV 文件", field="file", code="file_type")
    scope.require(actor, "medical.settle", unit=unit)
    return uploads.queue(f, kind="medical.file_validate", actor=actor, unit=unit)
