"""Screens of medical assistance settlement: the files (upload → report with every bad row →
settle), the settled stays with each person's own share. Thin: each view calls one service or
selector."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from jiuzhu.common import scope
from jiuzhu.common.exports import download
from jiuzhu.common.views import guarded, post_action

from . import selectors, settlement
from .models import SettlementFile

PAGE_ERRORS = 500


_guard = guarded(missing=(SettlementFile.DoesNotExist,), not_found="没有该记录")


@_guard
def home(request):
    ctx = {
        "files": list(selectors.files_for(request.user)[:100]),
        "can_settle": scope.allows(request.user, "medical.settle", unit=request.user.unit_id),
    }
    return render(request, "medical/home.html", ctx)


@post_action("medical:home")
def upload(request):
    f = request.FILES.get("file")
    if f is None:
        messages.error(request, "请选择要上传的结算文件")
        return redirect("medical:home")
    from . import background

    job = background.queue(f, actor=request.user, unit=request.user.unit_id)
    return redirect("common:job", job.pk)  # checked by the worker; the job links to the report


@_guard
def settlement_file(request, pk: int):
    f = selectors.file_get(actor=request.user, pk=pk)
    ctx = {
        "f": f,
        "summary": selectors.file_summary(f),
        "errors": f.errors[:PAGE_ERRORS],
        "more_errors": max(0, len(f.errors) - PAGE_ERRORS),
        "error_rows": len({e["row"] for e in f.errors}),
        "good": len(f.rows),
        "lines": selectors.file_lines(actor=request.user, f=f)
        if f.state == SettlementFile.State.APPLIED
        else [],
        "can_apply": f.state == SettlementFile.State.VALIDATED
        and bool(f.rows)
        and scope.allows(request.user, "medical.settle", unit=f.unit_id),
    }
    return render(request, "medical/file.html", ctx)


@post_action("medical:home")
def apply(request, pk: int):
    f = selectors.file_get(actor=request.user, pk=pk)
    result = settlement.file_apply(actor=request.user, sfile=f)
    messages.success(
        request,
        f"已结算住院 {result['stays']} 人次，医疗救助 {result['assistance']} 元，"
        f"生成 {result['hospitals']} 笔拨付医疗机构的待审批拨付",
    )
    return redirect("medical:file", pk)


@require_GET
@_guard
def template_file(request):
    scope.require(request.user, "medical.read")
    return download(settlement.workbook([]), "一站式结算模板.xlsx")
