"""Screens of housing assistance: the public-rental waiting list in its order with the
allocation of the next flat, and the rural renovations with their stages. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render

from jiuzhu.common import clock, scope
from jiuzhu.common.views import guarded, post_action
from jiuzhu.policy.selectors import current_policy

from . import selectors, services


@guarded
def home(request):
    ctx = {
        "waiting": selectors.waiting_list(actor=request.user),
        "renovations": selectors.renovations(actor=request.user),
        "can_manage": scope.allows(request.user, "housing.manage"),
        "today": clock.today(),
    }
    return render(request, "housing/home.html", ctx)


@post_action("housing:home")
def allocate(request):
    e = services.allocate_next(
        actor=request.user, flat=request.POST.get("flat"), on=request.POST.get("on"), policy=current_policy()
    )
    messages.success(request, f"已向户 {e.household.code} 配租 {e.flat}；其住房租赁补贴自下月起停发")
    return redirect("housing:home")
