"""Open needs not met by government services, matched to partners' offers with reasons
(DOMAIN §2 "8+1+3": government first, then society where needs remain).

A need comes from: an intake referral refused or handed to charity; a partly met request (a
need the household asked for that no unit granted, while another was granted); an emergency
aid first (急难); the rest of a temporary-assistance need above the top tier, from the moment
the joint decision signs the top tier (``decisions.GrantRequest`` signed with a
``need_amount``: one need per signed request, so signing cannot make two); an open omission
alert of screening (soft reference: kind + id). A need
that already has a charity referral (not declined) is no longer open. Keys are
``<source kind>:<source id>:<need>``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, QuerySet

from jiuzhu.common import clock
from jiuzhu.decisions.models import GrantRequest
from jiuzhu.intake.models import Application, EmergencyAid
from jiuzhu.intake.models import Referral as IntakeReferral
from jiuzhu.registry.models import Household, Person

from .models import NEED_LABELS, CharityReferral, NeedClaim, Offer, ReferralSource, qty
from .referrals import CATEGORY_NEED, NEED_CATEGORIES

SOURCE_LABELS = dict(ReferralSource.choices)
LOOKBACK_DAYS = 365


@dataclass
class Match:
    offer: Offer
    reasons: list[str]


@dataclass
class OpenNeed:
    key: str
    source_kind: str
    source_id: str
    need: str
    household: Household
    raised_on: date
    description: str = ""
    application_id: int | None = None
    intake_referral_id: int | None = None
    matches: list[Match] = field(default_factory=list)
    claims: list[str] = field(default_factory=list)
    household_size: int = 0
    amount: Decimal | None = None  # the money still needed, when the source says it

    @property
    def town(self) -> str:
        return self.household.town.code

    @property
    def need_display(self) -> str:
        return NEED_LABELS.get(self.need, self.need)

    @property
    def source_display(self) -> str:
        return SOURCE_LABELS.get(self.source_kind, self.source_kind)


def _need_of(r: IntakeReferral) -> str:
    return CATEGORY_NEED.get(r.category) or next(iter(r.application.needs), "living")


def _from_intake(qs) -> list[OpenNeed]:
    out = []
    for r in qs.select_related("application", "application__household", "application__household__town"):
        kind = (
            ReferralSource.INTAKE_REFUSED
            if r.state == IntakeReferral.REFUSED
            else ReferralSource.INTAKE_CHARITY
        )
        need = _need_of(r)
        out.append(
            OpenNeed(
                key=f"{kind}:{r.pk}:{need}",
                source_kind=kind,
                source_id=str(r.pk),
                need=need,
                household=r.application.household,
                raised_on=r.closed_on or r.referred_on,
                description=r.reasons,
                application_id=r.application_id,
                intake_referral_id=r.pk,
            )
        )
    return out


def _partly_met(apps) -> list[OpenNeed]:
    out = []
    for app in apps.prefetch_related("referrals").select_related("household", "household__town"):
        legs = list(app.referrals.all())
        if not any(r.state == IntakeReferral.GRANTED for r in legs):
            continue
        answered = {_need_of(r) for r in legs if r.state in IntakeReferral.RESULT_STATES}
        for need in app.needs:
            if need in answered:
                continue
            out.append(
                OpenNeed(
                    key=f"partly_met:{app.pk}:{need}",
                    source_kind=ReferralSource.PARTLY_MET,
                    source_id=str(app.pk),
                    need=need,
                    household=app.household,
                    raised_on=(app.closed_at or app.received_at).date(),
                    description=app.description,
                    application_id=app.pk,
                )
            )
    return out


def _emergencies(qs) -> list[OpenNeed]:
    return [
        OpenNeed(
            key=f"emergency:{a.pk}:emergency",
            source_kind=ReferralSource.EMERGENCY,
            source_id=str(a.pk),
            need="emergency",
            household=a.household,
            raised_on=a.granted_on,
            description=f"{a.get_cause_display()}：{a.note}",
            application_id=a.application_id,
        )
        for a in qs.select_related("household", "household__town")
    ]


def _top_tier_rests(qs) -> list[OpenNeed]:
    """DOMAIN §7: a temporary need above the top tier is met up to it by the joint decision and
    the rest referred to charity — an open need once the top tier is signed."""
    out = []
    for g in qs.select_related("household", "household__town", "referral"):
        need = CATEGORY_NEED.get(g.category) or "emergency"
        out.append(
            OpenNeed(
                key=f"top_tier_rest:{g.pk}:{need}",
                source_kind=ReferralSource.TOP_TIER_REST,
                source_id=str(g.pk),
                need=need,
                household=g.household,
                raised_on=g.signed_on,
                description=f"{g.service_name}：核定所需 ¥{g.need_amount:,.2f}，联席会议按最高档给予 "
                f"¥{g.amount:,.2f}，其余 ¥{g.rest_to_charity:,.2f} 转介慈善救助",
                application_id=g.referral.application_id,  # linked back through the request
                amount=g.rest_to_charity,
            )
        )
    return out


def _top_tier_signed():
    return GrantRequest.objects.filter(state=GrantRequest.SIGNED, need_amount__isnull=False)


# Open omission alerts (漏保预警) are needs too. Screening sits above charity (it reads charity's
# cash aid to find double help), so it hands in its reader at start-up (ScreeningConfig.ready)
# instead of being imported from here: ``reader()`` is a queryset of open omission alerts with a
# household or a person.
OMISSION_ALERTS: dict[str, Callable[[], QuerySet]] = {}


def register_omission_alerts(reader: Callable[[], QuerySet]) -> None:
    OMISSION_ALERTS["screening"] = reader


def _alerts(ids=None, since=None, limit: int | None = None, exclude=()) -> list[OpenNeed]:
    if "screening" not in OMISSION_ALERTS:
        return []
    qs = OMISSION_ALERTS["screening"]()
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    if since is not None:
        qs = qs.filter(raised_on__gte=since)
    if exclude:
        qs = qs.exclude(pk__in=list(exclude))
    if limit is not None:
        qs = qs.order_by("-raised_on", "-id")[:limit]
    return [
        OpenNeed(
            key=f"alert:{a.pk}:living",
            source_kind=ReferralSource.ALERT,
            source_id=str(a.pk),
            need="living",
            household=a.household or a.person.household,
            raised_on=a.raised_on,
            description=f"漏保预警：{a.rule}",
        )
        for a in qs.select_related("household__town", "person__household__town")
    ]


def _referred_keys() -> set[tuple[str, str, str]]:
    return set(
        CharityReferral.objects.exclude(state=CharityReferral.DECLINED).values_list(
            "source_kind", "source_id", "need"
        )
    )


def _match(need: OpenNeed, offers: list[Offer], taken: dict[int, int]) -> list[Match]:
    out = []
    for o in offers:
        if need.need not in o.needs or not o.serves(need.town):
            continue
        reasons = [f"需求相符：{need.need_display}"]
        reasons.append(f"服务区域含{need.household.town.name}" if o.area() else "服务全市")
        if o.capacity is not None:
            left = o.capacity - taken.get(o.pk, 0)
            if left <= 0:
                continue
            reasons.append(f"剩余名额 {left} 户")
        if o.kind == Offer.CASH:
            if o.fund is None or o.fund.balance <= 0 or (o.fund.needs and need.need not in o.fund.needs):
                continue
            cap = f"，每户最高 {o.max_amount:.2f} 元" if o.max_amount else ""
            reasons.append(f"资金余额 {o.fund.balance:.2f} 元{cap}")
        elif o.kind == Offer.GOODS:
            if o.stock_item is None or o.stock_item.on_hand <= 0:
                continue
            reasons.append(f"库存{o.stock_item.name} {qty(o.stock_item.on_hand)}{o.stock_item.unit}")
        out.append(Match(offer=o, reasons=reasons))
    return out


def _with_matches(needs: list[OpenNeed]) -> list[OpenNeed]:
    offers = list(
        Offer.objects.filter(active=True, partner__active=True).select_related(
            "partner", "fund", "stock_item"
        )
    )
    taken: dict[int, int] = {}
    for oid in CharityReferral.objects.filter(state__in=CharityReferral.OPEN_STATES).values_list(
        "offer_id", flat=True
    ):
        taken[oid] = taken.get(oid, 0) + 1
    claims: dict[str, list[str]] = {}
    for key, name in NeedClaim.objects.filter(need_key__in=[n.key for n in needs]).values_list(
        "need_key", "partner__name"
    ):
        claims.setdefault(key, []).append(name)
    sizes = dict(
        Person.objects.filter(household_id__in={n.household.pk for n in needs}, deceased_on__isnull=True)
        .values("household_id")
        .annotate(c=Count("id"))
        .values_list("household_id", "c")
    )
    for n in needs:
        n.matches = _match(n, offers, taken)
        n.claims = claims.get(n.key, [])
        n.household_size = sizes.get(n.household.pk, 0)
    return needs


def open_needs(
    *, town: str | None = None, towns: list[str] | None = None, today: date | None = None, limit: int = 200
) -> list[OpenNeed]:
    """Open needs of the last year (newest first, at most ``limit``) of one ``town``, of the
    ``towns`` listed or of the whole city, each with the offers that fit."""
    today = today or clock.today()
    if town:
        towns = [town]
    since = today - timedelta(days=LOOKBACK_DAYS)
    intake = IntakeReferral.objects.filter(
        state__in=(IntakeReferral.REFUSED, IntakeReferral.CHARITY), closed_on__gte=since
    )
    apps = Application.objects.filter(status=Application.CLOSED, received_on__gte=since)
    aids = EmergencyAid.objects.filter(granted_on__gte=today - timedelta(days=90))
    rests = _top_tier_signed().filter(signed_on__gte=since)
    if towns:
        intake = intake.filter(application__household__town__code__in=towns)
        apps = apps.filter(household__town__code__in=towns)
        aids = aids.filter(household__town__code__in=towns)
        rests = rests.filter(household__town__code__in=towns)
    done = _referred_keys()

    def referred(*kinds) -> list[int]:
        return [int(sid) for k, sid, _ in done if k in kinds and sid.isdigit()]

    # Each source is cut to the newest ``limit`` in SQL, the referred ones left out there, so
    # the desk reads O(limit) rows however many refusals the year had.
    intake = intake.exclude(
        pk__in=referred(ReferralSource.INTAKE_REFUSED, ReferralSource.INTAKE_CHARITY)
    ).order_by("-closed_on", "-id")
    aids = aids.exclude(pk__in=referred(ReferralSource.EMERGENCY)).order_by("-granted_on", "-id")
    apps = apps.filter(referrals__state=IntakeReferral.GRANTED).distinct().order_by("-received_on", "-id")
    rests = rests.exclude(pk__in=referred(ReferralSource.TOP_TIER_REST)).order_by("-signed_on", "-id")
    needs = (
        _from_intake(intake[:limit])
        + _partly_met(apps[: limit * 2])
        + _emergencies(aids[:limit])
        + _top_tier_rests(rests[:limit])
        + _alerts(since=since, limit=limit, exclude=referred(ReferralSource.ALERT))
    )
    needs = [n for n in needs if (n.source_kind, n.source_id, n.need) not in done]
    if towns:
        needs = [n for n in needs if n.town in towns]
    needs.sort(key=lambda n: (n.raised_on, n.key), reverse=True)
    return _with_matches(needs[:limit])


def need_by_key(key: str) -> OpenNeed | None:
    """One open need by its key (None when unknown or already referred)."""
    try:
        kind, sid, need = key.split(":")
        pk = int(sid)
    except ValueError:
        return None
    if (kind, sid, need) in _referred_keys():
        return None
    if kind in (ReferralSource.INTAKE_REFUSED, ReferralSource.INTAKE_CHARITY):
        found = _from_intake(
            IntakeReferral.objects.filter(pk=pk, state__in=(IntakeReferral.REFUSED, IntakeReferral.CHARITY))
        )
    elif kind == ReferralSource.PARTLY_MET:
        found = _partly_met(Application.objects.filter(pk=pk, status=Application.CLOSED))
    elif kind == ReferralSource.EMERGENCY:
        found = _emergencies(EmergencyAid.objects.filter(pk=pk))
    elif kind == ReferralSource.TOP_TIER_REST:
        found = _top_tier_rests(_top_tier_signed().filter(pk=pk))
    elif kind == ReferralSource.ALERT:
        found = _alerts(ids=[pk])
    else:
        return None
    found = [n for n in found if n.key == key]
    return _with_matches(found)[0] if found else None


def anonymised(n: OpenNeed, partner) -> dict:
    """What a partner sees of an open need: no name, no household code, no free text."""
    return {
        "key": n.key,
        "need": n.need,
        "need_display": n.need_display,
        "source_display": n.source_display,
        "town": n.household.town.name,
        "raised_on": n.raised_on,
        "household_size": n.household_size,
        "amount": n.amount,
        "offers": [
            {"code": x.offer.code, "name": x.offer.name, "reasons": x.reasons}
            for x in n.matches
            if x.offer.partner_id == partner.pk
        ],
        "claimed": partner.name in n.claims,
    }


def needs_for_partner(partner, *, today: date | None = None) -> list[dict]:
    """The anonymised open needs in ``partner``'s area (newest 200)."""
    return [anonymised(n, partner) for n in open_needs(towns=partner.towns or None, today=today)]


__all__ = ["NEED_CATEGORIES", "OpenNeed", "open_needs", "need_by_key", "needs_for_partner"]
