"""Published results (办理结果公开): a month's answers with the applicant masked."""

from __future__ import annotations

from datetime import date, timedelta

from django.db.models import F, Q

from jiuzhu.common import clock
from jiuzhu.common import masking as m
from jiuzhu.registry.models import Unit

from ..models import Application, Referral


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt


RESULT_COLUMNS = [
    ("received", "收到"),
    ("closed", "办结"),
    ("on_time", "按时办结"),
    ("overdue", "超期"),
    ("granted", "给予救助"),
    ("refused", "不予救助"),
    ("charity", "转介慈善"),
    ("transferred", "转办"),
]


def published_results(month: date, *, today: date | None = None) -> list[dict]:
    """Per unit, for one month: referrals received (referred or transferred in), closed, closed
    on time (on or before the due date), overdue (due in the month and not finished by then:
    closed late, or still running after it), granted, refused, handed to a charity and
    transferred out. Only units with any figure are listed."""
    today = today or clock.today()
    first, nxt = month_bounds(month)
    rows: dict[int, dict] = {}

    def row(unit_id) -> dict:
        return rows.setdefault(unit_id, {k: 0 for k, _ in RESULT_COLUMNS})

    for unit_id in Referral.objects.filter(referred_on__gte=first, referred_on__lt=nxt).values_list(
        "unit_id", flat=True
    ):
        row(unit_id)["received"] += 1
    closed = Referral.objects.filter(closed_on__gte=first, closed_on__lt=nxt).values_list(
        "unit_id", "state", "closed_on", "due_on"
    )
    for unit_id, state, closed_on, due_on in closed:
        r = row(unit_id)
        r["closed"] += 1
        r[state] += 1
        if closed_on is not None and closed_on <= due_on:  # closed in the month: never None
            r["on_time"] += 1
    due_in_month = Referral.objects.filter(due_on__gte=first, due_on__lt=min(nxt, today)).filter(
        Q(closed_on__gt=F("due_on")) | Q(state__in=Referral.RUNNING_STATES)
    )
    for unit_id in due_in_month.values_list("unit_id", flat=True):
        row(unit_id)["overdue"] += 1
    units = Unit.objects.in_bulk(list(rows))
    out = []
    for unit_id, counts in rows.items():
        u = units[unit_id]
        out.append(
            {"unit": u.code, "unit_name": u.name, "kind": u.kind, "sort": (u.kind, u.sort_order), **counts}
        )
    out.sort(key=lambda r: r.pop("sort"))
    return out


def masked_applicant(application: Application, role: str) -> dict:
    p = application.applicant
    return {
        "name": m.present("name", p.name, role),
        "id_number": m.present("id_number", p.id_number, role),
    }
