"""Village lists of affected households are read and checked by the background worker
(``jiuzhu.common.jobs``): the request only streams the file to disk and queues this job; its
result links to the report."""

from __future__ import annotations

from jiuzhu.common import jobs, scope, uploads
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.registry.models import User

from . import villagelists
from .models import DisasterEvent

SUFFIXES = (".xlsx", ".csv")


@jobs.job("disaster.list_validate", title="受灾家庭名单校验")
def list_validate(job, *, kept: str, filename: str, event: int) -> dict:
    jobs.report(job, done=0, total=1, message="读取并校验名单、与登记库比对")
    try:
        v = villagelists.list_validate(
            actor=job.actor,
            event=DisasterEvent.objects.get(pk=event),
            data=uploads.read(kept),
            filename=filename,
        )
    finally:
        uploads.discard(kept)
    return {
        "summary": f"共 {v.row_count} 行，可登记 {len(v.rows)} 行，问题 {len(v.errors)} 处",
        "url": f"/disaster/lists/{v.pk}/",
        "link": "查看校验报告",
        "list_id": v.pk,
    }


def queue(f, *, actor: User, event: DisasterEvent):
    if f is not None and not (f.name or "").lower().endswith(SUFFIXES):
        raise ValidationFailed("请上传 Excel（.xlsx）或 CSV 文件", field="file", code="file_type")
    scope.require(actor, "disaster.register", unit=event.unit)
    return uploads.queue(f, kind="disaster.list_validate", actor=actor, event=event.pk)
