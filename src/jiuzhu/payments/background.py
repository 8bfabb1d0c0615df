"""The bank's return file (回盘) is read and applied by the background worker
(``jiuzhu.common.jobs``): the request refuses what needs no file (unknown roll, scope, a roll
not exported), streams the file to disk under the upload cap and queues this job. The job runs
the one import (``bankfiles.roll_return_import``: check the whole file, then apply it, or apply
nothing); its result, or its error with the differing lines, links back to the roll page, which
shows those lines from the job's record. The same file applied twice changes nothing.

The year's ledger (Excel or PDF) is built by the worker too (``payments.ledger_export``): the
ledger page's button queues it and goes to the job's page, which links to the file (for its
starter or an administrator)."""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from jiuzhu.common import jobs, scope, uploads, values
from jiuzhu.common.errors import IllegalTransition, JiuzhuError, NotFound, ValidationFailed
from jiuzhu.common.models import Job
from jiuzhu.registry.models import User

from . import bankfiles, reports
from .models import PaymentRoll
from .selectors import RETURN_IMPORT

KIND = RETURN_IMPORT
SUFFIXES = (".csv", ".xlsx")


def roll_url(roll: int) -> str:
    return f"/payments/roll/{roll}/"


@jobs.job(KIND, title="银行回盘导入")
def return_import(job, *, kept: str, filename: str, roll: int) -> dict:
    jobs.report(job, done=0, total=1, message="读取回盘文件并与名册核对")
    try:
        res = bankfiles.roll_return_import(actor=job.actor, roll=roll, data=uploads.read(kept))
    except JiuzhuError as exc:  # kept on the job (differences included); the page links back
        exc.params.update(url=roll_url(roll), link="返回发放名册")
        raise
    finally:
        uploads.discard(kept)
    return {
        "summary": (
            f"回盘已导入：成功 {res['paid']} 笔 {res['paid_total']} 元，"
            f"失败 {res['failed']} 笔 {res['failed_total']} 元"
        ),
        "url": roll_url(roll),
        "link": "查看发放名册",
        **{k: str(v) if isinstance(v, Decimal) else v for k, v in res.items()},
    }


def queue(f, *, actor: User, roll: int):
    """Refuse in the request what needs no file, then keep the file and queue the import. A
    closed roll is let through: the same file again is answered by the job with the result it
    had (nothing changes), another file is refused there (``already_reconciled``)."""
    r = PaymentRoll.objects.filter(pk=roll).first()
    if r is None:
        raise NotFound("发放名册不存在", field="roll", code="roll_not_found")
    scope.require(actor, "payment.reconcile", unit=r.unit_id)
    if r.state not in (PaymentRoll.EXPORTED, PaymentRoll.CLOSED):
        raise IllegalTransition("名册导出银行文件后才能导入回盘", field="state", code="not_exported")
    return uploads.queue(f, kind=KIND, actor=actor, suffixes=SUFFIXES, roll=r.pk)


# --- the year's ledger as a file ------------------------------------------------------------

LEDGER = "payments.ledger_export"
LEDGER_FORMATS = {"xlsx": "Excel", "pdf": "PDF"}


@jobs.job(LEDGER, title="资金台账导出")
def ledger_export(job, *, year: int, fmt: str) -> dict:
    what = LEDGER_FORMATS[fmt]
    jobs.report(job, done=0, total=1, message=f"生成 {what} 文件")
    data = reports.ledger_xlsx(year) if fmt == "xlsx" else reports.ledger_pdf(year)
    return jobs.keep_file(
        job,
        name=f"资金台账-{year}.{fmt}",
        data=data,
        summary=f"{year} 年度资金台账已导出，可下载 {what} 文件",
    )


@transaction.atomic
def ledger_export_queue(*, actor: User, year, fmt: str) -> Job:
    """Queue the year's ledger as ``xlsx`` or ``pdf`` for a reader of payments."""
    scope.require(actor, "payment.read")
    year = values.year_param(year)
    if fmt not in LEDGER_FORMATS:
        raise ValidationFailed("导出格式应为 Excel 或 PDF", field="fmt", code="unknown_format")
    return jobs.enqueue(LEDGER, actor=actor, year=year, fmt=fmt)
