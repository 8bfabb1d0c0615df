"""A school's returned term list is read and checked by the background worker
(``jiuzhu.common.jobs``): the request only streams the file to disk and queues this job; its
result links to the report, where the officer applies it."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import jobs, uploads
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import User

from . import services, termfiles

SUFFIXES = (".xlsx",)


@jobs.job("education.term_return_validate", title="学校回传学期名单校验")
def term_return_validate(job, *, kept: str, filename: str, school: int, term: str) -> dict:
    jobs.report(job, done=0, total=1, message="读取并校验回传名单")
    try:
        t = termfiles.return_validate(
            actor=job.actor,
            school=school,
            term=date.fromisoformat(term),
            data=uploads.read(kept),
            filename=filename,
            policy=current_policy(),
        )
    finally:
        uploads.discard(kept)
    return {
        "summary": f"共 {t.row_count} 行：确认在读 {len(t.confirmed)} 人，不在读 {len(t.declined)} 人，问题 {len(t.errors)} 处",
        "url": f"/education/returns/{t.pk}/",
        "link": "查看校验报告",
        "return_id": t.pk,
    }


def queue(f, *, actor: User, school: int, term: date):
    """Refuse what the request can tell at once (no file, not .xlsx, not this officer's school),
    then keep the file and queue the check."""
    if f is None:
        raise ValidationFailed("请选择学校回传的名单文件", field="file", code="required")
    if not (f.name or "").lower().endswith(SUFFIXES):
        raise ValidationFailed("请上传 Excel（.xlsx）文件", field="file", code="file_type")
    services.school_checked(actor, school)
    return uploads.queue(
        f,
        kind="education.term_return_validate",
        actor=actor,
        school=school,
        term=term.isoformat(),
        suffixes=SUFFIXES,
    )
