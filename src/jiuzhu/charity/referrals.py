"""Referrals to social forces (转介): a caseworker refers a household to a partner's offer
with its consent; the partner accepts or declines, delivers and reports back; the result goes
into the household's assistance chain (intake case events) and the window's feedback (intake
notices). No double help is checked at referral.

State changes are ``check_``/``do_`` pairs: ``check_referral`` locks the row (SELECT … FOR
UPDATE; SQLite's IMMEDIATE transaction serialises writers) and checks permission, version
and state; the ``do_`` part runs under that lock in the same transaction."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from jiuzhu.charity.periods import cover_months
from jiuzhu.common import clock, money, scope, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.roles import role_of
from jiuzhu.common.selectors import deadline, holiday_table
from jiuzhu.common.tx import bump, check_version, lock, racing_write
from jiuzhu.decisions.models import Entitlement, GrantRequest
from jiuzhu.intake.models import Referral as IntakeReferral
from jiuzhu.intake.notify import notify
from jiuzhu.registry.models import Household, Person, User

from . import services as s
from .models import NEED_LABELS, CharityReferral, Disbursement, Fund, Offer, ReferralSource, qty

R = CharityReferral
# Working days a partner has to say yes or no (like a unit's sign-for of a referral).
ANSWER_DAYS = 3
# need -> government service categories paying for it (DOMAIN §2).
NEED_CATEGORIES = {
    "living": ("minimum_living", "extreme_poverty"),
    "medical": ("medical",),
    "education": ("education",),
    "housing": ("housing",),
    "employment": ("employment",),
    "disaster": ("disaster",),
    "emergency": ("temporary",),
}
# intake referral category -> the need it answers
CATEGORY_NEED = {c: n for n, cats in NEED_CATEGORIES.items() for c in cats}


def shared_view(household: Household, person: Person, need: str, description: str) -> dict:
    """What the partner is told: masked as ``masking`` declares for the partner role."""
    return {
        "name": m.present("name", person.name, m.PARTNER),
        "phone": m.present("phone", household.phone, m.PARTNER) if household.phone else "",
        "address": m.present("address", household.address, m.PARTNER),
        "town": household.town.name,
        "community": household.community,
        "household_size": household.members.filter(deceased_on__isnull=True).count(),
        "need": need,
        "need_display": NEED_LABELS.get(need, need),
        "description": description,
    }


# --- no double help -------------------------------------------------------------------------


def government_payments(household: Household, need: str, *, since: date, until: date) -> list[dict]:
    """Government payments for ``need`` in the window: entitlements running in it and intake
    referrals granted in it, of the categories that pay for that need."""
    cats = NEED_CATEGORIES.get(need, ())
    rows = Entitlement.objects.filter(household=household, category__in=cats, start_month__lte=until).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=since.replace(day=1))
    )
    out = [{"service_code": e.service_code, "amount": e.amount} for e in rows]
    granted = IntakeReferral.objects.filter(
        application__household=household,
        category__in=cats,
        state=IntakeReferral.GRANTED,
        closed_on__gte=since,
        closed_on__lte=until,
    )
    granted = granted.exclude(entitlements__isnull=False)  # already counted as an entitlement
    out += [{"service_code": r.service_code, "amount": r.amount or Decimal("0")} for r in granted]
    return out


def check_double_help(
    *,
    household: Household,
    offer: Offer,
    need: str,
    amount: Decimal,
    cost_amount: Decimal | None,
    today: date,
) -> str:
    """For cash: refuse (1) a second charity cash for the same need within the offer's rule
    period (any partner: the household is helped once per need and period), and (2) charity
    cash for a cost a government service already paid. Where the caseworker states the whole
    cost and the government paid only part of it, the charity may top up the rest; the
    government service is returned (for screening's ``covers_government_cost``)."""
    if offer.kind != Offer.CASH:
        return ""
    since = today - timedelta(days=offer.period_days)
    earlier = (
        R.objects.filter(household=household, need=need, offer__kind=Offer.CASH, referred_on__gt=since)
        .exclude(state=R.DECLINED)
        .select_related("partner")
        .first()
    )
    if earlier is not None:
        raise Conflict(
            f"该家庭已于 {earlier.referred_on.isoformat()} 因“{NEED_LABELS[need]}”获转介慈善资金"
            f"（{earlier.partner.name}），{offer.period_days} 天内同一需求不能重复资助",
            field="offer",
            code="charity_cash_twice",
            earlier=earlier.pk,
        )
    paid = government_payments(household, need, since=since, until=today)
    if not paid:
        return ""
    gov_total = sum((p["amount"] for p in paid), Decimal("0"))
    services = "、".join(dict.fromkeys(p["service_code"] for p in paid))
    if cost_amount is None or amount > cost_amount - gov_total:
        left = max(cost_amount - gov_total, Decimal("0")) if cost_amount is not None else None
        extra = (
            f"，政府已支付 {gov_total:.2f} 元，自付部分至多 {left:.2f} 元"
            if left is not None
            else ("；如仍有未覆盖的费用，请填写费用总额，慈善资金只补足政府未支付的部分")
        )
        raise Conflict(
            f"该家庭的“{NEED_LABELS[need]}”费用已由政府救助（{services}）支付{extra}",
            field="amount",
            code="government_already_paid",
            services=services,
        )
    return paid[0]["service_code"]


# --- refer ----------------------------------------------------------------------------------


def _capacity_left(offer: Offer) -> int | None:
    if offer.capacity is None:
        return None
    taken = R.objects.filter(offer=offer, state__in=R.OPEN_STATES).count()
    return offer.capacity - taken


@racing_write
def refer(
    *,
    actor: User,
    household: Household,
    offer: Offer,
    need: str,
    consent_by: str,
    consent_on: date,
    source_kind: str = "other",
    source_id: str = "",
    person: Person | None = None,
    description: str = "",
    amount=None,
    quantity=None,
    cost_amount=None,
    cover_from: date | None = None,
    cover_to: date | None = None,
    application=None,
    intake_referral=None,
    today: date | None = None,
) -> CharityReferral:
    """Refer ``household`` to ``offer`` (转介). The offer must fit the need, the household's
    town and have capacity left; the household's consent is recorded; cash is checked for
    double help. ``cover_from``/``cover_to``: the months the cash pays for (a rent's months;
    kept as month starts), which screening compares with the government's lines of the need."""
    scope.require(actor, "charity.refer", household=household)
    today = today or clock.today()
    # Lock the household, then the offer: two referrals of one household serialise, so the
    # double-help check sees the other one; two of one offer cannot both take its last place.
    household = Household.objects.select_for_update().select_related("town").get(pk=household.pk)
    offer = Offer.objects.select_for_update().select_related("partner").get(pk=offer.pk)
    if not offer.active or not offer.partner.active:
        raise ValidationFailed("该帮扶资源已停用", field="offer", code="offer_inactive")
    if need not in NEED_LABELS:
        raise ValidationFailed("需求无效", field="need", code="unknown_need")
    if source_kind not in ReferralSource.values:
        raise ValidationFailed("来源无效", field="source_kind", code="unknown_source")
    if need not in offer.needs:
        raise ValidationFailed(
            f"“{offer.name}”不帮扶“{NEED_LABELS[need]}”需求（可帮扶：{offer.needs_display}）",
            field="offer",
            code="offer_need_mismatch",
        )
    if not offer.serves(household.town.code):
        raise ValidationFailed(
            f"“{offer.name}”的服务区域不含{household.town.name}", field="offer", code="offer_outside_area"
        )
    left = _capacity_left(offer)
    if left is not None and left <= 0:
        raise Conflict(f"“{offer.name}”名额已满（{offer.capacity} 户）", field="offer", code="offer_full")
    consent_by = values.text(consent_by, field="consent_by", max_length=50, required=False, label="同意人")
    description = s.note(description, field="description", label="困难情况")
    if not consent_by or consent_on is None:
        raise ValidationFailed(
            "转介须征得家庭同意：请填写同意人和日期", field="consent_by", code="consent_required"
        )
    if consent_on > today:
        raise ValidationFailed("同意日期不能晚于今天", field="consent_on", code="consent_in_future")
    if person is None:
        person = household.members.filter(relation="head").first() or household.members.first()
    if person is None or person.household_id != household.pk:
        raise ValidationFailed("受助人须为该家庭成员", field="person", code="not_member")
    amount = money.amount(amount, allow_none=offer.kind != Offer.CASH)
    cost_amount = money.amount(cost_amount, field="cost_amount", label="成本金额", allow_none=True)
    quantity = money.amount(quantity, field="quantity", label="数量", allow_none=offer.kind != Offer.GOODS)
    if offer.kind == Offer.CASH and offer.max_amount is not None and amount > offer.max_amount:
        raise ValidationFailed(
            f"“{offer.name}”每户最高 {offer.max_amount:.2f} 元", field="amount", code="over_offer_max"
        )
    if offer.kind == Offer.GOODS and offer.max_quantity is not None and quantity > offer.max_quantity:
        raise ValidationFailed(
            f"“{offer.name}”每户最多 {qty(offer.max_quantity)}", field="quantity", code="over_offer_max"
        )
    cover_from, cover_to = cover_months(cover_from, cover_to)
    if application is None:
        application = _source_application(source_kind, source_id, household)
    gov = check_double_help(
        household=household, offer=offer, need=need, amount=amount, cost_amount=cost_amount, today=today
    )
    table = holiday_table()
    r = R.objects.create(
        household=household,
        person=person,
        partner=offer.partner,
        offer=offer,
        need=need,
        description=description,
        source_kind=source_kind,
        source_id=str(source_id or "")[:40],
        application=application,
        intake_referral=intake_referral,
        amount=amount,
        quantity=quantity,
        cost_amount=cost_amount,
        government_service=gov,
        cover_from=cover_from,
        cover_to=cover_to,
        consent_by=consent_by[:50],
        consent_on=consent_on,
        shared=shared_view(household, person, need, description),
        unit=actor.unit,  # type: ignore[misc]  # staff who may refer work in a unit (NOT NULL column)
        referred_by=actor,
        referred_on=today,
        answer_due_on=deadline(today, ANSWER_DAYS, table).due,
        due_on=deadline(today, offer.limit_days, table).due,
    )
    if application is not None:
        _chain(r, actor, f"转介{offer.partner.name}（{offer.name}），家庭成员{m.mask_name(consent_by)}已同意")
    return r


def _source_application(source_kind: str, source_id, household: Household):
    """The intake application behind a source (so its chain and window hear the result), when
    it is this household's; None otherwise."""
    from jiuzhu.intake.models import Application, EmergencyAid

    if not str(source_id or "").isdigit():
        return None
    pk = int(source_id)
    if source_kind == ReferralSource.PARTLY_MET:
        app = Application.objects.filter(pk=pk).first()
    elif source_kind == ReferralSource.EMERGENCY:
        aid = EmergencyAid.objects.select_related("application").filter(pk=pk).first()
        app = aid.application if aid else None
    elif source_kind in (ReferralSource.INTAKE_REFUSED, ReferralSource.INTAKE_CHARITY):
        ir = IntakeReferral.objects.select_related("application").filter(pk=pk).first()
        app = ir.application if ir else None
    elif source_kind == ReferralSource.TOP_TIER_REST:
        g = GrantRequest.objects.select_related("referral__application").filter(pk=pk).first()
        app = g.referral.application if g else None
    else:
        return None
    return app if app is not None and app.household_id == household.pk else None


@racing_write
def refer_from_intake(
    *,
    actor: User,
    intake_referral: IntakeReferral | int,
    offer: Offer,
    consent_by: str,
    consent_on: date,
    amount=None,
    quantity=None,
    cost_amount=None,
    note: str = "",
    version: int | None = None,
    today: date | None = None,
    **cover,  # cover_from / cover_to: the months paid for (refer)
) -> CharityReferral:
    """From an intake referral: one refused (the caseworker refers to charity afterwards) or
    one still in handling (the unit hands it to charity — intake's ``referral_charity`` —
    and the charity referral is made in the same transaction)."""
    from jiuzhu.intake.handling import referral_charity

    pk = intake_referral.pk if isinstance(intake_referral, IntakeReferral) else int(intake_referral)
    ir = IntakeReferral.objects.select_related("application", "application__household").get(pk=pk)
    today = today or clock.today()
    if R.objects.filter(intake_referral=ir).exclude(state=R.DECLINED).exists():
        raise Conflict("该事项已转介过社会力量", field="intake_referral", code="already_referred")
    if ir.state == IntakeReferral.IN_PROGRESS:
        referral_charity(
            actor=actor, referral=ir, charity_name=offer.partner.name, note=note, version=version, today=today
        )
        source_kind = ReferralSource.INTAKE_CHARITY
    elif ir.state in (IntakeReferral.REFUSED, IntakeReferral.CHARITY):
        if not scope.allows(actor, "charity.desk"):
            raise scope.RoleNotAllowed("不予救助后的转介由镇街经办人员办理", field="role")
        refused = ir.state == IntakeReferral.REFUSED
        source_kind = ReferralSource.INTAKE_REFUSED if refused else ReferralSource.INTAKE_CHARITY
    else:
        raise IllegalTransition(
            f"分办事项当前为“{ir.get_state_display()}”，办理中或不予救助后才能转介慈善力量",
            field="intake_referral",
            code="intake_referral_not_referable",
        )
    app = ir.application
    need = CATEGORY_NEED.get(ir.category) or next(iter(app.needs), "living")
    return refer(
        actor=actor,
        household=app.household,
        offer=offer,
        need=need if need in offer.needs else offer.needs[0],
        consent_by=consent_by,
        consent_on=consent_on,
        source_kind=source_kind,
        source_id=str(ir.pk),
        person=app.applicant,
        description=(note or ir.reasons or app.description or "").strip(),
        amount=amount,
        quantity=quantity,
        cost_amount=cost_amount,
        **cover,
        application=app,
        intake_referral=ir,
        today=today,
    )


def _chain(r: CharityReferral, actor: User, text: str, *, feedback: bool = False) -> None:
    """Write the step into the household's assistance chain (the application's events) and,
    for a result, into the window's feedback."""
    from jiuzhu.intake.services import event

    app = r.application
    if app is None:
        return
    event(
        app,
        "charity",
        actor=actor,
        referral=r.intake_referral,
        note=text,
        data={"charity_referral": r.pk, "partner": r.partner.code, "state": r.state},
    )
    if feedback:
        notify(
            key=f"charity_result:{r.pk}:{r.state}",
            kind="feedback",
            unit=app.window,
            application=app,
            referral=r.intake_referral,
            message=f"{r.partner.name}反馈（查询码 {app.tracking_code}）：{text}",
        )


# --- partner's handling ---------------------------------------------------------------------

TRANSITIONS = {
    "accept": ({R.REFERRED}, "接收"),
    "decline": ({R.REFERRED}, "不予承接"),
    "deliver": ({R.ACCEPTED}, "反馈帮扶结果"),
}


def can_view(user, r: CharityReferral) -> bool:
    """The same reach as ``selectors.referrals_for``: a partner its own; approver, admin and
    supervisor all; a town's staff their town's (made by it or for its households); a
    department officer his unit's."""
    role = role_of(user)
    if role == m.PARTNER:
        own = s.partner_of(user)
        return own is not None and own.pk == r.partner_id
    reach = scope.scope_of(user, "charity.referral_read")
    if reach == scope.CITY:
        return True
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or reach == scope.NONE:
        return False
    return unit_id == r.unit_id or unit_id == r.household.town_id


def get_for(user, referral_id: int) -> CharityReferral:
    """The referral, if ``user`` may see it (a partner only its own)."""
    r = R.objects.select_related("partner", "offer", "household", "unit").filter(pk=referral_id).first()
    if r is None:
        raise NotFound("转介记录不存在", field="referral", code="not_found")
    if not can_view(user, r):
        if role_of(user) == m.PARTNER:
            raise PermissionDenied("该转介不属于本机构，无权查看", code="not_your_partner")
        raise PermissionDenied("该转介不属于本单位或本镇街，无权查看", code="not_your_unit")
    return r


def _check_permission(r: CharityReferral, actor: User) -> None:
    own = s.partner_of(actor)
    if role_of(actor) == m.PARTNER and own is not None and own.pk == r.partner_id:
        return
    if role_of(actor) == m.PARTNER:
        raise PermissionDenied("该转介不属于本机构，不能办理", code="not_your_partner")
    raise PermissionDenied("只有承接的合作方可以办理", code="not_partner")


def allowed_actions(r: CharityReferral, user) -> list[str]:
    try:
        _check_permission(r, user)
    except PermissionDenied:
        return []
    return [a for a, (states, _) in TRANSITIONS.items() if r.state in states]


def check_referral(
    *, actor: User, referral_id: int, action: str, version: int | None = None
) -> CharityReferral:
    """Lock the referral and check that ``actor`` may ``action`` it now (inside the caller's
    transaction)."""
    r = lock(R, referral_id, missing="转介记录不存在", field="referral")
    _check_permission(r, actor)
    states, label = TRANSITIONS[action]
    check_version(r, version, message="该转介已被他人处理，请刷新后重试")
    if r.state not in states:
        raise IllegalTransition(
            f"当前状态为“{r.get_state_display()}”，不能{label}", code=f"cannot_{action}", state=r.state
        )
    return r


def _bump(r: CharityReferral, **fields) -> None:
    """Every step of a referral clears its overdue flag."""
    bump(r, flag="", **fields)


@racing_write
def accept(
    *, actor: User, referral, version: int | None = None, today: date | None = None
) -> CharityReferral:
    r = check_referral(actor=actor, referral_id=_pk(referral), action="accept", version=version)
    _bump(r, state=R.ACCEPTED, answered_on=today or clock.today(), answered_by=actor)
    _chain(r, actor, f"{r.partner.name}已接收转介，办结期限 {r.due_on.isoformat()}")
    return r


@racing_write
def decline(
    *, actor: User, referral, reason: str, version: int | None = None, today: date | None = None
) -> CharityReferral:
    reason = s.note(reason, field="reason", label="不予承接理由")
    if not reason:
        raise ValidationFailed("请说明不予承接的理由", field="reason", code="required")
    r = check_referral(actor=actor, referral_id=_pk(referral), action="decline", version=version)
    _bump(
        r,
        state=R.DECLINED,
        answered_on=today or clock.today(),
        answered_by=actor,
        decline_reason=reason,
    )
    text = f"{r.partner.name}不予承接：{reason}"
    _chain(r, actor, text, feedback=True)
    _notify_unit(r, "charity_declined", text)
    return r


@racing_write
def deliver(
    *,
    actor: User,
    referral,
    result: str,
    amount=None,
    quantity=None,
    version: int | None = None,
    today: date | None = None,
) -> CharityReferral:
    """The partner delivers and reports back: cash paid from the offer's fund (within the
    amount referred), goods issued from its stock, a waiver's amount or a service done. The
    result goes into the chain and the window's feedback."""
    result = s.note(result, field="result", label="帮扶结果")
    if not result:
        raise ValidationFailed("请填写帮扶结果", field="result", code="required")
    today = today or clock.today()
    r = check_referral(actor=actor, referral_id=_pk(referral), action="deliver", version=version)
    offer = r.offer
    paid = issued = None
    if offer.kind == Offer.CASH:
        paid = money.amount(amount if amount not in (None, "") else r.amount)
        assert r.amount is not None  # a cash referral carries its amount (refer)
        if paid > r.amount:
            raise ValidationFailed(
                f"支付金额不能超过转介金额 {r.amount:.2f} 元", field="amount", code="over_referred_amount"
            )
        _pay(r, actor=actor, amount=paid, today=today)
        text = f"{r.partner.name}已资助 {paid:.2f} 元：{result}"
    elif offer.kind == Offer.GOODS:
        issued = money.amount(
            quantity if quantity not in (None, "") else r.quantity, field="quantity", label="数量"
        )
        item = offer.stock_item
        assert item is not None  # a goods offer draws on its stock item (offer_save)
        s.stock_issue(actor=actor, item=item, quantity=issued, note="", referral=r, issued_on=today)
        text = f"{r.partner.name}已发放{item.name} {qty(issued)}{item.unit}：{result}"
    else:
        paid = money.amount(amount, allow_none=True)
        worth = f"（减免/折合 {paid:.2f} 元）" if paid else ""
        text = f"{r.partner.name}已完成{offer.get_kind_display()}“{offer.name}”{worth}：{result}"
    _bump(
        r,
        state=R.DELIVERED,
        delivered_on=today,
        delivered_by=actor,
        delivered_amount=paid,
        delivered_quantity=issued,
        result=result,
    )
    _chain(r, actor, text, feedback=True)
    _notify_unit(r, "charity_delivered", text)
    return r


def _pay(r: CharityReferral, *, actor: User, amount: Decimal, today: date) -> Disbursement:
    assert r.offer.fund_id is not None  # a cash offer pays from its fund (offer_save)
    fund = Fund.objects.select_for_update().get(pk=r.offer.fund_id)
    if fund.needs and r.need not in fund.needs:
        raise ValidationFailed(
            f"“{fund.name}”限定用于{'、'.join(NEED_LABELS[n] for n in fund.needs)}，不能用于该需求",
            field="fund",
            code="fund_purpose_mismatch",
        )
    if amount > fund.balance:
        raise ValidationFailed(
            f"“{fund.name}”余额 {fund.balance:.2f} 元，不足支付 {amount:.2f} 元",
            field="amount",
            code="fund_insufficient",
        )
    d = Disbursement.objects.create(fund=fund, referral=r, amount=amount, paid_on=today, paid_by=actor)
    s.allocate(fund.donations.all(), amount, disbursement=d)
    fund.balance -= amount
    fund.save(update_fields=["balance"])
    return d


def _notify_unit(r: CharityReferral, kind: str, text: str) -> None:
    if r.application is not None and r.application.window_id == r.unit_id:
        return  # the window's feedback already told that unit
    notify(key=f"{kind}:{r.pk}", kind=kind, unit=r.unit, message=f"转介#{r.pk}：{text}")


def _pk(referral) -> int:
    return referral.pk if isinstance(referral, CharityReferral) else int(referral)


# --- deadlines ------------------------------------------------------------------------------


@transaction.atomic
def tick(*, today: date | None = None) -> int:
    """Flag referrals past their answer or delivery date and tell the referring unit and the
    supervisor, once per due date. Returns how many were newly flagged."""
    today = today or clock.today()
    late = R.objects.filter(
        Q(state=R.REFERRED, answer_due_on__lt=today) | Q(state=R.ACCEPTED, due_on__lt=today)
    ).select_related("partner", "unit")
    n = 0
    for r in late:
        due = r.current_due()
        if r.flag == "overdue" and r.flagged_due == due:
            continue
        R.objects.filter(pk=r.pk).update(flag="overdue", flagged_due=due)
        n += 1
        step = "接收" if r.state == R.REFERRED else "帮扶"
        text = f"转介已超期：{r.partner.name}未在 {due.isoformat()} 前{step}（转介#{r.pk}）"
        notify(key=f"charity_overdue:{r.pk}:{due.isoformat()}", kind="overdue", unit=r.unit, message=text)
        notify(
            key=f"charity_overdue:{r.pk}:{due.isoformat()}:role:{m.SUPERVISOR}",
            kind="overdue",
            role=m.SUPERVISOR,
            message=text,
        )
    return n
