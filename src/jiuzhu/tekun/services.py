"""Extreme-poverty support writes (DOMAIN §7 特困), each one transaction, each checked against
the scope table (``tekun.manage``; transfers also against ``transfer.create``):

- ``home_register`` — a support institution (an institution payee of kind support_institution)
  with its number of beds;
- ``placement_create`` / ``placement_leave`` — a supported person chooses centralised support
  (a running ``tekun_institutional`` entitlement) and enters a home with a free bed (the home
  row is locked: two admissions never take the last bed twice); the admission records his
  support mode (centralised, the institution) as the registry's programme fact the rules read,
  dated the day he entered, and leaving for home records dispersed support, dated the day he
  left (a move to another home is recorded by the next admission; a death needs no mode);
- ``support_transfer_create`` — the month's centralised support of a home's residents (their
  entitlements' amounts: basic living and care) in one transfer to the institution, approved by
  a second person like every transfer; the month's roll then leaves those residents out
  (``InstitutionTransfer.IN_PLACE_OF_ROLL``), and a resident the roll already paid for the
  month is left out of the transfer and reported;
- ``funeral_grant`` — the funeral benefit (``tekun.funeral_benefit``), once per dead supported
  person: to the institution that arranged the funeral (the home he died in, by default) as a
  transfer, or to the member of his household who arranged it, paid by the roll.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from jiuzhu.common import scope, values
from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.decisions.entitlements import entitlement_grant, month_start
from jiuzhu.payments import institutions
from jiuzhu.payments.models import Institution, InstitutionTransfer, PaymentLine
from jiuzhu.registry import programme
from jiuzhu.registry.models import Person, Unit, User

from . import selectors
from .models import FuneralBenefit, LeftReason, Placement, SupportHome


def _home(actor: User, home, *, lock=False) -> SupportHome:
    qs = SupportHome.objects.select_related("institution")
    h = (qs.select_for_update() if lock else qs).filter(pk=getattr(home, "pk", home)).first()
    if h is None:
        raise ValidationFailed("供养服务机构不存在", field="home", code="home_not_found")
    scope.require(actor, "tekun.manage", unit=h.institution.unit_id)
    return h


BEDS_MAX = 100_000  # one home's beds; beyond is a typing error (and past the column's range)


@transaction.atomic
def home_register(*, actor: User, institution, beds) -> SupportHome:
    inst = Institution.objects.filter(
        pk=getattr(institution, "pk", institution), kind=Institution.SUPPORT
    ).first()
    if inst is None:
        raise ValidationFailed(
            "不是供养服务机构类收款机构", field="institution", code="not_support_institution"
        )
    scope.require(actor, "tekun.manage", unit=inst.unit_id)
    try:
        n = int(str(beds).strip())
    except ValueError:
        n = 0
    if n < 1:
        raise ValidationFailed("床位数应为正整数", field="beds", code="bad_beds")
    if n > BEDS_MAX:
        raise ValidationFailed(
            f"床位数超出合理范围（不超过 {BEDS_MAX:,} 张）", field="beds", code="beds_out_of_range"
        )
    home = SupportHome.objects.select_for_update().filter(institution=inst).first()
    if home is None:
        return SupportHome.objects.create(institution=inst, beds=n)
    if n < home.placements.filter(left_on__isnull=True).count():
        raise ValidationFailed("床位数少于在住人数", field="beds", code="beds_below_residents")
    home.beds = n
    home.save(update_fields=["beds"])
    return home


@transaction.atomic
def placement_create(*, actor: User, home, person, entered_on) -> Placement:
    h = _home(actor, home, lock=True)
    p = Person.objects.filter(pk=getattr(person, "pk", person), deceased_on__isnull=True).first()
    if p is None:
        raise ValidationFailed("人员不存在或已死亡", field="person", code="person_not_found")
    on = values.past_date(entered_on, field="entered_on", label="入住日期")
    if selectors.supported_at(p, on) != selectors.CENTRALISED:
        raise ValidationFailed(
            "该人员没有正在享受的特困人员集中供养待遇（须本人选择集中供养并经认定）",
            field="person",
            code="not_centralised",
        )
    if Placement.objects.filter(person=p, left_on__isnull=True).exists():
        raise ValidationFailed("该人员已在供养服务机构入住", field="person", code="already_placed")
    if h.placements.filter(left_on__isnull=True).count() >= h.beds:
        raise ValidationFailed(
            f"{h.institution.name}床位已满（{h.beds} 张）", field="home", code="no_free_bed"
        )
    placed = Placement.objects.create(person=p, home=h, entered_on=on, created_by=actor)
    _support_mode(actor, p, on, {"mode": "institutional", "institution": h.institution.name[:100]})
    return placed


def _support_mode(actor: User, person: Person, on: date, data: dict) -> None:
    """The person's form of support as the registry's programme fact, dated: what the rules read
    (``decisions.frames.registry_facts``: centralised or dispersed support amount), written
    under this area's own scope row (``tekun.manage``, checked by the caller)."""
    programme.area_fact_record(
        recorded_by=actor,
        household=person.household,
        person=person,
        kind="support_mode",
        data={"carer": "", "institution": "", **data},
        effective_on=on,
    )


@transaction.atomic
def placement_leave(*, actor: User, placement, on, reason: str) -> Placement:
    pl = Placement.objects.select_for_update().get(pk=getattr(placement, "pk", placement))
    _home(actor, pl.home_id)
    if pl.left_on is not None:
        raise IllegalTransition("该人员已离开机构", field="placement", code="already_left")
    if reason not in LeftReason.values:
        raise ValidationFailed("请选择离开原因", field="reason", code="bad_reason")
    left = values.past_date(on, field="on", label="离开日期")
    if left < pl.entered_on:
        raise ValidationFailed("离开日期早于入住日期", field="on", code="left_before_entry")
    pl.left_on, pl.left_reason = left, reason
    pl.save(update_fields=["left_on", "left_reason"])
    if reason == LeftReason.HOME:  # back to dispersed support from the day he left; a move or a death
        _support_mode(actor, pl.person, left, {"mode": "dispersed"})  # keeps the fact as it is
    return pl


@transaction.atomic
def support_transfer_create(*, actor: User, home, month: date) -> dict:
    """The month's centralised support of ``home``'s residents in one transfer (created once per
    home and month). Returns the transfer, its residents and those left out with the reason."""
    h = _home(actor, home)
    m = month_start(month)
    residents = [
        pl for pl in selectors.residents_in(h, m) if not (pl.person.deceased_on and pl.person.deceased_on < m)
    ]
    owed = selectors.support_owed([pl.person_id for pl in residents], m)
    by_roll = set(
        PaymentLine.objects.filter(
            kind=PaymentLine.REGULAR,
            service_code=selectors.CENTRALISED,
            period=m,
            payee_id__in=[pl.person_id for pl in residents],
        )
        .exclude(state=PaymentLine.FAILED)
        .values_list("payee_id", flat=True)
    )
    lines, left_out = [], []
    for pl in residents:
        if pl.person_id in by_roll:
            left_out.append({"person": pl.person_id, "reason": "本月已随发放名册发放给本人"})
            continue
        ents = owed.get(pl.person_id, [])
        amount = sum((e.amount for e in ents), Decimal("0.00"))
        if amount <= 0:
            left_out.append({"person": pl.person_id, "reason": "本月没有集中供养待遇"})
            continue
        lines.append({"person": pl.person_id, "amount": amount, "reference": f"{m:%Y%m}集中供养"})
    if not lines:
        raise ValidationFailed("本月没有可拨付的集中供养人员", field="month", code="nothing_to_pay")
    t = institutions.transfer_create(
        actor=actor,
        institution=h.institution,
        amount=sum((ln["amount"] for ln in lines), Decimal("0.00")),
        purpose=selectors.CENTRALISED,
        period=m,
        lines=lines,
        note=f"{m:%Y年%m月}特困人员集中供养金（{h.institution.name}）",
        key=f"{InstitutionTransfer.IN_PLACE_OF_ROLL}tekun:{h.pk}:{m:%Y-%m}",
    )
    return {"transfer": t, "residents": len(lines), "left_out": left_out}


@transaction.atomic
def funeral_grant(*, actor: User, person, policy, institution=None, payee=None) -> FuneralBenefit:
    p = Person.objects.select_for_update().select_related("household").get(pk=getattr(person, "pk", person))
    if p.deceased_on is None:
        raise ValidationFailed("该人员没有死亡登记", field="person", code="not_deceased")
    service = selectors.supported_at(p, p.deceased_on)
    if service is None:
        raise ValidationFailed("该人员死亡时不是特困供养人员", field="person", code="not_supported")
    unit_id = Unit.objects.get(code=policy.service(service).owner_unit).pk
    scope.require(actor, "tekun.manage", unit=unit_id)
    if FuneralBenefit.objects.filter(person=p).exists():
        raise ValidationFailed("该人员的丧葬补助已发放", field="person", code="already_granted")
    if institution is not None and payee is not None:
        raise ValidationFailed(
            "丧葬补助支付给办理丧葬事宜的机构或家庭成员，只能选择其一", field="payee", code="one_payee"
        )
    if institution is None and payee is None:
        placed = Placement.objects.filter(person=p).order_by("-entered_on").first()
        if placed is not None and (placed.left_on is None or placed.left_reason == LeftReason.DIED):
            institution = placed.home.institution
    amount = Decimal(parameter(policy, "tekun.funeral_benefit", p.deceased_on)).quantize(Decimal("0.01"))
    month = month_start(p.deceased_on)
    fb = FuneralBenefit(person=p, service_code=service, amount=amount, created_by=actor)
    if institution is not None:
        inst = Institution.objects.filter(pk=getattr(institution, "pk", institution)).first()
        if inst is None:
            raise ValidationFailed(
                "办理丧葬事宜的机构不存在", field="institution", code="institution_not_found"
            )
        fb.institution = inst
        fb.transfer = institutions.transfer_create(
            actor=actor,
            institution=inst,
            amount=amount,
            purpose=service,
            period=month,
            lines=[{"person": p.pk, "amount": amount, "reference": "丧葬补助"}],
            note=f"特困人员丧葬补助（{p.name}）",
            key=f"tekun_funeral:{p.pk}",
        )
    else:
        who = Person.objects.filter(
            pk=getattr(payee, "pk", payee), household_id=p.household_id, deceased_on__isnull=True
        ).first()
        if who is None:
            raise ValidationFailed(
                "请选择办理丧葬事宜的机构，或本户在世的家庭成员", field="payee", code="payee_not_member"
            )
        fb.entitlement = entitlement_grant(
            household=p.household,
            payee=who,
            members=[p],
            service_code=service,
            amount=amount,
            start_month=month,
            amount_period="once",
            actor=actor,
            policy=policy,
            origin="特困人员丧葬补助",
            reason=f"特困人员{p.name}死亡，丧葬补助按政策标准 {amount} 元",
            rule_amount=amount,
        )
    fb.save()
    return fb
