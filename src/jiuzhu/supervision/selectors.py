"""Reads of the supervision app: the conference (members, officers, meetings, directives),
complaints, and the figures other areas read (``misconduct_for``, ``kpi_supervision``,
``chain_entries``)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import F, Q, Sum

from jiuzhu.common import clock
from jiuzhu.common.roles import role_of
from jiuzhu.registry.models import Unit

from .models import (
    AccountabilityRecord,
    Assignment,
    Complaint,
    ConferenceOfficer,
    Directive,
    Meeting,
    Misconduct,
)


def member_units():
    """The joint conference's member units with their stated duties (registry, from the
    policy file): towns first, then departments."""
    return Unit.objects.filter(is_conference_member=True).order_by("kind", "sort_order", "code")


def officers(*, on: date | None = None):
    on = on or clock.today()
    return (
        ConferenceOfficer.objects.filter(since__lte=on)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .select_related("user", "user__unit")
    )


def meetings(*, year: int | None = None):
    qs = Meeting.objects.all()
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("planned_on", "id")


def next_meeting(*, today: date | None = None) -> Meeting | None:
    today = today or clock.today()
    return (
        Meeting.objects.filter(status=Meeting.PLANNED, planned_on__gte=today).order_by("planned_on").first()
    )


def assignments(*, unit: Unit | None = None, open_only: bool = False):
    qs = Assignment.objects.select_related("directive", "unit", "directive__meeting")
    if unit is not None:
        qs = qs.filter(unit=unit)
    if open_only:
        qs = qs.exclude(state=Assignment.CLOSED)
    return qs.order_by("due_on", "directive_id", "unit__code")


def directives(*, status: str | None = None):
    qs = Directive.objects.prefetch_related("assignments__unit").select_related("meeting")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("status", "due_on", "id")


def complaints_for(user, *, state: str | None = None):
    """The complaints a user may see: all for supervisors, the convener and the admin; the
    handling unit's staff see theirs; anyone sees those he lodged."""
    from . import access

    qs = Complaint.objects.select_related("unit", "handling_unit")
    if role_of(user) not in access.OVERSIGHT_ROLES:
        qs = qs.filter(Q(handling_unit_id=user.unit_id) | Q(lodged_by_id=user.pk))
    if state:
        qs = qs.filter(state=state)
    return qs


def accountability_records(*, unit: Unit | None = None):
    qs = AccountabilityRecord.objects.select_related("unit", "complaint", "staff")
    if unit is not None:
        qs = qs.filter(unit=unit)
    return qs


def misconduct_list(*, unit: Unit | None = None):
    qs = Misconduct.objects.select_related("unit", "complaint")
    return qs.filter(unit=unit) if unit is not None else qs


NOTICE_KINDS = ("directive_due_soon", "directive_overdue", "complaint_overdue")


def notices_for(user, *, limit: int = 10) -> list:
    """The directive and complaint notices (``jiuzhu supervise --tick``) addressed to the
    user's unit or role."""
    from jiuzhu.intake.models import Notification

    role = getattr(user, "effective_role", "") or ""
    q = Q(role=role) if role else Q(pk__in=[])
    if getattr(user, "unit_id", None):
        q |= Q(unit_id=user.unit_id)
    return list(Notification.objects.filter(q, kind__in=NOTICE_KINDS).order_by("-created_at", "-id")[:limit])


# --- read by other areas ------------------------------------------------------------------


def _unit_q(unit) -> dict:
    """A unit given as a ``Unit``, its pk or its code."""
    if isinstance(unit, Unit):
        return {"unit": unit}
    if isinstance(unit, int):
        return {"unit_id": unit}
    return {"unit__code": str(unit)}


def misconduct_for(*, unit: Unit | int, start: date, end: date) -> list[dict]:
    """Confirmed findings against ``unit`` found between ``start`` and ``end`` (inclusive),
    newest first. Each item: ``complaint`` (its code), ``kind`` (refused_acceptance / overdue /
    unfair / data_leak / other), ``kind_display``, ``found_on`` (date), ``points`` (Decimal
    deducted from the unit's evaluation), ``summary``. ``len()`` is the count; the total
    deduction is ``sum(x["points"] for x in ...)``."""
    rows = Misconduct.objects.filter(unit=unit, found_on__gte=start, found_on__lte=end).select_related(
        "complaint"
    )
    return [
        {
            "complaint": r.complaint.code,
            "kind": r.kind,
            "kind_display": r.get_kind_display(),
            "found_on": r.found_on,
            "points": r.points,
            "summary": r.summary,
        }
        for r in rows
    ]


def kpi_supervision(*, start: date, end: date, unit: Unit | str | None = None) -> dict:
    """Supervision figures for the period (inclusive), city-wide or for one unit (the unit
    complained about / assigned). Keys (ints unless said):

    - ``complaints_received``: complaints lodged in the period
    - ``complaints_closed``: complaints closed in the period
    - ``complaints_closed_on_time``: of those, closed by their due date
    - ``complaints_overdue``: not closed by the end, due before the end
    - ``complaints_confirmed``: closed in the period with the finding 属实
    - ``misconduct_points`` (Decimal): deduction points of misconduct found in the period
    - ``accountability_records``: accountability decisions dated in the period
    - ``directives_assigned``: directive parts assigned in the period
    - ``directives_closed``: directive parts closed (accepted) in the period
    - ``directives_closed_on_time``: of those, closed by their due date
    - ``directives_overdue``: parts not closed by the end, due before the end
    - ``meetings_held``: conference meetings held in the period (city-wide figure)
    """
    complaints = Complaint.objects.all()
    parts = Assignment.objects.all()
    misconduct = Misconduct.objects.filter(found_on__gte=start, found_on__lte=end)
    records = AccountabilityRecord.objects.filter(decided_on__gte=start, decided_on__lte=end)
    if unit is not None:
        q = _unit_q(unit)
        complaints = complaints.filter(**q)
        parts = parts.filter(**q)
        misconduct = misconduct.filter(**q)
        records = records.filter(**q)
    closed = complaints.filter(closed_on__gte=start, closed_on__lte=end)
    parts_closed = parts.filter(closed_on__gte=start, closed_on__lte=end)
    return {
        "complaints_received": complaints.filter(lodged_on__gte=start, lodged_on__lte=end).count(),
        "complaints_closed": closed.count(),
        "complaints_closed_on_time": closed.filter(closed_on__lte=F("due_on")).count(),
        "complaints_overdue": complaints.filter(lodged_on__lte=end, due_on__lt=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .count(),
        "complaints_confirmed": closed.filter(finding=Complaint.CONFIRMED).count(),
        "misconduct_points": misconduct.aggregate(s=Sum("points"))["s"] or Decimal("0"),
        "accountability_records": records.count(),
        "directives_assigned": parts.filter(
            directive__decided_on__gte=start, directive__decided_on__lte=end
        ).count(),
        "directives_closed": parts_closed.count(),
        "directives_closed_on_time": parts_closed.filter(closed_on__lte=F("due_on")).count(),
        "directives_overdue": parts.filter(directive__decided_on__lte=end, due_on__lt=end)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=end))
        .count(),
        "meetings_held": Meeting.objects.filter(held_on__gte=start, held_on__lte=end).count(),
    }


def chain_entries(*, household, role: str):
    """Complaints about the household's applications on its assistance chain (no
    complainant data, no notes)."""
    from jiuzhu.registry.chain import ChainEntry

    rows = Complaint.objects.filter(application__household=household).select_related("handling_unit")
    for c in rows:
        detail = f"{c.get_state_display()}，办理单位 {c.handling_unit.name}"
        if c.state == Complaint.CLOSED:
            detail += f"，{c.get_finding_display()}"
        yield ChainEntry(
            at=c.lodged_at,
            area="监督",
            title=f"投诉：{c.get_kind_display()}（申请 {c.tracking_code}）",
            detail=detail,
            unit=c.unit.name if c.unit else "",
        )
