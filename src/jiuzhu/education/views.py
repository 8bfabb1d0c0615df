"""Screens of education assistance: the bureau's schools, a school's term list (the eligible
pupils with the grant by the rule) and the school's confirmation. Thin."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.views import guarded, post_action
from jiuzhu.payments.models import Institution
from jiuzhu.policy.selectors import current_policy

from . import selectors, services


def _term(raw) -> date:
    if not raw:
        today = clock.today()
        return date(today.year, 9 if today.month >= 8 else 3, 1)
    return values.month(values.parse_date(raw, field="term", label="学期"), field="term")  # within the window


_guard = guarded(missing=(Institution.DoesNotExist,), not_found="没有该学校")


@_guard
def home(request):
    return render(request, "education/home.html", {"schools": list(selectors.schools_for(request.user))})


@_guard
def school(request, pk: int):
    s = selectors.school_get(actor=request.user, pk=pk)
    try:
        term = _term(request.GET.get("term"))
    except ValidationFailed as exc:
        messages.error(request, exc.message)
        term = _term(None)
    ctx = {
        "s": s,
        "term": term,
        "term_name": selectors.term_name(term),
        "eligible": selectors.term_eligible(actor=request.user, school=s, term=term, policy=current_policy()),
        "granted": selectors.term_granted(actor=request.user, school=s, term=term),
        "can_confirm": scope.allows(request.user, "education.manage", unit=s.unit_id),
    }
    return render(request, "education/school.html", ctx)


@post_action("education:home")
def confirm(request, pk: int):
    s = selectors.school_get(actor=request.user, pk=pk)
    term = _term(request.POST.get("term"))
    result = services.term_confirm(
        actor=request.user,
        school=s,
        term=term,
        confirmed=[p for p in request.POST.getlist("person") if p.isdigit()],
        policy=current_policy(),
    )
    messages.success(
        request,
        f"已确认 {result['granted']} 名学生：拨付学校 {result['to_school']} 元（待审批），发给家庭 {result['to_family']} 元（随当月名册发放）",
    )
    return redirect(f"/education/schools/{s.pk}/?term={term:%Y-%m-%d}")
