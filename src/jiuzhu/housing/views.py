"""Screens of housing assistance: the public-rental waiting list in its order with the
allocation of the next flat, and the rural renovations with their stages. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jiuzhu.common import clock, scope
from jiuzhu.common.errors import PermissionDenied
from jiuzhu.common.views import post_action
from jiuzhu.policy.selectors import current_policy

from . import selectors, services


@login_required
def home(request):
    try:
        ctx = {
            "waiting": selectors.waiting_list(actor=request.user),
            "renovations": selectors.renovations(actor=request.user),
            "can_manage": scope.allows(request.user, "housing.manage"),
            "today": clock.today(),
        }
    except PermissionDenied as exc:
        return render(request, "registry/forbidden.html", {"message": exc.message}, status=403)
    return render(request, "housing/home.html", ctx)


@post_action("housing:home")
def allocate(request):
    e = services.allocate_next(
        actor=request.user, flat=request.POST.get("flat"), on=request.POST.get("on"), policy=current_policy()
    )
    messages.success(request, f"已向户 {e.household.code} 配租 {e.flat}；其住房租赁补贴自下月起停发")
    return redirect("housing:home")
