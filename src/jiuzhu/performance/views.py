"""Screens: the leaders' dashboard (/performance/), the cases behind a figure, the unit
evaluation with its manual items, the city ranking, PDF/Excel exports, and the public
disclosure page (no login)."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import JiuzhuError, NotFound, ValidationFailed
from jiuzhu.common.exports import download
from jiuzhu.common.roles import role_of
from jiuzhu.common.views import post_action
from jiuzhu.registry.models import Unit

from . import dashboard, disclosure, evaluation, reports, selectors, services


def _ensure_reader(user) -> None:
    scope.require(user, "performance.read")  # the scope table's row, not a second list of roles


def _error(request, exc: JiuzhuError):
    return render(request, "performance/error.html", {"error": exc}, status=exc.status)


def _date(value: str, default: date, field: str) -> date:
    if not value:
        return default
    return values.date_param(value, field=field)  # YYYY-MM-DD within the platform's window


def _period(request) -> tuple[date, date]:
    today = clock.today()
    year = request.GET.get("year")
    if year:
        y = values.year_param(year, field="year")
        return date(y, 1, 1), date(y, 12, 31)
    start = _date(request.GET.get("start", ""), date(today.year, 1, 1), "start")
    end = _date(request.GET.get("end", ""), date(today.year, 12, 31), "end")
    if end < start:
        raise ValidationFailed("结束日期不能早于开始日期", field="end", code="bad_period")
    return start, end


def _unit(code: str | None):
    if not code:
        return None
    u = Unit.objects.filter(code=code).first()
    if u is None:
        raise NotFound("没有这个单位", field="unit", code="unit_not_found")
    return u


def cases_url(figure: str, start: date, end: date, unit=None) -> str:
    q = {"figure": figure, "start": start.isoformat(), "end": end.isoformat()}
    if unit is not None:
        q["unit"] = unit.code if hasattr(unit, "code") else unit
    return reverse("performance:cases") + "?" + urlencode(q)


@login_required
def home(request):
    try:
        _ensure_reader(request.user)
        year = values.year_param(request.GET.get("year") or clock.today().year)
    except JiuzhuError as exc:
        return _error(request, exc)
    from . import refresh as refreshing

    ctx = dashboard.context(year=year, cases_url=cases_url, with_live=False)
    ctx["can_refresh"] = scope.allows(request.user, "performance.refresh")
    ctx["refreshing"] = refreshing.running()
    return render(request, "performance/home.html", ctx)


@login_required
def live(request):
    """Today's live figures, the dashboard's section loaded after the page (htmx): they read
    the month's entitlements and every monitored household, which takes seconds in a city of
    a million, while the page itself reads only the snapshots."""
    try:
        _ensure_reader(request.user)
    except JiuzhuError as exc:
        return _error(request, exc)
    return render(request, "performance/_live.html", {"live": dashboard.live(cases_url=cases_url)})


@post_action("performance:home")
def refresh(request):
    """The dashboard's button: queue the year's snapshot refresh (one at a time) and go to the
    job's page, which links back to the dashboard when it is done."""
    from . import refresh as refreshing

    job = refreshing.refresh_queue(actor=request.user, year=request.POST.get("year", ""))
    return redirect("common:job", job.pk)


@login_required
def briefing_pdf(request):
    try:
        _ensure_reader(request.user)
        year = values.year_param(request.GET.get("year") or clock.today().year)
    except JiuzhuError as exc:
        return _error(request, exc)
    ctx = dashboard.context(year=year, cases_url=cases_url)
    return download(reports.briefing_pdf(ctx), f"社会救助工作简报-{year}.pdf")


@login_required
def cases(request):
    try:
        _ensure_reader(request.user)
        start, end = _period(request)
        unit = _unit(request.GET.get("unit"))
        figure = request.GET.get("figure", "received")
        qs = selectors.figure_cases(figure=figure, start=start, end=end, unit=unit)
        if qs is None:
            raise ValidationFailed("没有这个指标", field="figure", code="unknown_figure")
    except JiuzhuError as exc:
        return _error(request, exc)
    total = qs.count()
    rows = list(qs[:500])
    return render(
        request,
        "performance/cases.html",
        {
            "rows": rows,
            "total": total,
            "figure": figure,
            "figure_label": selectors.FIGURES[figure],
            "unit": unit,
            "start": start,
            "end": end,
        },
    )


PROVIDER_LABELS = {
    "alerts": "筛查预警",
    "funds": "资金发放",
    "decisions": "审核确认",
    "supervision": "监督",
    "charity": "社会力量",
}


@login_required
def period_kpis(request):
    """Any unit (or the city), any period: live unless the period is whole snapshot months."""
    try:
        _ensure_reader(request.user)
        start, end = _period(request)
        unit = _unit(request.GET.get("unit"))
    except JiuzhuError as exc:
        return _error(request, exc)
    k = selectors.unit_kpis(unit=unit, start=start, end=end)
    figures = [
        (
            label,
            k["intake"]["open_overdue_at_end" if key == "open_overdue" else key],
            cases_url(key, start, end, unit),
        )
        for key, label in selectors.FIGURES.items()
    ]
    others = [(PROVIDER_LABELS[name], k[name]) for name in selectors.PROVIDERS]
    return render(
        request,
        "performance/kpis.html",
        {
            "k": k,
            "i": k["intake"],
            "figures": figures,
            "others": others,
            "unit": unit,
            "start": start,
            "end": end,
            "units": Unit.objects.order_by("sort_order", "id"),
        },
    )


@login_required
def evaluation_view(request, code: str):
    try:
        _ensure_reader(request.user)
        unit = _unit(code)
        start, end = _period(request)
    except JiuzhuError as exc:
        return _error(request, exc)
    if request.method == "POST":
        try:
            services.manual_item_record(
                actor=request.user,
                unit=unit,
                start=start,
                end=end,
                indicator=request.POST.get("indicator", ""),
                points=request.POST.get("points", ""),
                evidence=request.POST.get("evidence", ""),
            )
        except JiuzhuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "人工评分已记录")
        return redirect(request.get_full_path())
    ev = selectors.evaluate_unit(unit=unit, start=start, end=end)
    return render(
        request,
        "performance/evaluation.html",
        {
            "ev": ev,
            "unit": unit,
            "start": start,
            "end": end,
            "manual": evaluation.manual_indicators(),
            "can_enter": role_of(request.user) in services.EVALUATORS,
            "query": urlencode({"start": start.isoformat(), "end": end.isoformat()}),
        },
    )


@login_required
def evaluation_pdf(request, code: str):
    try:
        _ensure_reader(request.user)
        unit = _unit(code)
        start, end = _period(request)
    except JiuzhuError as exc:
        return _error(request, exc)
    pdf = reports.evaluation_pdf(selectors.evaluate_unit(unit=unit, start=start, end=end))
    return download(pdf, f"绩效评价-{unit.name}-{start}至{end}.pdf")


@login_required
def ranking(request):
    try:
        _ensure_reader(request.user)
        start, end = _period(request)
    except JiuzhuError as exc:
        return _error(request, exc)
    rows = selectors.ranking_rows(start=start, end=end)
    q = urlencode({"start": start.isoformat(), "end": end.isoformat()})
    if request.GET.get("format") == "xlsx":
        return download(reports.ranking_xlsx(rows, start=start, end=end), f"绩效评价排名-{start}至{end}.xlsx")
    return render(request, "performance/ranking.html", {"rows": rows, "start": start, "end": end, "query": q})


def public(request):
    """信息公开: aggregate figures only (no login, no personal data)."""
    try:
        year = values.year_param(request.GET.get("year") or clock.today().year)
    except ValidationFailed:
        year = clock.today().year
    return render(request, "performance/public.html", disclosure.context(year=year))
