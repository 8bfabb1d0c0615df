"""The public tracking view. The look-up is the hot path (hundreds a second): fixed SQL, no
ORM compilation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import connection

from ..models import AmountPeriod, Application, ApplicationStatus, EmergencyAid, Referral, ReferralState


def result_view(r: Referral) -> dict | None:
    if r.state == Referral.GRANTED:
        return {
            "kind": "granted",
            "amount": f"{r.amount:.2f}",
            "period": r.amount_period,
            "period_display": r.get_amount_period_display(),
            "start_month": r.start_month.strftime("%Y-%m") if r.start_month else None,
            "note": r.reasons,
        }
    if r.state == Referral.REFUSED:
        return {"kind": "refused", "reasons": r.reasons, "basis": r.basis, "alternatives": r.alternatives}
    if r.state == Referral.CHARITY:
        return {"kind": "charity", "charity": r.charity_name, "note": r.reasons}
    return None


def tracking_view(application: Application) -> dict:
    """What the public page shows: the code, when and where it was received, and each
    service's progress and result. No name, ID number, address or household facts."""
    row = tracking_row(application.tracking_code)
    assert row is not None  # the application itself has the code
    return tracking_view_of_row(row)


# The public look-up is the hot path (hundreds a second): fixed SQL, no ORM compilation.
_FAILED_SQL = (
    "SELECT COALESCE(SUM(CASE WHEN ip = %s THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN code = %s THEN 1 ELSE 0 END), 0)"
    " FROM intake_trackingattempt WHERE at >= %s AND (ip = %s OR code = %s)"
)
_APP_SQL = (
    "SELECT a.id, a.tracking_code, a.id_tail, a.received_on, a.status, u.name,"
    " CASE WHEN EXISTS (SELECT 1 FROM intake_emergencyaid e WHERE e.application_id = a.id) THEN 1 ELSE 0 END"
    " FROM intake_application a JOIN registry_unit u ON u.id = a.window_id WHERE a.tracking_code = %s"
)
_LEGS_SQL = (
    "SELECT r.id, r.chain_root_id, r.leg, r.service_code, r.service_name, r.state, r.referred_on, r.due_on,"
    " r.missing_material, r.closed_on, r.transfer_reason, r.amount, r.amount_period, r.start_month,"
    " r.reasons, r.basis, r.alternatives, r.charity_name, u.name"
    " FROM intake_referral r JOIN registry_unit u ON u.id = r.unit_id"
    " WHERE r.application_id = %s ORDER BY r.chain_root_id, r.leg, r.id"
)
_LEG_FIELDS = (
    "id",
    "chain_root_id",
    "leg",
    "service_code",
    "service_name",
    "state",
    "referred_on",
    "due_on",
    "missing_material",
    "closed_on",
    "transfer_reason",
    "amount",
    "amount_period",
    "start_month",
    "reasons",
    "basis",
    "alternatives",
    "charity_name",
    "unit_name",
)


def failed_lookups(*, ip: str, code: str, since) -> tuple[int, int]:
    """Failed public look-ups since ``since``: (from this address, for this code)."""
    with connection.cursor() as cur:
        cur.execute(_FAILED_SQL, [ip, code, since, ip, code])
        by_ip, by_code = cur.fetchone()
    return int(by_ip or 0), int(by_code or 0)


def tracking_row(code: str) -> dict | None:
    """The application behind ``code`` with its referral legs (plain rows), or ``None``."""
    with connection.cursor() as cur:
        cur.execute(_APP_SQL, [code])
        row = cur.fetchone()
        if row is None:
            return None
        pk, tracking_code, id_tail, received_on, status, window, has_aid = row
        cur.execute(_LEGS_SQL, [pk])
        legs = [dict(zip(_LEG_FIELDS, r, strict=True)) for r in cur.fetchall()]
    aids = []
    if has_aid:
        aids = [
            {"amount": f"{a:.2f}", "granted_on": d}
            for a, d in EmergencyAid.objects.filter(application_id=pk).values_list("amount", "granted_on")
        ]
    return {
        "id": pk,
        "tracking_code": tracking_code,
        "id_tail": id_tail,
        "received_on": _as_date(received_on),
        "status": status,
        "window": window,
        "legs": legs,
        "emergency_aid": aids,
    }


def _as_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


_STATE_LABELS = dict(ReferralState.choices)
_PERIOD_LABELS = dict(AmountPeriod.choices)
_STATUS_LABELS = dict(ApplicationStatus.choices)


def _leg_result(leg: dict) -> dict | None:
    state = leg["state"]
    if state == Referral.GRANTED:
        start = _as_date(leg["start_month"])
        return {
            "kind": "granted",
            "amount": f"{Decimal(leg['amount']):.2f}",
            "period": leg["amount_period"],
            "period_display": _PERIOD_LABELS.get(leg["amount_period"], ""),
            "start_month": start.strftime("%Y-%m") if start else None,
            "note": leg["reasons"],
        }
    if state == Referral.REFUSED:
        return {
            "kind": "refused",
            "reasons": leg["reasons"],
            "basis": leg["basis"],
            "alternatives": leg["alternatives"],
        }
    if state == Referral.CHARITY:
        return {"kind": "charity", "charity": leg["charity_name"], "note": leg["reasons"]}
    return None


def tracking_view_of_row(row: dict) -> dict:
    chains_by_root: dict[int, list[dict]] = {}
    for leg in row["legs"]:
        chains_by_root.setdefault(leg["chain_root_id"] or leg["id"], []).append(leg)
    services = []
    for root in sorted(chains_by_root):
        legs = chains_by_root[root]
        cur = legs[-1]
        state = cur["state"]
        services.append(
            {
                "service": cur["service_name"],
                "service_code": cur["service_code"],
                "unit": cur["unit_name"],
                "state": state,
                "state_display": _STATE_LABELS.get(state, state),
                "referred_on": _as_date(legs[0]["referred_on"]),
                "due_on": _as_date(cur["due_on"]) if state in Referral.RUNNING_STATES else None,
                "missing_material": cur["missing_material"] if state == Referral.PAUSED else "",
                "transfers": [
                    {
                        "from": a["unit_name"],
                        "to": b["unit_name"],
                        "on": _as_date(a["closed_on"]),
                        "reason": a["transfer_reason"],
                    }
                    for a, b in zip(legs, legs[1:], strict=False)
                ],
                "closed_on": _as_date(cur["closed_on"]) if state in Referral.RESULT_STATES else None,
                "result": _leg_result(cur),
            }
        )
    return {
        "tracking_code": row["tracking_code"],
        "received_on": row["received_on"],
        "window": row["window"],
        "status": row["status"],
        "status_display": _STATUS_LABELS.get(row["status"], row["status"]),
        "services": services,
        "emergency_aid": row["emergency_aid"],
    }
