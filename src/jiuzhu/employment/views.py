"""Screens of employment assistance: the unit's open registrations and the zero-employment
households due a public-welfare post; a registration with its offers, answers, duty letters
and subsidies; the forms that write through ``services``. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.exports import download
from jiuzhu.common.views import guarded, post_action
from jiuzhu.decisions.letters import pdf
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person

from . import selectors, services
from .models import DutyLetter, EndedReason, Offer, OfferKind, Registration, SubsidyKind

_guard = guarded(missing=(Registration.DoesNotExist, DutyLetter.DoesNotExist), not_found="没有该记录")


@_guard
def home(request):
    actor, today = request.user, clock.today()
    ctx = {
        "rows": selectors.rows_for(actor, selectors.registrations_for(actor)),
        "due": selectors.public_post_due(actor=actor, on=today, policy=current_policy()),
        "can_manage": scope.allows(actor, "employment.manage"),
    }
    return render(request, "employment/home.html", ctx)


@_guard
def registration(request, pk: int):
    r = selectors.registration_get(actor=request.user, pk=pk)
    row = selectors.rows_for(request.user, [r])[0]
    ctx = {
        **row,
        "offers": list(r.offers.all()),
        "letters": list(r.duty_letters.all()),
        "subsidies": list(r.subsidies.all()),
        "kinds": OfferKind.choices,
        "subsidy_kinds": SubsidyKind.choices,
        "today": clock.today(),
        "can_manage": r.ended_on is None and scope.allows(request.user, "employment.manage", unit=r.unit_id),
        "can_subsidise": r.ended_reason != EndedReason.WITHDRAWN
        and scope.allows(request.user, "employment.manage", unit=r.unit_id),
    }
    return render(request, "employment/registration.html", ctx)


@_guard
def letter_pdf(request, pk: int):
    letter = DutyLetter.objects.select_related("registration").get(pk=pk)
    scope.require(request.user, "employment.read", unit=letter.registration.unit_id)
    # a duty letter has what pdf() reads of a decision letter (number, content, get_kind_display)
    data = pdf(letter)  # type: ignore[arg-type]
    return download(data, f"就业义务告知书-{letter.number}.pdf", inline=True)


@post_action("employment:home")
def register(request):
    number = values.id_number(request.POST.get("id_number"), field="id_number")
    person = Person.objects.filter(id_number=number).first()
    if person is None:
        raise ValidationFailed("户籍档案中没有该身份证号码的人员", field="id_number", code="person_not_found")
    r = services.registration_create(
        actor=request.user,
        person=person,
        registered_on=request.POST.get("registered_on"),
        policy=current_policy(),
    )
    messages.success(request, "已办理失业登记")
    return redirect("employment:registration", pk=r.pk)


@post_action("employment:home")
def offer(request, pk: int):
    p = request.POST
    services.offer_create(
        actor=request.user,
        registration=pk,
        employer=p.get("employer"),
        position=p.get("position"),
        monthly_wage=p.get("monthly_wage"),
        offered_on=p.get("offered_on"),
        kind=p.get("kind") or Offer.JOB,
    )
    messages.success(request, "已登记岗位推荐")
    return redirect("employment:registration", pk=pk)


@post_action("employment:home")
def answer(request, pk: int):
    p = request.POST
    o = services.offer_answer(
        actor=request.user,
        offer=pk,
        answer=p.get("answer", ""),
        answered_on=p.get("answered_on"),
        reason=p.get("reason", ""),
        good_reason=p.get("good_reason") == "1",
        policy=current_policy(),
    )
    if DutyLetter.objects.filter(last_offer=o).exists():
        messages.warning(
            request, "已连续无正当理由拒绝推荐岗位达到规定次数：已出具就业义务告知书，并提请民政部门复核低保"
        )
    else:
        messages.success(request, "已登记答复")
    return redirect("employment:registration", pk=o.registration_id)


@post_action("employment:home")
def outcome(request, pk: int):
    p = request.POST
    services.outcome_record(
        actor=request.user,
        registration=pk,
        employed_on=p.get("employed_on"),
        employer=p.get("employer"),
        monthly_wage=p.get("monthly_wage"),
        policy=current_policy(),
    )
    messages.success(request, "已登记就业，低保家庭将据此复核")
    return redirect("employment:registration", pk=pk)


@post_action("employment:home")
def subsidy(request, pk: int):
    s = services.subsidy_grant(
        actor=request.user,
        registration=pk,
        kind=request.POST.get("kind", ""),
        start_month=request.POST.get("start_month"),
        policy=current_policy(),
    )
    messages.success(request, f"已核定{s.get_kind_display()} {s.amount} 元")
    return redirect("employment:registration", pk=pk)
