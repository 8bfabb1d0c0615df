"""Screens of extreme-poverty support: civil affairs' support institutions with their beds, a
home's residents (each with its leaving form), the month's centralised support paid to it, a
placement (a person in centralised support into a home with a free bed) and the funeral
benefit. Thin: each form calls one service, whose refusal is shown in Chinese."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import NotFound, ValidationFailed
from jiuzhu.common.masking import present
from jiuzhu.common.params import parameter
from jiuzhu.common.roles import role_of
from jiuzhu.common.views import guarded, post_action
from jiuzhu.decisions.entitlements import month_start
from jiuzhu.policy.selectors import current_policy

from . import selectors, services
from .models import LeftReason, Placement, SupportHome

_guard = guarded(missing=(SupportHome.DoesNotExist, Placement.DoesNotExist), not_found="没有该记录")


@_guard
def home(request):
    today = clock.today()
    rows = [{"h": h, "occupied": selectors.occupied(h, today)} for h in selectors.homes_for(request.user)]
    can_manage = scope.allows(request.user, "tekun.manage")
    return render(request, "tekun/home.html", {"rows": rows, "can_manage": can_manage})


@_guard
def support_home(request, pk: int):
    h = selectors.home_get(actor=request.user, pk=pk)
    month = month_start(clock.today())
    role = role_of(request.user)
    residents = [
        {"pl": pl, "name": present("name", pl.person.name, role)} for pl in selectors.residents_in(h, month)
    ]
    ctx = {
        "h": h,
        "month": month,
        "residents": residents,
        "occupied": selectors.occupied(h, clock.today()),
        "can_manage": scope.allows(request.user, "tekun.manage", unit=h.institution.unit_id),
        "reasons": LeftReason.choices,
        "today": clock.today(),
    }
    return render(request, "tekun/support_home.html", ctx)


@post_action("tekun:home")
def pay_month(request, pk: int):
    h = selectors.home_get(actor=request.user, pk=pk)
    month = values.month(request.POST.get("month"), field="month")
    out = services.support_transfer_create(actor=request.user, home=h, month=month)
    messages.success(
        request,
        f"已生成{month:%Y年%m月}集中供养金拨付：{out['residents']} 人，{out['transfer'].amount} 元（待另一人审批）",
    )
    return redirect("tekun:home_detail", pk=h.pk)


@_guard
def placement_new(request):
    today = clock.today()
    role = role_of(request.user)
    people = [
        {"p": p, "name": present("name", p.name, role), "code": p.household.code}
        for p in selectors.placement_candidates(actor=request.user, on=today)
    ]
    homes = selectors.homes_with_free_beds(actor=request.user, on=today)
    return render(request, "tekun/placement_new.html", {"people": people, "homes": homes, "today": today})


@post_action("tekun:placement_new")
def placement_create(request):
    pl = services.placement_create(
        actor=request.user,
        home=_pk(request.POST.get("home"), "home", "请选择供养服务机构"),
        person=_pk(request.POST.get("person"), "person", "请选择入住人员"),
        entered_on=request.POST.get("entered_on"),
    )
    messages.success(
        request, f"已办理入住{pl.home.institution.name}（{pl.entered_on:%Y-%m-%d}），供养方式登记为集中供养"
    )
    return redirect("tekun:home_detail", pk=pl.home_id)


@post_action("tekun:home")
def placement_leave(request, pk: int):
    pl = services.placement_leave(
        actor=request.user, placement=pk, on=request.POST.get("on"), reason=request.POST.get("reason", "")
    )
    messages.success(request, f"已登记离开：{pl.get_left_reason_display()}（{pl.left_on:%Y-%m-%d}）")
    return redirect("tekun:home_detail", pk=pl.home_id)


@_guard
def funerals(request):
    role = role_of(request.user)
    people = [
        {"p": p, "name": present("name", p.name, role), "code": p.household.code}
        for p in selectors.funeral_candidates(actor=request.user)
    ]
    return render(request, "tekun/funerals.html", {"people": people})


@_guard
def funeral(request, pk: int):
    person = _candidate(request, pk)
    role = role_of(request.user)
    institutions, members, default = selectors.funeral_payees(person)
    ctx = {
        "person": person,
        "name": present("name", person.name, role),
        "institutions": institutions,
        "members": [{"p": m, "name": present("name", m.name, role)} for m in members],
        "default": default,
        "amount": parameter(current_policy(), "tekun.funeral_benefit", person.deceased_on),
    }
    return render(request, "tekun/funeral.html", ctx)


@post_action("tekun:funerals")
def funeral_grant(request, pk: int):
    person = _candidate(request, pk)
    fb = services.funeral_grant(
        actor=request.user,
        person=person,
        policy=current_policy(),
        institution=_pk(request.POST.get("institution"), "institution", "", required=False),
        payee=_pk(request.POST.get("payee"), "payee", "", required=False),
    )
    to = fb.institution.name if fb.institution is not None else "家庭成员（随发放名册发放）"
    messages.success(request, f"已给予丧葬补助 {fb.amount} 元，支付给{to}")
    return redirect("tekun:funerals")


def _candidate(request, pk: int):
    person = next((p for p in selectors.funeral_candidates(actor=request.user) if p.pk == pk), None)
    if person is None:
        raise NotFound("该人员不是待发放丧葬补助的特困人员", field="person", code="not_a_candidate")
    return person


def _pk(raw, field: str, message: str, *, required: bool = True) -> int | None:
    """A choice posted from a select list (an id); blank is ``None`` unless required."""
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise ValidationFailed(message, field=field, code="required")
        return None
    if not raw.isdigit():
        raise ValidationFailed("选择无效，请重新选择", field=field, code="invalid_choice")
    return int(raw)
