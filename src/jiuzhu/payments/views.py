"""Payments screens: rolls of a month (generate, review, approve, bank file, return file), the
caseworker's list of failed and held lines, the ledger with charts and its Excel/PDF, budgets,
and the public page (aggregate figures only, no login). Views parse the form, call one service
or selector and redirect; a broken rule comes back as the service's Chinese message."""

from __future__ import annotations

import functools
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import JiuzhuError, NotFound, ValidationFailed
from jiuzhu.common.exports import download
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access
from jiuzhu.common.views import back_url, post_action
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person, Unit

from . import bankfiles, charts, selectors, services
from .models import Budget, LineState, PaymentRoll


def reader(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            scope.require(request.user, "payment.read")
            return view(request, *args, **kwargs)
        except JiuzhuError as exc:
            return render(request, "payments/error.html", {"error": exc}, status=exc.status)

    return login_required(wrapper)


acts = post_action("payments:home")


def _month(value: str | None) -> date | None:
    if not value:
        return None
    try:
        y, mo = value[:7].split("-")
        return date(int(y), int(mo), 1)
    except ValueError:
        raise ValidationFailed("月份格式应为 YYYY-MM", field="month", code="bad_month") from None


def _year(request) -> int:
    return values.year_param(request.GET.get("year") or clock.today().year)


def _roll(pk) -> PaymentRoll:
    r = PaymentRoll.objects.select_related("unit", "approved_by", "reviewed_by").filter(pk=pk).first()
    if r is None:
        raise NotFound("发放名册不存在", field="roll", code="roll_not_found")
    return r


@reader
def home(request):
    months = selectors.roll_months()
    month = _month(request.GET.get("month")) or (months[0] if months else clock.today().replace(day=1))
    names = selectors._service_names()
    rolls = selectors.rolls_list(month=month, actor=request.user)
    for r in rolls:
        r.service_name = names.get(r.service_code, r.service_code)
    chart = charts.bars(
        [
            (r.service_name, r.paid_total if r.state == PaymentRoll.CLOSED else r.total)
            for r in rolls
            if r.total or r.paid_total
        ],
        title=f"{month:%Y年%m月}各名册金额（元；已对账的为实发）",
    )
    return render(
        request,
        "payments/home.html",
        {
            "month": month,
            "months": months,
            "rolls": rolls,
            "role": role_of(request.user),
            "chart": mark_safe(chart),
            "can_prepare": services.can(request.user, "payment.prepare"),
        },
    )


@acts
def generate(request):
    month = values.month(request.POST.get("month"), field="month", required=False)
    if month is None:
        raise ValidationFailed("请选择月份", field="month", code="month_required")
    c = services.rolls_generate(month=month, actor=request.user)
    messages.success(
        request,
        f"{month:%Y年%m月}：名册 {c.get('rolls', 0)} 本，当月 {c.get('regular', 0)} 笔，补发 {c.get('back_pay', 0)} 笔，"
        f"追回 {c.get('recovery', 0)} 笔，重发 {c.get('retry', 0)} 笔；已审核或已锁定未改动 {c.get('untouched', 0)} 本",
    )
    return redirect(f"/payments/?month={month:%Y-%m}")


@reader
def roll_detail(request, pk: int):
    roll = _roll(pk)
    scope.require(request.user, "payment.read", unit=roll.unit_id)  # a department: its own rolls
    role = role_of(request.user)
    lines = selectors.roll_lines(roll, role=role, only=request.GET.get("only"), actor=request.user)
    log_access(
        user=request.user,
        action="view",
        object_type="payment_roll",
        object_id=roll.pk,
        purpose="查看发放名册",
    )
    return render(
        request,
        "payments/roll.html",
        {
            "roll": roll,
            "lines": lines,
            "summary": selectors.roll_summary(roll),
            "check": services.budget_check(roll),
            "service_name": selectors._service_names().get(roll.service_code, roll.service_code),
            "events": roll.events.select_related("actor"),
            "role": role,
            "can_approve": services.can(request.user, "payment.approve"),
            "can_prepare": services.can(request.user, "payment.prepare"),
            "can_export": services.can(request.user, "payment.export"),
            "can_reconcile": services.can(request.user, "payment.reconcile"),
            "differences": selectors.return_differences(roll),
        },
    )


@acts
def review(request, pk: int):
    services.roll_review(actor=request.user, roll=pk)
    messages.success(request, "名册已审核，待审批")
    return redirect("payments:roll", pk)


@acts
def approve(request, pk: int):
    services.roll_approve(
        actor=request.user,
        roll=pk,
        confirm_overrun=request.POST.get("confirm_overrun") == "1",
        note=request.POST.get("note", ""),
    )
    messages.success(request, "名册已审批并锁定")
    return redirect("payments:roll", pk)


@acts
def to_draft(request, pk: int):
    services.roll_return_to_draft(actor=request.user, roll=pk, reason=request.POST.get("reason", ""))
    messages.success(request, "名册已退回待审核")
    return redirect("payments:roll", pk)


@acts
def export(request, pk: int):
    fmt = request.POST.get("fmt", "csv")
    name, content = bankfiles.roll_export(actor=request.user, roll=pk, fmt=fmt)
    return download(content, name)


@acts
def return_import(request, pk: int):
    from . import background

    job = background.queue(request.FILES.get("file"), actor=request.user, roll=pk)
    return redirect("common:job", job.pk)  # read and applied by the worker; the job links back


@reader
def attention(request):
    role = role_of(request.user)
    rows = [
        selectors.line_row(ln, role) | {"month": ln.roll.month, "roll": ln.roll_id, "payee_id": ln.payee_id}
        for ln in selectors.attention(actor=request.user)
    ]
    return render(
        request,
        "payments/attention.html",
        {
            "rows": rows,
            "role": role,
            "can_prepare": services.can(request.user, "payment.fix_line"),
            "can_account": services.can(request.user, "bank_account.change"),
            "changes": selectors.account_changes(actor=request.user),
        },
    )


@acts
def line_fix(request, pk: int):
    services.line_mark_fixed(actor=request.user, line=pk, note=request.POST.get("note", ""))
    messages.success(request, "已处理，将在下月名册中重发")
    return redirect("payments:attention")


@acts
def recovery(request, pk: int):
    services.recovery_record(actor=request.user, line=pk, note=request.POST.get("note", ""))
    messages.success(request, "已登记追回并记入台账")
    return redirect("payments:attention")


@acts
def account_set(request, person_id: int):
    person = Person.objects.filter(pk=person_id).first()
    services.bank_account_set(
        actor=request.user,
        person=person,
        number=request.POST.get("number", ""),
        bank_name=request.POST.get("bank_name", ""),
        holder_name=request.POST.get("holder_name", ""),
    )
    messages.success(
        request, "银行账户变更已提交，须另一名工作人员复核后生效；生效后失败的款项将在下月名册中重发"
    )
    return redirect(back_url(request, "payments:home") if request.POST.get("next") else "payments:attention")


@acts
def account_confirm(request, pk: int):
    services.bank_account_confirm(actor=request.user, change=pk)
    messages.success(request, "银行账户变更已复核生效")
    return redirect(back_url(request, "payments:home") if request.POST.get("next") else "payments:attention")


@acts
def account_reject(request, pk: int):
    services.bank_account_reject(actor=request.user, change=pk, note=request.POST.get("note", ""))
    messages.success(request, "银行账户变更已退回，原账户不变")
    return redirect("payments:attention")


def _charts(year: int) -> dict:
    out = {}
    for dim, title in (("month", "按月发放"), ("category", "按类别发放"), ("town", "按镇街发放")):
        rows = [(r["label"], r["paid"]) for r in selectors.balances(year=year, by=dim)]
        out[dim] = mark_safe(charts.bars(rows, title=f"{year}年{title}（元）"))  # our own SVG, labels escaped
    return out


@reader
def ledger(request):
    year = _year(request)
    by = request.GET.get("by", "unit")
    if by not in selectors.DIMENSIONS:
        by = "unit"
    return render(
        request,
        "payments/ledger.html",
        {
            "year": year,
            "by": by,
            "dims": selectors.DIMENSION_LABELS,
            "rows": selectors.balances(year=year, by=by),
            "split": selectors.city_split(year=year),
            "charts": _charts(year),
        },
    )


@reader
def ledger_export(request):
    """The ledger's buttons (POST: year, fmt) queue the file as a background job and go to its
    page, which links to the file when it is built; a GET goes back to the ledger."""
    from . import background

    if request.method != "POST":
        return redirect(reverse("payments:ledger") + "?" + request.GET.urlencode())
    job = background.ledger_export_queue(
        actor=request.user, year=request.POST.get("year", ""), fmt=request.POST.get("fmt", "")
    )
    return redirect("common:job", job.pk)


@reader
def budgets(request):
    year = _year(request)
    names = selectors._service_names()
    rows = list(Budget.objects.filter(year=year).select_related("unit"))
    for b in rows:
        # a display attribute for the template beside the row, not a field of Budget
        b.service_name = names.get(b.service_code, b.service_code)  # type: ignore[attr-defined]
    return render(
        request,
        "payments/budgets.html",
        {
            "year": year,
            "rows": rows,
            "services": current_policy().services,
            "units": Unit.objects.filter(kind=Unit.Kind.DEPARTMENT),
            "can_edit": services.can(request.user, "payment.budget"),
        },
    )


@acts
def budget_edit(request):
    b = services.budget_set(
        actor=request.user,
        year=values.year_param(request.POST.get("year", ""), field="year"),
        unit=request.POST.get("unit", ""),
        service_code=request.POST.get("service", ""),
        amount=request.POST.get("amount", ""),
    )
    messages.success(request, f"已保存 {b.year} 年度预算")
    return redirect(f"/payments/budgets/?year={b.year}")


def public(request):
    """Public page: amounts by category and month, no person, no login."""
    try:
        year = _year(request)
    except ValidationFailed:
        year = clock.today().year
    figures = selectors.public_figures(year=year)
    chart = mark_safe(
        charts.bars(
            [(r["label"], r["paid"]) for r in figures["by_category"]], title=f"{year}年各类救助资金发放（元）"
        )
    )
    return render(
        request, "payments/public.html", {"f": figures, "chart": chart, "line_states": LineState.choices}
    )
