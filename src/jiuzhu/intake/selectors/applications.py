"""Applications and inboxes: a unit's referrals, due-soon and overdue lists, notifications."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from jiuzhu.common import clock
from jiuzhu.common.selectors import deadline
from jiuzhu.registry.models import Unit

from ..models import Application, EmergencyAid, Referral

DUE_SOON_DAYS = 2  # working days (issue 3: due-soon = within 2 working days)


# --- applications and inboxes --------------------------------------------------------------


def application_detail(code: str) -> Application:
    from ..services import get_application

    return get_application(code)


def chains(application: Application) -> list[list[Referral]]:
    """The application's referrals grouped by chain (first leg first), in referral order."""
    legs = list(application.referrals.select_related("unit").order_by("chain_root_id", "leg", "id"))
    groups: dict[int, list[Referral]] = {}
    for r in legs:
        groups.setdefault(r.chain_root_id or r.pk, []).append(r)
    return [groups[k] for k in sorted(groups)]


def _open_referrals():
    return Referral.objects.filter(state__in=Referral.OPEN_STATES).select_related(
        "unit", "application", "application__window"
    )


def inbox(unit: Unit, *, include_closed: bool = False, limit: int = 200) -> list[Referral]:
    """A unit's referrals, the clock-running ones by due date first, then those waiting for
    material. With ``include_closed`` the recently closed follow."""
    running = list(
        _open_referrals()
        .filter(unit=unit, state__in=Referral.RUNNING_STATES)
        .order_by("due_on", "id")[:limit]
    )
    paused = list(
        _open_referrals().filter(unit=unit, state=Referral.PAUSED).order_by("paused_since", "id")[:limit]
    )
    out = running + paused
    if include_closed:
        out += list(
            Referral.objects.filter(unit=unit)
            .exclude(state__in=Referral.OPEN_STATES)
            .select_related("unit", "application")
            .order_by("-closed_at", "-id")[:50]
        )
    return out


def due_soon_until(today: date) -> date:
    """The last due date that counts as due soon on ``today``."""
    return deadline(today, DUE_SOON_DAYS).due


@dataclass
class DeadlineLists:
    today: date
    due_soon: list[Referral] = field(default_factory=list)
    overdue: list[Referral] = field(default_factory=list)
    emergency_overdue: list[EmergencyAid] = field(default_factory=list)


def deadline_lists(
    *, unit: Unit | None = None, window: Unit | None = None, today: date | None = None
) -> DeadlineLists:
    """Due-soon (due today or within 2 working days) and overdue referrals whose clock runs:
    of one handling ``unit``, of the applications one ``window`` took, or (neither given) of
    the whole city for the supervisor. Waiting-for-material referrals are in neither list: their
    clock stands still."""
    today = today or clock.today()
    qs = _open_referrals().filter(state__in=Referral.RUNNING_STATES)
    aids = EmergencyAid.objects.filter(state=EmergencyAid.OPEN, file_due_on__lt=today).select_related(
        "application", "application__window"
    )
    if unit is not None:
        qs = qs.filter(unit=unit)
        aids = aids.filter(application__window=unit)
    if window is not None:
        qs = qs.filter(application__window=window)
        aids = aids.filter(application__window=window)
    return DeadlineLists(
        today=today,
        due_soon=list(
            qs.filter(due_on__gte=today, due_on__lte=due_soon_until(today)).order_by("due_on", "id")
        ),
        overdue=list(qs.filter(due_on__lt=today).order_by("due_on", "id")),
        emergency_overdue=list(aids.order_by("file_due_on", "id")),
    )


def window_applications(window: Unit, *, limit: int = 50):
    return (
        Application.objects.filter(window=window)
        .select_related("household", "applicant")
        .order_by("-received_at", "-id")[:limit]
    )


def notifications_for(user, *, limit: int = 30):
    from ..models import Notification

    role = getattr(user, "effective_role", "") or ""
    q = Q(role=role) if role else Q(pk__in=[])
    if getattr(user, "unit_id", None):
        q |= Q(unit_id=user.unit_id)
    return list(Notification.objects.filter(q).select_related("application")[:limit])
