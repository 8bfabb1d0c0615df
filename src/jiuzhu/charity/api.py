"""Charity JSON API, mounted at /api/charity/. Thin: parse, call one service or selector,
shape. A partner log-in sees and handles only its own referrals (403 ``not_your_partner``);
the transparency figures need no log-in. Errors are ``{"code", "field", "message"}``."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from ninja import Field, Router, Schema, Status

from jiuzhu.common import masking as m
from jiuzhu.common import scope
from jiuzhu.common.errors import NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.roles import role_of
from jiuzhu.common.schemas import ERRORS
from jiuzhu.common.services import log_access
from jiuzhu.common.values import DateParam, Id
from jiuzhu.registry.selectors import get_household

from . import matching, referrals, selectors, services
from .models import CharityReferral, Offer, Partner

router = Router(tags=["charity 社会力量参与"])


class ReferralOut(Schema):
    id: int
    version: int
    partner: str
    offer: str
    offer_kind: str
    need: str
    state: str
    state_display: str
    source_kind: str
    shared: dict = Field(..., description="合作方可见的信息（按合作方角色脱敏）")
    household: str | None = Field(None, description="家庭编号（合作方不可见）")
    amount: str | None
    quantity: str | None
    referred_on: date
    answer_due_on: date
    due_on: date
    delivered_on: date | None
    result: str
    actions: list[str]


class ReferIn(Schema):
    household: str | None = Field(None, description="家庭编号；从分办事项转介时可省略")
    intake_referral: Id | None = Field(None, description="一门受理分办事项编号（不予救助或办理中转介慈善）")
    partner: str
    offer: str
    need: str | None = None
    consent_by: str = Field(..., description="同意转介的家庭成员姓名")
    consent_on: date
    source_kind: str = "other"
    source_id: str = ""
    description: str = ""
    amount: str | None = None
    quantity: str | None = None
    cost_amount: str | None = Field(None, description="费用总额（政府已部分支付时）")
    cover_from: date | None = Field(
        None, description="资助所付的起始月份（如房租的月份；查重按月份与政府救助比对）"
    )
    cover_to: date | None = Field(None, description="资助所付的截止月份（默认同起始月份）")


class ActIn(Schema):
    version: int | None = None
    reason: str = ""
    result: str = ""
    amount: str | None = None
    quantity: str | None = None


def _money(v) -> str | None:
    return None if v is None else f"{v:.2f}"


def _out(r: CharityReferral, user) -> dict:
    partner_view = role_of(user) == m.PARTNER
    return {
        "id": r.pk,
        "version": r.version,
        "partner": r.partner.code,
        "offer": r.offer.code,
        "offer_kind": r.offer.kind,
        "need": r.need,
        "state": r.state,
        "state_display": r.get_state_display(),
        "source_kind": r.source_kind,
        "shared": r.shared,
        "household": None if partner_view else r.household.code,
        "amount": _money(r.amount),
        "quantity": _money(r.quantity),
        "referred_on": r.referred_on,
        "answer_due_on": r.answer_due_on,
        "due_on": r.due_on,
        "delivered_on": r.delivered_on,
        "result": r.result,
        "actions": referrals.allowed_actions(r, user),
    }


def _offer(partner: str, code: str) -> Offer:
    o = Offer.objects.select_related("partner").filter(partner__code=partner, code=code).first()
    if o is None:
        raise NotFound("帮扶资源不存在", field="offer", code="offer_not_found")
    return o


@router.get("/referrals", response={200: list[ReferralOut], **ERRORS})
def referral_list(request, state: str | None = None):
    """Referrals the user may see: a partner only its own."""
    return [_out(r, request.auth) for r in selectors.referrals_for(request.auth, state=state)]


@router.get("/referrals/{ref_id}", response={200: ReferralOut, **ERRORS})
def referral_get(request, ref_id: Id):
    with transaction.atomic():
        r = referrals.get_for(request.auth, ref_id)
        log_access(
            user=request.auth,
            action="view",
            object_type="charity.referral",
            object_id=r.pk,
            household_code=r.household.code,
            purpose="社会力量转介办理（API）",
        )
    return _out(r, request.auth)


@router.post("/referrals", response={201: ReferralOut, **ERRORS})
def referral_create(request, body: ReferIn):
    """Refer a household to a partner's offer with its consent (checked for fit, capacity and
    double help)."""
    offer = _offer(body.partner, body.offer)
    common = dict(
        actor=request.auth,
        offer=offer,
        consent_by=body.consent_by,
        consent_on=body.consent_on,
        amount=body.amount,
        quantity=body.quantity,
        cost_amount=body.cost_amount,
        cover_from=body.cover_from,
        cover_to=body.cover_to,
    )
    if body.intake_referral:
        r = referrals.refer_from_intake(intake_referral=body.intake_referral, note=body.description, **common)
    else:
        if not body.household or not body.need:
            raise ValidationFailed("请填写家庭编号和需求", field="household", code="required")
        r = referrals.refer(
            household=get_household(body.household),
            need=body.need,
            source_kind=body.source_kind,
            source_id=body.source_id,
            description=body.description,
            **common,
        )
    return Status(201, _out(r, request.auth))


@router.post("/referrals/{ref_id}/{action}", response={200: ReferralOut, **ERRORS})
def referral_act(request, ref_id: Id, action: str, body: ActIn):
    """The partner's steps: ``accept``, ``decline`` (reason), ``deliver`` (result; amount for
    cash or a waiver, quantity for goods)."""
    user = request.auth
    if action == "accept":
        r = referrals.accept(actor=user, referral=ref_id, version=body.version)
    elif action == "decline":
        r = referrals.decline(actor=user, referral=ref_id, reason=body.reason, version=body.version)
    elif action == "deliver":
        r = referrals.deliver(
            actor=user,
            referral=ref_id,
            result=body.result,
            amount=body.amount,
            quantity=body.quantity,
            version=body.version,
        )
    else:
        raise NotFound("未知操作", field="action", code="unknown_action")
    return _out(r, user)


@router.get("/needs", response={200: list[dict], **ERRORS})
def needs(request, town: str | None = None):
    """Open needs not met by government services. A partner gets the anonymised needs of its
    area; the desk gets each need with the offers that fit and the reasons."""
    own = services.partner_of(request.auth)
    if own is not None:
        return matching.needs_for_partner(own)
    services.ensure_desk(request.auth)
    return [
        {
            "key": n.key,
            "household": n.household.code,
            "town": n.town,
            "need": n.need,
            "source_kind": n.source_kind,
            "source_id": n.source_id,
            "raised_on": n.raised_on.isoformat(),
            "matches": [
                {"partner": x.offer.partner.code, "offer": x.offer.code, "reasons": x.reasons}
                for x in n.matches
            ],
            "claimed_by": n.claims,
        }
        for n in matching.open_needs(town=town)
    ]


@router.post("/needs/{key}/claim", response={200: dict, **ERRORS})
def need_claim(request, key: str):
    c = services.need_claim(actor=request.auth, need_key=key)
    return {"need": c.need_key, "partner": c.partner.code, "claimed_on": c.claimed_on.isoformat()}


@router.get("/partners/{code}/ledger", response={200: list[dict], **ERRORS})
def ledger(request, code: str):
    """Reconciliation of each fund and stock item of the partner (differences listed)."""
    p = Partner.objects.filter(code=code).first()
    if p is None:
        raise NotFound("合作方不存在", field="partner")
    own = services.partner_of(request.auth)
    if own is not None and own.pk != p.pk:
        raise PermissionDenied("您只能查看本机构的台账", code="not_your_partner")
    if own is None:
        scope.require(request.auth, "charity.read")
    return [
        {k: (f"{v:.2f}" if hasattr(v, "quantize") else v) for k, v in row.items()}
        for row in selectors.ledger_check(p)
    ]


class DonationIn(Schema):
    kind: str = Field(..., description="money / goods")
    donor_name: str = ""
    anonymous: bool = False
    fund: str | None = Field(None, description="资金账户代码（资金捐赠）")
    amount: str | None = None
    stock_item: str | None = Field(None, description="物资代码（物资捐赠）")
    quantity: str | None = None
    value: str | None = None
    purpose: str = ""
    received_on: date | None = None


class VolunteerIn(Schema):
    team: str
    volunteer: str
    served_on: date
    hours: str
    kind: str = Field(..., description="care/counselling/tutoring/repairs/other")
    town: str = ""
    referral: Id | None = None
    note: str = ""


def _partner(code: str) -> Partner:
    p = Partner.objects.filter(code=code).first()
    if p is None:
        raise NotFound("合作方不存在", field="partner")
    return p


@router.post("/partners/{code}/donations", response={201: dict, **ERRORS})
def donation_create(request, code: str, body: DonationIn):
    """Record a donation (money into a fund, goods into stock); returns the receipt number.
    The receipt PDF is at /charity/d/{id}/receipt.pdf."""
    p = _partner(code)
    d = services.donation_receive(
        actor=request.auth,
        partner=p,
        kind=body.kind,
        donor_name=body.donor_name,
        anonymous=body.anonymous,
        amount=body.amount,
        fund=p.funds.filter(code=body.fund).first() if body.fund else None,
        stock_item=p.stock.filter(code=body.stock_item).first() if body.stock_item else None,
        quantity=body.quantity,
        value=body.value,
        purpose=body.purpose,
        received_on=body.received_on,
    )
    return Status(
        201, {"id": d.pk, "receipt_no": d.receipt_no, "receipt_pdf": f"/charity/d/{d.pk}/receipt.pdf"}
    )


@router.post("/partners/{code}/volunteer-services", response={201: dict, **ERRORS})
def volunteer_create(request, code: str, body: VolunteerIn):
    p = _partner(code)
    referral = None
    if body.referral:
        referral = referrals.get_for(request.auth, body.referral)
    v = services.volunteer_log(
        actor=request.auth,
        partner=p,
        team=body.team,
        volunteer=body.volunteer,
        served_on=body.served_on,
        hours=body.hours,
        kind=body.kind,
        town=body.town,
        referral=referral,
        note=body.note,
    )
    return Status(201, {"id": v.pk, "hours": f"{v.hours:.2f}"})


@router.get("/public/{code}", auth=None, response={200: dict, **ERRORS})
def public(request, code: str):
    """A partner's transparency figures (aggregates only, no personal data). No log-in."""
    p = Partner.objects.filter(code=code, active=True).first()
    if p is None:
        raise NotFound("合作方不存在", field="partner")
    t = selectors.transparency(p)

    def plain(v):
        if hasattr(v, "quantize"):
            return f"{v:.2f}"
        if isinstance(v, list):
            return [{k: plain(x) for k, x in row.items()} for row in v]
        return v

    return {"partner": p.code, "name": p.name, **{k: plain(v) for k, v in t.items() if k != "partner"}}


@router.get("/volunteers/summary", response={200: dict, **ERRORS})
def volunteer_summary(request, start: DateParam | None = None, end: DateParam | None = None):
    own = services.partner_of(request.auth)
    if own is None:
        scope.require(request.auth, "charity.read")
    s = selectors.volunteer_summary(partner=own, start=start, end=end)

    def rows(x):
        return [{k: (f"{v:.2f}" if hasattr(v, "quantize") else v) for k, v in r.items()} for r in x]

    return {
        "total_hours": f"{s['total_hours']:.2f}",
        "by_month": rows(s["by_month"]),
        "by_team": rows(s["by_team"]),
        "by_volunteer": rows(s["by_volunteer"]),
    }
