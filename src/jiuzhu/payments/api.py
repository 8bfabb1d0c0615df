"""Payments JSON API, mounted at /api/payments/. Thin: parse, call one service or selector,
shape. Errors are ``{"code", "field", "message"}``: 400 rule broken (``budget_overrun``), 403 not
allowed, 404 unknown, 409 illegal move (``not_reviewed``, ``roll_not_approved``, ``busy`` …), 422
malformed. The bank return file answers 202 with a job (``return_mismatch``; the lines
in the failed job's ``error.differences``, ``GET /api/jobs/{id}``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from jiuzhu.common import jobs, scope
from jiuzhu.common.api import JobAcceptedOut
from jiuzhu.common.exports import download
from jiuzhu.common.schemas import ERRORS, ErrorOut
from jiuzhu.common.values import Bounded, Id, MonthParam, YearParam

from . import background, bankfiles, selectors, services

router = Router(tags=["payments 资金发放与台账"])


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
    month: MonthParam
    services: list[str] | None = None


class ApproveIn(Schema):
    confirm_overrun: bool = False
    note: Annotated[str, Bounded(200, required=False, multiline=True)] = Field(
        "", description="确认超预算的理由"
    )


class AccountIn(Schema):
    number: Annotated[str, Bounded(40)] = Field(..., description="银行账号（12至30位数字）")
    bank_name: Annotated[str, Bounded(100)]
    holder_name: Annotated[str, Bounded(50, required=False)] = ""


class AccountChangeOut(Schema):
    id: int
    person: int = Field(..., alias="person_id")
    household: str = Field(..., alias="household.code")
    bank_name: str
    tail: str
    previous_tail: str
    state: str


def _reader(request):
    scope.require(request.auth, "payment.read")


@router.get("/rolls", response={200: list[RollOut], **ERRORS}, summary="某月发放名册")
def rolls(request, month: MonthParam):
    _reader(request)
    return selectors.rolls_list(month=month, actor=request.auth)


@router.post(
    "/accounts/{person_id}", response={201: AccountChangeOut, **ERRORS}, summary="申请变更领取人银行账户"
)
def account_change(request, person_id: Id, payload: AccountIn):
    """仅领取人所在镇街或发放单位可申请（范围表 ``bank_account.change``）；变更须另一名工作人员
    复核后才生效，名册只使用已复核的账户。"""
    change = services.bank_account_set(actor=request.auth, person=person_id, **payload.model_dump())
    return Status(201, change)


@router.post(
    "/accounts/changes/{change_id}/confirm",
    response={200: AccountChangeOut, **ERRORS},
    summary="复核银行账户变更",
)
def account_confirm(request, change_id: Id):
    """须由申请人以外的工作人员复核（``second_person_required``）；重复复核不改变任何内容。"""
    services.bank_account_confirm(actor=request.auth, change=change_id)
    return services.BankAccountChange.objects.select_related("household").get(pk=change_id)


@router.post("/rolls/generate", response={200: dict, **ERRORS}, summary="生成（或重建待审核的）当月名册")
def generate(request, payload: GenerateIn):
    return services.rolls_generate(month=payload.month, actor=request.auth, services=payload.services)


@router.post("/rolls/{roll_id}/review", response={200: RollOut, **ERRORS}, summary="审核名册")
def review(request, roll_id: Id):
    return services.roll_review(actor=request.auth, roll=roll_id)


@router.post("/rolls/{roll_id}/approve", response={200: RollOut, **ERRORS}, summary="审批并锁定名册（幂等）")
def approve(request, roll_id: Id, payload: ApproveIn):
    return services.roll_approve(
        actor=request.auth, roll=roll_id, confirm_overrun=payload.confirm_overrun, note=payload.note
    )


@router.post(
    "/rolls/{roll_id}/export", response={200: None, **ERRORS}, summary="导出银行发放文件（csv/xlsx）"
)
def export(request, roll_id: Id, fmt: Literal["csv", "xlsx"] = "csv"):
    name, content = bankfiles.roll_export(actor=request.auth, roll=roll_id, fmt=fmt)
    return download(content, name)


@router.post(
    "/rolls/{roll_id}/return",
    response={202: JobAcceptedOut, 413: ErrorOut, **ERRORS},
    summary="导入银行回盘文件（后台核对并入账）",
)
def return_import(request, roll_id: Id, file: UploadedFile = File(...)):
    """The file is kept and applied by a background job (202): poll ``url``. Done: ``result``
    holds paid/failed counts and totals; a file that differs from the roll fails the job with
    ``error.code`` ``return_mismatch`` and ``error.differences`` (nothing applied). Refused here:
    unknown roll (404), out of scope (403), roll not exported (409), file over the cap (413)."""
    return Status(202, jobs.accepted(background.queue(file, actor=request.auth, roll=roll_id)))


@router.get(
    "/ledger", response={200: list[dict], **ERRORS}, summary="资金台账余额（按单位/事项/类别/镇街/月份）"
)
def ledger(request, year: YearParam, by: Literal["unit", "service", "category", "town", "month"] = "unit"):
    _reader(request)
    return [
        {
            **r,
            "key": str(r["key"]),
            **{k: (str(r[k]) if r[k] is not None else None) for k in ("budget", "paid", "balance", "rate")},
        }
        for r in selectors.balances(year=year, by=by)
    ]


class LedgerExportIn(Schema):
    year: int = Field(..., description="年度（平台年份窗口之内）")
    fmt: Literal["xlsx", "pdf"] = Field(..., description="xlsx（Excel）或 pdf")


@router.post(
    "/ledger/export",
    response={202: JobAcceptedOut, **ERRORS},
    summary="导出年度资金台账（后台生成 Excel/PDF）",
)
def ledger_export(request, payload: LedgerExportIn):
    """The year's ledger built by a background job, as the ledger page's buttons do (202): poll
    ``url``; when done, ``result.file`` names the file at ``/api/jobs/{id}/file`` (its starter
    or an administrator). Refused here, nothing queued: a role that does not read payments
    (403), a year outside the window (400 ``year_out_of_range``)."""
    job = background.ledger_export_queue(actor=request.auth, year=payload.year, fmt=payload.fmt)
    return Status(202, jobs.accepted(job))


@router.get("/public", auth=None, response={200: dict}, summary="公开的汇总数据（无个人信息）")
def public(request, year: YearParam):
    f = selectors.public_figures(year=year)
    return {
        "year": year,
        "split": {k: {kk: str(vv) for kk, vv in v.items()} for k, v in f["split"].items()},
        "by_category": [{**r, "paid": str(r["paid"])} for r in f["by_category"]],
        "by_month": [{**r, "paid": str(r["paid"])} for r in f["by_month"]],
    }
