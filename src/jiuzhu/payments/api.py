"""Payments JSON API, mounted at /api/payments/. Thin: parse, call one service or selector,
shape. Errors are ``{"code", "field", "message"}``: 400 rule broken (``budget_overrun``,
``return_mismatch`` with ``differences``), 403 not allowed, 404 unknown, 409 illegal move
(``not_reviewed``, ``roll_not_approved``, ``busy`` …), 422 malformed."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.http import HttpResponse
from ninja import Field, File, Router, Schema
from ninja.files import UploadedFile

from jiuzhu.common.errors import PermissionDenied

from . import bankfiles, selectors, services
from .views import READ_ROLES

router = Router(tags=["payments 资金发放与台账"])


class ErrorOut(Schema):
    code: str = Field(..., examples=["budget_overrun"])
    field: str | None = None
    message: str = Field(..., examples=["本名册超出2026年度预算750.00元……须审批人明确确认后方可审批"])


ERRORS = {frozenset({400, 401, 403, 404, 409, 422}): ErrorOut}


class RollOut(Schema):
    id: int
    month: date
    service_code: str
    category: str
    unit: str = Field(..., alias="unit.code")
    state: str
    lines_count: int
    total: Decimal
    held_count: int
    paid_count: int
    paid_total: Decimal
    failed_count: int
    failed_total: Decimal
    batch_ref: str


class GenerateIn(Schema):
    month: date
    services: list[str] | None = None


class ApproveIn(Schema):
    confirm_overrun: bool = False
    note: str = ""


def _reader(request):
    if services.role_of(request.auth) not in READ_ROLES:
        raise PermissionDenied("您的角色无权查看资金发放", code="forbidden_role")


@router.get("/rolls", response={200: list[RollOut], **ERRORS}, summary="某月发放名册")
def rolls(request, month: date):
    _reader(request)
    return selectors.rolls_list(month=month.replace(day=1))


@router.post("/rolls/generate", response={200: dict, **ERRORS}, summary="生成（或重建待审核的）当月名册")
def generate(request, payload: GenerateIn):
    return services.rolls_generate(month=payload.month, actor=request.auth, services=payload.services)


@router.post("/rolls/{roll_id}/review", response={200: RollOut, **ERRORS}, summary="审核名册")
def review(request, roll_id: int):
    return services.roll_review(actor=request.auth, roll=roll_id)


@router.post("/rolls/{roll_id}/approve", response={200: RollOut, **ERRORS}, summary="审批并锁定名册（幂等）")
def approve(request, roll_id: int, payload: ApproveIn):
    return services.roll_approve(
        actor=request.auth, roll=roll_id, confirm_overrun=payload.confirm_overrun, note=payload.note
    )


@router.post(
    "/rolls/{roll_id}/export", response={200: None, **ERRORS}, summary="导出银行发放文件（csv/xlsx）"
)
def export(request, roll_id: int, fmt: str = "csv"):
    name, content = bankfiles.roll_export(actor=request.auth, roll=roll_id, fmt=fmt)
    resp = HttpResponse(
        content, content_type="text/csv; charset=utf-8" if fmt == "csv" else "application/octet-stream"
    )
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


@router.post("/rolls/{roll_id}/return", response={200: dict, **ERRORS}, summary="导入银行回盘文件")
def return_import(request, roll_id: int, file: UploadedFile = File(...)):
    res = bankfiles.roll_return_import(actor=request.auth, roll=roll_id, data=file.read())
    return {k: str(v) if isinstance(v, Decimal) else v for k, v in res.items()}


@router.get(
    "/ledger", response={200: list[dict], **ERRORS}, summary="资金台账余额（按单位/事项/类别/镇街/月份）"
)
def ledger(request, year: int, by: str = "unit"):
    _reader(request)
    if by not in selectors.DIMENSIONS:
        by = "unit"
    return [
        {
            **r,
            "key": str(r["key"]),
            **{k: (str(r[k]) if r[k] is not None else None) for k in ("budget", "paid", "balance", "rate")},
        }
        for r in selectors.balances(year=year, by=by)
    ]


@router.get("/public", auth=None, response={200: dict}, summary="公开的汇总数据（无个人信息）")
def public(request, year: int):
    f = selectors.public_figures(year=year)
    return {
        "year": year,
        "split": {k: {kk: str(vv) for kk, vv in v.items()} for k, v in f["split"].items()},
        "by_category": [{**r, "paid": str(r["paid"])} for r in f["by_category"]],
        "by_month": [{**r, "paid": str(r["paid"])} for r in f["by_month"]],
    }
