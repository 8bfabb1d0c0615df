"""Screens of extreme-poverty support: civil affairs' support institutions with their beds, a
home's residents, and the month's centralised support paid to it. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from jiuzhu.common import clock, scope, values
from jiuzhu.common.masking import present
from jiuzhu.common.roles import role_of
from jiuzhu.common.views import guarded, post_action
from jiuzhu.decisions.entitlements import month_start

from . import selectors, services
from .models import SupportHome

_guard = guarded(missing=(SupportHome.DoesNotExist,), not_found="没有该机构")


@_guard
def home(request):
    today = clock.today()
    rows = [{"h": h, "occupied": selectors.occupied(h, today)} for h in selectors.homes_for(request.user)]
    return render(request, "tekun/home.html", {"rows": rows})


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
