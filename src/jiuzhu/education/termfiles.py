"""Term files exchanged with a school (DOMAIN §7 教育): the bureau exports the term's eligible
pupils of one school as a workbook; the school fills in the column 确认在读 (是/否) and sends it
back; the worker checks it (``return_validate``: validate → report), and the officer applies it
once (``return_apply``: the school's confirmation, ``services.term_confirm``), only when no row
has a problem. Names and ID numbers in the export are masked for the exporting officer's role
and the export is logged."""

from __future__ import annotations

import io
from datetime import date

from django.db import transaction
from django.utils import timezone

from jiuzhu.common import scope
from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.common.exports import Sheet, write_xlsx
from jiuzhu.common.services import log_access
from jiuzhu.common.tx import lock
from jiuzhu.registry.models import User

from . import selectors, services
from .models import TermReturn

HEADER = ("人员编号", "姓名", "身份证号码", "学段", "资助金额（元）", "拨付方式", "确认在读（是/否）")
YES, NO = "是", "否"
MAX_ROWS = 20000


def term_workbook(*, actor: User, school, term: date, policy) -> bytes:
    """The term's eligible pupils of ``school`` as the workbook the school fills in."""
    term = term.replace(day=1)
    rows = selectors.term_eligible(actor=actor, school=school, term=term, policy=policy)
    log_access(
        user=actor,
        action="export",
        object_type="education.term",
        object_id=f"{school.pk}:{term:%Y-%m}",
        purpose="教育救助学期名单导出（发学校核对）",
    )
    sheet = Sheet(
        title="学期名单",
        caption=f"{school.name} · {selectors.term_name(term)} · 教育救助学生名单（请在最后一列填写“是”或“否”后回传）",
        header=HEADER,
        rows=[
            (
                r["person_id"],
                r["name"],
                r["id_number"],
                r["stage_label"],
                r["grant"].amount,
                "拨付学校" if r["grant"].to_school else "发给家庭",
                YES,
            )
            for r in rows
        ],
        marked=(HEADER[0], HEADER[-1]),
    )
    return write_xlsx([sheet])


def _cells(data: bytes) -> list[tuple[int, tuple]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # not a workbook at all: one clear refusal, never a crash
        raise ValidationFailed(
            "文件不是有效的 Excel（.xlsx）工作簿", field="file", code="file_unreadable"
        ) from None
    ws = wb.worksheets[0]
    out = []
    for n, row in enumerate(ws.iter_rows(values_only=True), start=1):
        if n > MAX_ROWS + 5:
            raise ValidationFailed(f"文件超过 {MAX_ROWS} 行", field="file", code="too_many_rows")
        out.append((n, tuple(row)))
    wb.close()
    return out


def _text(v) -> str:
    return "" if v is None else str(v).strip()


@transaction.atomic
def return_validate(*, actor: User, school, term: date, data: bytes, filename: str, policy) -> TermReturn:
    """Check the returned workbook against the term's list as it stands: every row names a
    pupil of the list once and says 是 or 否. Keeps the report (``TermReturn``); writes no grant."""
    s = services.school_checked(actor, school)
    term = term.replace(day=1)
    listed = {
        r["person_id"] for r in selectors.term_eligible(actor=actor, school=s, term=term, policy=policy)
    }
    cells = _cells(data)
    start = next((n for n, row in cells if row and _text(row[0]) == HEADER[0]), None)
    if start is None:
        raise ValidationFailed(
            f"文件中找不到表头“{HEADER[0]}”：请使用本系统导出的名单填写", field="file", code="no_header"
        )
    header = [_text(c) for c in next(row for n, row in cells if n == start)]
    if HEADER[-1] not in header:
        raise ValidationFailed(f"文件缺少“{HEADER[-1]}”一列", field="file", code="no_confirm_column")
    col = header.index(HEADER[-1])
    errors: list[dict] = []
    confirmed: list[int] = []
    declined: list[int] = []
    seen: set[int] = set()
    count = 0
    for n, row in cells:
        if n <= start or not any(_text(c) for c in row):
            continue
        count += 1
        raw = _text(row[0])
        try:
            pid = int(float(raw)) if raw else None
        except ValueError:
            pid = None
        answer = _text(row[col]) if col < len(row) else ""
        if pid is None:
            errors.append({"row": n, "field": HEADER[0], "message": f"人员编号“{raw[:20]}”无效"})
        elif pid in seen:
            errors.append({"row": n, "field": HEADER[0], "message": f"人员编号 {pid} 重复"})
        elif pid not in listed:
            errors.append({"row": n, "field": HEADER[0], "message": f"人员编号 {pid} 不在本学期可资助名单中"})
        elif answer not in (YES, NO):
            errors.append(
                {"row": n, "field": HEADER[-1], "message": f"应填写“是”或“否”（现为“{answer[:20]}”）"}
            )
        else:
            (confirmed if answer == YES else declined).append(pid)
        if pid is not None:
            seen.add(pid)
    if count == 0:
        raise ValidationFailed("文件中没有学生行", field="file", code="empty_file")
    return TermReturn.objects.create(
        school=s,
        term=term,
        filename=filename[:200],
        row_count=count,
        confirmed=confirmed,
        declined=declined,
        errors=errors,
        created_by=actor,
    )


def return_get(*, actor: User, pk: int) -> TermReturn:
    t = TermReturn.objects.select_related("school").get(pk=pk)
    scope.require(actor, "education.read", unit=t.school.unit_id)
    return t


@transaction.atomic
def return_apply(*, actor: User, term_return, policy) -> TermReturn:
    """The checked file as the school's confirmation: once, and only without problem rows."""
    t = lock(
        TermReturn.objects.select_related("school"),
        term_return,
        missing="回传名单不存在",
        field="term_return",
    )
    services.school_checked(actor, t.school_id)
    if t.state != TermReturn.VALIDATED:
        raise IllegalTransition("该回传名单已确认发放", field="term_return", code="already_applied")
    if t.errors:
        raise ValidationFailed(
            f"回传名单有 {len(t.errors)} 处问题，请学校改正后重新上传", field="file", code="file_has_errors"
        )
    if not t.confirmed:
        raise ValidationFailed("回传名单中没有确认在读的学生", field="file", code="nothing_to_grant")
    out = services.term_confirm(
        actor=actor, school=t.school, term=t.term, confirmed=t.confirmed, policy=policy
    )
    t.state, t.applied_by, t.applied_at = TermReturn.APPLIED, actor, timezone.now()
    t.result = {k: (str(v) if not isinstance(v, (int, list)) else v) for k, v in out.items()}
    t.save(update_fields=["state", "applied_by", "applied_at", "result"])
    return t
