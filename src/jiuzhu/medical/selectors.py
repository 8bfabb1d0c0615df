"""Reads of medical assistance settlement, checked against the scope table (``medical.read``)."""

from __future__ import annotations

from django.db.models import Count, Sum

from jiuzhu.common import scope
from jiuzhu.common.masking import present
from jiuzhu.registry.models import User

from .models import SettlementFile, SettlementLine


def files_for(actor: User):
    """The settlement files the actor may read (a department officer: his own unit's)."""
    scope.require(actor, "medical.read")
    qs = SettlementFile.objects.select_related("uploaded_by").defer("rows", "errors")
    if scope.scope_of(actor, "medical.read") == scope.UNIT:
        # a unit-scoped officer without a unit reads nothing (a file always has its unit)
        qs = qs.filter(unit_id=actor.unit_id) if actor.unit_id is not None else qs.none()
    return qs


def file_get(*, actor: User, pk: int) -> SettlementFile:
    f = SettlementFile.objects.select_related("unit", "uploaded_by").get(pk=pk)
    scope.require(actor, "medical.read", unit=f.unit_id)
    return f


def file_summary(f: SettlementFile) -> dict:
    """The good rows' totals as validated (before apply) or as settled (after)."""
    if f.state == SettlementFile.State.APPLIED:
        agg = f.lines.aggregate(
            n=Count("pk"),
            oop=Sum("out_of_pocket"),
            due=Sum("due"),
            paid=Sum("assistance"),
            own=Sum("own_share"),
        )
        agg["cut"] = (agg["due"] or 0) - (agg["paid"] or 0)
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
        "due": sum((Decimal(r["due"]) for r in rows), Decimal(0)),
        "cut": sum((Decimal(r["due"]) - Decimal(r["assistance"]) for r in rows), Decimal(0)),
        "paid": sum((Decimal(r["assistance"]) for r in rows), Decimal(0)),
        "own": sum((Decimal(r["own_share"]) for r in rows), Decimal(0)),
        "hospitals": [],
    }


def file_lines(*, actor: User, f: SettlementFile, limit: int = 200) -> list[dict]:
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
                "due": ln.due,
                "cut": ln.cut,
                "assistance": ln.assistance,
                "own_share": ln.own_share,
                "reason": ln.reason,
            }
        )
    return out


def person_year_paid(*, person, year: int):
    """The assistance settled for ``person`` in ``year`` (what the yearly cap counts)."""
    return SettlementLine.objects.filter(person=person, year=year).aggregate(s=Sum("assistance"))["s"] or 0


def member_facts(person_ids: list[int], on) -> dict[int, dict]:
    """``{person id: {"medical_paid_this_year": amount}}``: the medical assistance paid to each
    of ``person_ids`` in ``on``'s year up to ``on`` — the settled stays' shares as actually paid
    (after any cut by the cap) and the medical-expense grants units made him, the one figure the
    yearly cap counts (``decisions.grant_limits``). The rules read it through the registry's
    facts reader (``registry.programme_facts``), so a pre-check after a settlement sees the cap
    used. Persons with nothing paid are left out."""
    from decimal import Decimal

    from django.db.models import F, Q

    from jiuzhu.decisions.grant_limits import MEDICAL_CAPPED
    from jiuzhu.decisions.models import Entitlement

    paid: dict[int, Decimal] = {}
    ids = list(person_ids)
    for i in range(0, len(ids), 5000):
        part = ids[i : i + 5000]
        for pid, s in (
            SettlementLine.objects.filter(person_id__in=part, year=on.year, discharged_on__lte=on)
            .values_list("person_id")
            .annotate(s=Sum("assistance"))
            .order_by()
        ):
            paid[pid] = paid.get(pid, Decimal(0)) + s
        for pid, s in (
            Entitlement.objects.filter(
                payee_id__in=part,
                service_code__in=MEDICAL_CAPPED,
                start_month__year=on.year,
                start_month__lte=on,
            )
            .exclude(Q(end_month__isnull=False) & Q(end_month__lt=F("start_month")))  # stopped before paid
            .values_list("payee_id")
            .annotate(s=Sum("amount"))
            .order_by()
        ):
            paid[pid] = paid.get(pid, Decimal(0)) + s
    return {pid: {"medical_paid_this_year": s} for pid, s in paid.items() if s > 0}
