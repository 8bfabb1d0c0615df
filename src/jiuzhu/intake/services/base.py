"""Shared by intake's writes: the case event log, who works at which window, closing an
application when its work is done."""

from __future__ import annotations

from jiuzhu.common import clock, scope
from jiuzhu.common.errors import NotFound
from jiuzhu.registry.models import Unit, User

from .. import tracking
from ..models import Application, CaseEvent, EmergencyAid, Referral

ADULT_AGE = 18


def actor_name(user) -> str:
    if user is None:
        return "系统"
    return getattr(user, "display_name", "") or getattr(user, "username", "") or str(user)


def event(
    application, kind, *, actor: User | None = None, unit=None, referral=None, note="", data=None, at=None
):
    return CaseEvent.objects.create(
        application=application,
        referral=referral,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=actor_name(actor),
        unit=unit if unit is not None else getattr(actor, "unit", None),
        at=at or clock.now(),
        note=note or "",
        data=data or {},
    )


# --- who may do what -----------------------------------------------------------------------


def ensure_window_staff(actor: User) -> Unit:
    """The actor works at a town window (scope table: ``application.take``); returns his town."""
    scope.require(actor, "application.take")
    unit = actor.unit
    if unit is None or unit.kind != Unit.Kind.TOWN:
        raise scope.OutOfScope("只有镇街一门受理窗口的工作人员可以受理申请", field="unit")
    return unit


def ensure_window_of(actor: User, application: Application) -> None:
    """The application was taken at the actor's own town window."""
    ensure_window_staff(actor)
    if actor.unit_id != application.window_id:
        raise scope.OutOfScope(f"该申请由{application.window.name}窗口受理，您不能代其办理", field="town")


def close_if_done(application: Application, *, actor: User | None = None) -> bool:
    """Close the application when every referral chain has its answer and every emergency aid
    its file (called inside the transaction of the step that may finish it)."""
    app = Application.objects.select_for_update().get(pk=application.pk)
    if app.status == Application.CLOSED:
        return False
    has_work = app.referrals.exists() or app.emergency_aids.exists()
    if not has_work or app.referrals.filter(state__in=Referral.OPEN_STATES).exists():
        return False
    if app.emergency_aids.filter(state=EmergencyAid.OPEN).exists():
        return False
    app.status = Application.CLOSED
    app.closed_at = clock.now()
    app.save(update_fields=["status", "closed_at"])
    event(app, "closed", actor=actor, unit=app.window)
    return True


def get_application(code: str) -> Application:
    code = tracking.normalise(code) or code
    try:
        return Application.objects.select_related("household", "window", "applicant").get(tracking_code=code)
    except Application.DoesNotExist:
        raise NotFound(f"申请 {code} 不存在", field="code") from None
