"""Reads of medical assistance settlement, checked against the scope table (``medical.read``)."""

from __future__ import annotations

from django.db.models import Count, Sum

from jiuzhu.common import scope
from jiuzhu.common.masking import present

from .models import SettlementFile, SettlementLine


def files_for(actor):
    """The settlement files the actor may read (a department officer: his own unit's)."""
    scope.require(actor, "medical.read")
    qs = SettlementFile.objects.select_related("uploaded_by").defer("rows", "errors")
    if scope.scope_of(actor, "medical.read") == scope.UNIT:
        qs = qs.filter(unit_id=actor.unit_id)
    return qs


def file_get(*, actor, pk: int) -> SettlementFile:
    f = SettlementFile.objects.select_related("unit", "uploaded_by").get(pk=pk)
    scope.require(actor, "medical.read", unit=f.unit_id)
    return f


def file_summary(f: SettlementFile) -> dict:
    """The good rows' totals as validated (before apply) or as settled (after)."""
    if f.state == SettlementFile.APPLIED:
        agg = f.lines.aggregate(
            n=Count("pk"), oop=Sum("out_of_pocket"), paid=Sum("assistance"), own=Sum("own_share")
        )
        by_hospital = list(
            f.lines.values("hospital__name")
            .annotate(n=Count("pk"), paid=Sum("assistance"))
            .order_by("hospital__name")
        )
        return {**agg, "hospitals": by_hospital}
    from decimal import Decimal

    rows = f.rows
    return {
        "n": len(rows),
        "oop": sum((Decimal(r["out_of_pocket"]) for r in rows), Decimal(0)),
        "paid": sum((Decimal(r["assistance"]) for r in rows), Decimal(0)),
        "own": sum((Decimal(r["own_share"]) for r in rows), Decimal(0)),
        "hospitals": [],
    }


def file_lines(*, actor, f: SettlementFile, limit: int = 200) -> list[dict]:
    """The first settled stays, the person's name masked per role."""
    from jiuzhu.common.services import log_access

    role = scope.role_of(actor)
    log_access(
        user=actor,
        action="view",
        object_type="medical_settlement",
        object_id=f.pk,
        purpose="查看医疗救助结算明细",
    )
    out = []
    for ln in f.lines.select_related("person", "hospital").order_by("row")[:limit]:
        out.append(
            {
                "row": ln.row,
                "name": present("name", ln.person.name, role),
                "id_number": present("id_number", ln.person.id_number, role),
                "hospital": ln.hospital.name,
                "admitted_on": ln.admitted_on,
                "discharged_on": ln.discharged_on,
                "group": ln.get_group_display(),
                "out_of_pocket": ln.out_of_pocket,
                "assistance": ln.assistance,
                "own_share": ln.own_share,
                "reason": ln.reason,
            }
        )
    return out


def person_year_paid(*, person, year: int):
    """The assistance settled for ``person`` in ``year`` (what the yearly cap counts)."""
    return SettlementLine.objects.filter(person=person, year=year).aggregate(s=Sum("assistance"))["s"] or 0
