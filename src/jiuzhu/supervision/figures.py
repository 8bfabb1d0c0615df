"""The period's key figures for a meeting's agenda: the performance area's ``city_kpis`` when
it is installed, else a few counts from intake computed here."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal

from django.db.models import F, Q

from jiuzhu.common.labels import kpi as kpi_label
from jiuzhu.performance import selectors as performance

log = logging.getLogger(__name__)

# Labels for the fallback figures (the performance area labels its own).
FALLBACK_LABELS = {
    "applications": "受理救助申请（件）",
    "referrals": "分办事项（件）",
    "closed": "办结（件）",
    "closed_on_time": "按时办结（件）",
    "overdue_open": "超期未办结（件）",
    "transfers": "转办（次）",
}


def _jsonable(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float | str | bool) or value is None:
        return value
    return str(value)


def intake_figures(*, start: date, end: date) -> dict:
    from jiuzhu.intake.models import Application, Referral

    refs = Referral.objects.filter(referred_on__gte=start, referred_on__lte=end)
    closed = Referral.objects.filter(closed_on__gte=start, closed_on__lte=end)
    return {
        "applications": Application.objects.filter(received_on__gte=start, received_on__lte=end).count(),
        "referrals": refs.count(),
        "closed": closed.count(),
        "closed_on_time": closed.filter(closed_on__lte=F("due_on")).count(),
        "overdue_open": Referral.objects.filter(
            Q(state__in=Referral.OPEN_STATES), due_on__lt=end, referred_on__lte=end
        ).count(),
        "transfers": closed.filter(state=Referral.TRANSFERRED).count(),
    }


def key_figures(*, start: date, end: date) -> dict:
    """``{"source": "performance"|"intake", "start", "end", "figures": [{"key","label","value"}]}``
    (JSON-ready: a meeting's agenda keeps it as it was)."""
    raw, source = None, "intake"
    try:
        raw, source = performance.city_kpis(start=start, end=end), "performance"
    except Exception:  # another area's figures must not stop a meeting being prepared
        log.warning("performance.city_kpis failed; using intake counts", exc_info=True)
        raw = None
    if raw is None:
        raw, source = intake_figures(start=start, end=end), "intake"
    figures = []
    for key, value in (raw or {}).items():
        if isinstance(value, dict):
            # a group of figures (e.g. alerts by kind): one line per figure of the group
            for sub, v in value.items():
                if isinstance(v, int | float | Decimal | str) and not isinstance(v, bool):
                    figures.append(
                        {
                            "key": f"{key}.{sub}",
                            "label": kpi_label(f"{key}.{sub}"),
                            "value": _jsonable(v),
                        }
                    )
            continue
        if isinstance(value, list | tuple | set):
            continue  # drill-down lists stay in the performance area
        if key == "source":  # where the figures come from ("snapshot" / "live"), in words
            value = kpi_label(str(value))
        figures.append({"key": key, "label": kpi_label(key), "value": _jsonable(value)})
    return {"source": source, "start": start.isoformat(), "end": end.isoformat(), "figures": figures}
