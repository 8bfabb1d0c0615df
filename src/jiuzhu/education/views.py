"""Screens of education assistance: the bureau's schools, a school's term list (the eligible
pupils with the grant by the rule) and the school's confirmation. Thin."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.shortcuts import redirect, render

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.exports import download
from jiuzhu.common.views import guarded, post_action
from jiuzhu.payments.models import Institution
from jiuzhu.policy.selectors import current_policy

from . import selectors, services, termfiles
from .models import TermReturn


def _term(raw) -> date:
    if not raw:
        today = clock.today()
        return date(today.year, 9 if today.month >= 8 else 3, 1)
    return values.month(values.parse_date(raw, field="term", label="学期"), field="term")  # within the window


_guard = guarded(missing=(Institution.DoesNotExist, TermReturn.DoesNotExist), not_found="没有该学校或名单")


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


@_guard
def term_xlsx(request, pk: int):
    """The term's eligible pupils of the school as the workbook the school fills in."""
    s = selectors.school_get(actor=request.user, pk=pk)
    term = _term(request.GET.get("term"))
    content = termfiles.term_workbook(actor=request.user, school=s, term=term, policy=current_policy())
    return download(content, f"{s.name}-{selectors.term_name(term)}-教育救助名单.xlsx")


@post_action("education:home")
def term_upload(request, pk: int):
    """The school's returned workbook: kept and checked by the worker (on to the job's page)."""
    from . import background

    s = selectors.school_get(actor=request.user, pk=pk)
    job = background.queue(
        request.FILES.get("file"), actor=request.user, school=s.pk, term=_term(request.POST.get("term"))
    )
    return redirect("common:job", job.pk)


@_guard
def term_return(request, pk: int):
    t = termfiles.return_get(actor=request.user, pk=pk)
    ctx = {
        "t": t,
        "term_name": selectors.term_name(t.term),
        "can_apply": t.state == TermReturn.VALIDATED
        and not t.errors
        and bool(t.confirmed)
        and scope.allows(request.user, "education.manage", unit=t.school.unit_id),
    }
    return render(request, "education/term_return.html", ctx)


@post_action("education:home")
def term_return_apply(request, pk: int):
    t = termfiles.return_apply(actor=request.user, term_return=pk, policy=current_policy())
    assert t.result is not None  # return_apply has written the result
    messages.success(request, f"已按学校回传名单确认发放 {t.result['granted']} 名学生")
    return redirect("education:term_return", pk=t.pk)
