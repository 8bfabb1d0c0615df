"""Charity reads: referrals a user may see, fund and stock reconciliation, where donations
went, volunteer summaries, the public transparency figures, and the figures other areas read
(``cash_aid_rows`` for screening, ``kpi_charity`` for performance)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth

from jiuzhu.common import masking as m
from jiuzhu.common import scope
from jiuzhu.common.roles import role_of
from jiuzhu.registry.models import User

from . import services as s
from .models import (
    CharityReferral,
    Disbursement,
    Donation,
    DonationUse,
    Fund,
    Offer,
    Partner,
    StockIssue,
    StockItem,
    VolunteerService,
    qty,
)

ZERO = Decimal("0.00")


def _q(v) -> Decimal:
    """Two places whatever the database returns (SQLite's sums drop trailing zeros)."""
    return Decimal(v or 0).quantize(ZERO)


def _sum(qs, field: str) -> Decimal:
    return _q(qs.aggregate(v=Sum(field))["v"])


def referrals_for(user, *, state: str | None = None, limit: int = 200) -> list[CharityReferral]:
    """A partner log-in sees only its partner's referrals; the approver, the admin and the
    supervisor all; a town's staff those of their town (made by it or for its households);
    a department officer those his unit made."""
    qs = CharityReferral.objects.select_related("partner", "offer", "household", "unit")
    role = role_of(user)
    if role == m.PARTNER:
        own = s.partner_of(user)
        qs = qs.filter(partner=own) if own else qs.none()
    elif scope.scope_of(user, "charity.referral_read") == scope.CITY:
        pass
    elif scope.scope_of(user, "charity.referral_read") != scope.NONE:
        unit_id = getattr(user, "unit_id", None)
        qs = qs.filter(Q(unit_id=unit_id) | Q(household__town_id=unit_id)) if unit_id else qs.none()
    else:
        qs = qs.none()
    if state:
        qs = qs.filter(state=state)
    return list(qs[:limit])


# --- ledgers --------------------------------------------------------------------------------


def fund_reconciliation(fund: Fund) -> dict:
    """The fund's ledger against its rows: donations in − disbursements out must equal the
    balance kept, every disbursement must be traced to donations in full, and no donation
    may be used beyond its amount. ``differences`` lists each mismatch (empty = reconciled)."""
    received = _sum(fund.donations.all(), "amount")
    paid = _sum(fund.disbursements.all(), "amount")
    traced = _sum(DonationUse.objects.filter(disbursement__fund=fund), "size")
    diffs = []
    if received - paid != fund.balance:
        diffs.append(
            f"余额 {fund.balance:.2f} 元 ≠ 捐赠 {received:.2f} − 支出 {paid:.2f} = {received - paid:.2f} 元"
        )
    if traced != paid:
        diffs.append(f"支出 {paid:.2f} 元中只有 {traced:.2f} 元可追溯到捐赠")
    for d in fund.donations.annotate(used=Sum("uses__size")).filter(used__gt=0):
        if _q(d.used) > d.amount:  # type: ignore[operator]  # a fund's donations are money: amount is set
            diffs.append(f"捐赠 {d.receipt_no} 使用 {d.used:.2f} 元，超过捐赠额 {d.amount:.2f} 元")
    return {
        "fund": fund.code,
        "name": fund.name,
        "received": received,
        "paid": paid,
        "balance": fund.balance,
        "expected_balance": received - paid,
        "traced": traced,
        "differences": diffs,
        "reconciled": not diffs,
    }


def stock_reconciliation(item: StockItem) -> dict:
    received = _sum(item.donations.all(), "quantity")
    issued = _sum(item.issues.all(), "quantity")
    traced = _sum(DonationUse.objects.filter(issue__item=item), "size")
    diffs = []
    if received - issued != item.on_hand:
        diffs.append(f"库存 {qty(item.on_hand)} ≠ 入库 {qty(received)} − 出库 {qty(issued)}")
    if traced != issued:
        diffs.append(f"出库 {qty(issued)} 中只有 {qty(traced)} 可追溯到捐赠")
    return {
        "item": item.code,
        "name": item.name,
        "unit": item.unit,
        "received": received,
        "issued": issued,
        "on_hand": item.on_hand,
        "differences": diffs,
        "reconciled": not diffs,
    }


def ledger_check(partner: Partner | None = None) -> list[dict]:
    """Reconciliation of every fund and stock item (of one partner, or all)."""
    funds = Fund.objects.all() if partner is None else partner.funds.all()
    items = StockItem.objects.all() if partner is None else partner.stock.all()
    return [fund_reconciliation(f) for f in funds] + [stock_reconciliation(i) for i in items]


def donation_trail(donation: Donation, role: str) -> list[dict]:
    """Where a donation went, use by use: the date, the need and the recipient masked for
    ``role`` (a partner sees the masked name)."""
    out = []
    for u in donation.uses.select_related(
        "disbursement__referral__person", "issue__referral__person", "issue"
    ).order_by("id"):
        # a use is of a disbursement or of a stock issue (services.allocate): one of the two
        disbursement, issue = u.disbursement, u.issue
        ref = disbursement.referral if disbursement else (issue.referral if issue else None)
        on = disbursement.paid_on if disbursement else issue.issued_on  # type: ignore[union-attr]  # see above
        out.append(
            {
                "size": u.size,
                "on": on,
                "referral": ref.pk if ref else None,
                "need": ref.get_need_display() if ref else "",
                "recipient": m.present("name", ref.person.name, role)
                if ref
                else (issue.note if issue else ""),
            }
        )
    return out


# --- volunteers -----------------------------------------------------------------------------


def volunteer_summary(*, partner: Partner | None = None, start: date | None = None, end: date | None = None):
    """Hours per partner and month, per team, and per volunteer."""
    qs = VolunteerService.objects.all()
    if partner is not None:
        qs = qs.filter(partner=partner)
    if start:
        qs = qs.filter(served_on__gte=start)
    if end:
        qs = qs.filter(served_on__lte=end)
    by_month = (
        qs.annotate(month=TruncMonth("served_on"))
        .values("partner__name", "month")
        .annotate(hours=Sum("hours"), people=Count("volunteer", distinct=True), times=Count("id"))
        .order_by("partner__name", "month")
    )
    by_team = (
        qs.values("partner__name", "team").annotate(hours=Sum("hours"), times=Count("id")).order_by("-hours")
    )
    by_volunteer = (
        qs.values("partner__name", "team", "volunteer")
        .annotate(hours=Sum("hours"), times=Count("id"))
        .order_by("-hours")
    )
    return {
        "by_month": [
            {**r, "hours": _q(r["hours"]), "month": r["month"].strftime("%Y-%m") if r["month"] else ""}
            for r in by_month
        ],
        "by_team": [{**r, "hours": _q(r["hours"])} for r in by_team],
        "by_volunteer": [{**r, "hours": _q(r["hours"])} for r in by_volunteer],
        "total_hours": _sum(qs, "hours"),
    }


# --- public transparency --------------------------------------------------------------------


def transparency(partner: Partner) -> dict:
    """Aggregates only — no donor who asked to stay anonymous, no recipient, nothing
    personal."""
    money = partner.donations.filter(kind=Donation.MONEY)
    funds = []
    for f in partner.funds.all():
        funds.append(
            {
                "name": f.name,
                "purpose": f.purpose,
                "received": _sum(f.donations.all(), "amount"),
                "used": _sum(f.disbursements.all(), "amount"),
                "balance": f.balance,
                "households": f.disbursements.count(),
            }
        )
    goods = [
        {
            "name": i.name,
            "unit": i.unit,
            "received": _sum(i.donations.all(), "quantity"),
            "issued": _sum(i.issues.all(), "quantity"),
            "on_hand": i.on_hand,
        }
        for i in partner.stock.all()
    ]
    delivered = partner.referrals.filter(state=CharityReferral.DELIVERED)
    projects = [
        {
            "name": o.name,
            "kind": o.get_kind_display(),
            "needs": o.needs_display,
            "description": o.description,
            "delivered": delivered.filter(offer=o).count(),
        }
        for o in partner.offers.filter(active=True)
    ]
    return {
        "partner": partner,
        "money_received": _sum(money, "amount"),
        "money_used": _sum(Disbursement.objects.filter(fund__partner=partner), "amount"),
        "donations": money.count() + partner.donations.filter(kind=Donation.GOODS).count(),
        "funds": funds,
        "goods": goods,
        "projects": projects,
        "households_helped": delivered.values("household").distinct().count(),
        "volunteer_hours": _sum(partner.volunteer_services.all(), "hours"),
    }


# --- for other areas ------------------------------------------------------------------------


def chain_entries(*, household, role: str) -> list[dict]:
    """The household's charity referrals for its assistance chain (registry.chain): referred,
    answered, delivered. Nothing personal: partner, offer, need, state, amounts."""
    out = []
    for r in household.charity_referrals.select_related("partner", "offer", "unit").order_by("id"):
        url = f"/charity/r/{r.pk}/"
        title = f"转介{r.partner.name}·{r.offer.name}"
        out.append(
            {
                "at": r.referred_on,
                "area": "社会力量",
                "title": title,
                "detail": f"{r.get_need_display()}；{r.get_source_kind_display()}；家庭已同意",
                "unit": r.unit.name,
                "url": url,
            }
        )
        if r.state == CharityReferral.DECLINED:
            out.append(
                {
                    "at": r.answered_on,
                    "area": "社会力量",
                    "title": f"{r.partner.name}不予承接",
                    "detail": r.decline_reason,
                    "unit": r.partner.name,
                    "url": url,
                }
            )
        elif r.state == CharityReferral.DELIVERED:
            worth = f"{r.delivered_amount:.2f} 元；" if r.delivered_amount else ""
            if r.delivered_quantity:
                worth = (
                    f"{qty(r.delivered_quantity)}{r.offer.stock_item.unit if r.offer.stock_item_id else ''}；"
                )
            out.append(
                {
                    "at": r.delivered_on,
                    "area": "社会力量",
                    "title": f"{r.partner.name}已帮扶",
                    "detail": f"{worth}{r.result}",
                    "unit": r.partner.name,
                    "url": url,
                }
            )
    return out


def cash_aid_rows(*, start: date | None = None, end: date | None = None):
    """Charity cash paid, one dict per payment, for screening's duplicate checks: id (the
    payment's), person_id, household_id, need, amount (Decimal), cost_amount (the whole cost
    stated at referral, Decimal or None), paid_on, cover_from / cover_to (the months paid for,
    or None), partner_code, covers_government_cost (the government service that paid part of
    the same cost, or "")."""
    qs = Disbursement.objects.select_related("referral", "referral__partner").order_by("paid_on", "id")
    if start:
        qs = qs.filter(paid_on__gte=start)
    if end:
        qs = qs.filter(paid_on__lte=end)
    for d in qs.iterator(chunk_size=2000):
        r = d.referral
        yield {
            "id": d.pk,
            "person_id": r.person_id,
            "household_id": r.household_id,
            "need": r.need,
            "amount": d.amount,
            "cost_amount": r.cost_amount,
            "paid_on": d.paid_on,
            "cover_from": r.cover_from,
            "cover_to": r.cover_to,
            "partner_code": r.partner.code,
            "covers_government_cost": r.government_service or "",
        }


def kpi_charity(*, start: date, end: date, unit=None) -> dict:
    """Charity figures for ``start``–``end`` (inclusive), for the referring ``unit`` (a Unit or
    its code) or the whole city:

    - ``referrals_made``: referrals made in the period
    - ``referrals_accepted``: of those, accepted by the partner (incl. delivered later)
    - ``referrals_declined``: of those, declined
    - ``referrals_delivered``: referrals delivered in the period
    - ``referrals_overdue``: open at ``end`` and past their answer or delivery date
    - ``cash_paid``: charity cash paid in the period (Decimal yuan)
    - ``goods_issued``: goods issued for referrals in the period (quantity, Decimal)
    - ``volunteer_hours``: volunteer hours served in the period (Decimal; by the service's
      town when ``unit`` is given)
    - ``donations_received``: money donated in the period (Decimal yuan; city-wide only, 0
      when ``unit`` is given: donations belong to partners, not to units)
    """
    code = getattr(unit, "code", unit)
    refs = CharityReferral.objects.all()
    vol = VolunteerService.objects.filter(served_on__gte=start, served_on__lte=end)
    if code:
        refs = refs.filter(unit__code=code)
        vol = vol.filter(town=code)
    made = refs.filter(referred_on__gte=start, referred_on__lte=end)
    overdue = refs.filter(
        Q(state=CharityReferral.REFERRED, answer_due_on__lt=end, referred_on__lte=end)
        | Q(state=CharityReferral.ACCEPTED, due_on__lt=end, referred_on__lte=end)
    )
    paid = Disbursement.objects.filter(paid_on__gte=start, paid_on__lte=end, referral__in=refs)
    issued = StockIssue.objects.filter(issued_on__gte=start, issued_on__lte=end, referral__in=refs)
    donations = Donation.objects.filter(kind=Donation.MONEY, received_on__gte=start, received_on__lte=end)
    return {
        "referrals_made": made.count(),
        "referrals_accepted": made.filter(
            state__in=(CharityReferral.ACCEPTED, CharityReferral.DELIVERED)
        ).count(),
        "referrals_declined": made.filter(state=CharityReferral.DECLINED).count(),
        "referrals_delivered": refs.filter(delivered_on__gte=start, delivered_on__lte=end).count(),
        "referrals_overdue": overdue.count(),
        "cash_paid": _sum(paid, "amount"),
        "goods_issued": _sum(issued, "quantity"),
        "volunteer_hours": _sum(vol, "hours"),
        "donations_received": _sum(donations, "amount") if not code else ZERO,
    }


def offers_for(partner: Partner | None = None):
    qs = Offer.objects.select_related("partner", "fund", "stock_item").filter(active=True)
    return qs.filter(partner=partner) if partner else qs


def partner_stats() -> list[dict]:
    out: defaultdict[int, dict] = defaultdict(dict)
    for p in Partner.objects.filter(active=True):
        out[p.pk] = {
            "partner": p,
            "open": p.referrals.filter(state__in=CharityReferral.OPEN_STATES).count(),
            "delivered": p.referrals.filter(state=CharityReferral.DELIVERED).count(),
        }
    return list(out.values())


def _chain_referral(actor: User, household, ref_id):
    from .referrals import can_view

    r = CharityReferral.objects.select_related("household").filter(pk=ref_id).first()
    return r is not None and can_view(actor, r)


# registry.chain: a link to a charity referral is kept only when its page would open
CHAIN_LINKS = {"charity:referral": _chain_referral}
