"""Screening screens: the page (charts, alert lists with HTMX resolve actions), one alert, the
Excel report, a run on demand, and the department lists' upload (validate → report → apply).
Views parse, call one service or selector, and render; a broken rule comes back as its
Chinese message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from jiuzhu.common import clock, scope
from jiuzhu.common.errors import JiuzhuError, NotFound
from jiuzhu.common.roles import role_of
from jiuzhu.common.services import log_access

from . import charts, selectors, services
from .models import Alert, AlertAction, AlertKind, AlertStatus, ListKind


def _ensure_reader(user) -> None:
    scope.require(user, "screening.read")


def _error(request, exc: JiuzhuError):
    return render(request, "screening/error.html", {"error": exc}, status=exc.status)


def _alert(user, pk: int) -> Alert:
    a = selectors.alerts_for(user).filter(pk=pk).first()
    if a is None:
        raise NotFound("预警不存在或不属于本单位", field="alert", code="alert_not_found")
    return a


@login_required
def home(request):
    try:
        _ensure_reader(request.user)
    except JiuzhuError as exc:
        return _error(request, exc)
    role = role_of(request.user)
    f = {k: request.GET.get(k, "") for k in ("kind", "status", "unit")}
    f["status"] = request.GET.get("status", "open")
    base = selectors.alerts_for(request.user)
    qs = selectors.alerts_for(request.user, **f)
    ov = selectors.overview(base)
    today = clock.today()
    page = [selectors.alert_view(a, role, today=today) for a in qs[:200]]
    return render(
        request,
        "screening/home.html",
        {
            "alerts": page,
            "shown": len(page),
            "matching": qs.count(),
            "filters": f,
            "kinds": AlertKind.choices,
            "statuses": AlertStatus.choices,
            "actions": AlertAction.choices,
            "units": selectors.units_with_alerts(),
            "overview": ov,
            "chart_kinds": charts.stacked_kinds(ov["by_kind"]),
            "chart_rules": charts.bars(ov["by_rule"], label="预警按规则"),
            "chart_units": charts.bars(
                [(n, c) for n, c, _ in ov["by_unit"]], label="待处理预警按责任单位", colour="#de2d26"
            ),
            "run": selectors.last_run(),
            "can_run": scope.allows(request.user, "screening.run"),
            "role": role,
        },
    )


@login_required
def alert_detail(request, pk: int):
    try:
        _ensure_reader(request.user)
        with transaction.atomic():
            a = _alert(request.user, pk)
            log_access(
                user=request.user,
                action="view",
                object_type="screening.alert",
                object_id=a.pk,
                household_code=a.household.code if a.household is not None else "",
                purpose="筛查预警核查",
            )
    except JiuzhuError as exc:
        return _error(request, exc)
    return render(
        request,
        "screening/alert.html",
        {"a": selectors.alert_view(a, role_of(request.user)), "actions": AlertAction.choices},
    )


@login_required
@require_POST
def alert_resolve(request, pk: int):
    """Resolve one alert; through HTMX the answer is the alert's row (with the error in it)."""
    htmx = bool(request.headers.get("HX-Request"))
    try:
        _ensure_reader(request.user)
        _alert(request.user, pk)
    except JiuzhuError as exc:
        if htmx:
            return HttpResponse(
                format_html('<tr><td colspan="8" class="error">{}</td></tr>', exc.message), status=exc.status
            )
        return _error(request, exc)
    error = None
    try:
        services.alert_resolve(
            alert_id=pk,
            actor=request.user,
            status=request.POST.get("status", ""),
            action=request.POST.get("action", ""),
            note=request.POST.get("note", ""),
        )
    except JiuzhuError as exc:
        error = exc
    if htmx:
        a = _alert(request.user, pk)
        return render(
            request,
            "screening/_alert_row.html",
            {
                "a": selectors.alert_view(a, role_of(request.user)),
                "actions": AlertAction.choices,
                "error": error and error.message,
            },
            status=error.status if error else 200,
        )
    if error:
        messages.error(request, error.message)
    else:
        messages.success(request, "预警已处理")
    return redirect(request.POST.get("next") or "screening:home")


@login_required
def report_xlsx(request):
    """The button (POST, the page's filters) queues the Excel report as a background job and
    goes to its page, which links to the file when it is built; a GET goes back to the page."""
    from . import background

    f = {k: request.POST.get(k, "") for k in ("kind", "status", "unit")}
    if request.method != "POST":
        return redirect(reverse("screening:home") + "?" + request.GET.urlencode())
    try:
        job = background.report_queue(actor=request.user, **f)
    except JiuzhuError as exc:
        return _error(request, exc)
    return redirect("common:job", job.pk)


@login_required
@require_POST
def run_now(request):
    if not scope.allows(request.user, "screening.run"):
        return _error(request, scope.RoleNotAllowed("只有审批或管理员可以发起筛查", field="role"))
    from . import background

    try:
        job = background.run_queue(actor=request.user, as_of=clock.today())
    except JiuzhuError as exc:  # busy: another press is queueing the run at this very moment
        return _error(request, exc)
    return redirect("common:job", job.pk)  # the run goes on in the worker; the page shows how far


@login_required
def lists(request):
    """GET: the lists and, with ``?report=<id>``, one list's check report. POST: the file is
    streamed to disk and checked by a background job; on to the job's page."""
    try:
        _ensure_reader(request.user)
    except JiuzhuError as exc:
        return _error(request, exc)
    if request.method == "POST":
        from jiuzhu.common import uploads

        from . import background

        kind = request.POST.get("kind", "")
        try:
            services.department_list_check(kind=kind, actor=request.user)
            job = uploads.queue(
                request.FILES.get("file"),
                kind="screening.list_validate",
                actor=request.user,
                suffixes=background.SUFFIXES,
                list_kind=kind,
            )
        except JiuzhuError as exc:
            messages.error(request, exc.message)
            return redirect("screening:lists")
        return redirect("common:job", job.pk)
    mine = selectors.department_lists(request.user)
    report = None
    if request.GET.get("report", "").isdigit():
        report = next((dl for dl in mine if dl.pk == int(request.GET["report"])), None)
    return render(
        request,
        "screening/lists.html",
        {"report": report, "kinds": ListKind.choices, "lists": mine},
    )


@login_required
@require_POST
def list_apply(request, pk: int):
    try:
        dl = services.department_list_apply(list_id=pk, actor=request.user)
        messages.success(request, f"已导入{dl.get_kind_display()}，共{dl.rows_valid}人")
    except JiuzhuError as exc:
        messages.error(request, exc.message)
    return redirect("screening:lists")
