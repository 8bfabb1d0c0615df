"""Who may see an application (scope table ``application.read``). Kept apart from the
selectors, which only query."""

from __future__ import annotations

from jiuzhu.common import scope

from .models import Application


def reads_city_wide(user) -> bool:
    return scope.scope_of(user, "application.read") == scope.CITY


def can_view(user, application: Application) -> bool:
    """Scope table ``application.read``: the window that took it (and its town's caseworkers),
    every unit holding one of its referrals, and the city-wide readers."""
    reach = scope.scope_of(user, "application.read")
    if reach == scope.CITY:
        return True
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or reach == scope.NONE:
        return False
    if reach == scope.TOWN and unit_id == application.window_id:
        return True
    return application.referrals.filter(unit_id=unit_id).exists()


def ensure_can_view(user, application: Application) -> None:
    from jiuzhu.common.errors import PermissionDenied

    if not can_view(user, application):
        raise PermissionDenied("您无权查看该申请", code="forbidden")
