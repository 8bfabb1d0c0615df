"""Employment assistance writes (DOMAIN §7 就业; 社会救助暂行办法 第四十二条至第四十六条), each
one transaction, each checked against the scope table (``employment.manage``):

- ``registration_create`` — the unemployment registration of a member able to work (full
  labour capacity, of the duty's working age, not at school), once while open;
- ``offer_create`` — a job offer (employer, position, wage, date); a public-welfare post only
  for a zero-employment dibao household (``selectors.zero_employment``);
- ``offer_answer`` — the person's answer: accepted (the registration ends in employment, the
  outcome the next dibao review reads) or refused with the reason and whether it is a good
  one. At the ``employment.refusals_limit``-th refusal in a row without good reason the unit
  issues the duty letter (就业义务告知书) and the household's dibao is put to review the same
  day (``caseload.reviewing.open_review``): the rules then leave that person's own share out
  (第四十五条), the caseworker confirms and the approver signs with its letter;
- ``outcome_record`` — employment found otherwise (the same outcome as an accepted offer);
- ``subsidy_grant`` — the training subsidy (once) or the public-welfare post subsidy (monthly)
  at the policy file's amount, to the person (an entitlement paid by the roll) or to the
  employer (an institution transfer).
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from jiuzhu.caseload.reviewing import open_review
from jiuzhu.common import scope, values
from jiuzhu.common.errors import IllegalTransition, NotFound, ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.decisions.letters import appeal_rights
from jiuzhu.decisions.models import Entitlement, Review
from jiuzhu.payments import institutions
from jiuzhu.payments.models import Institution
from jiuzhu.registry.models import Person, User

from . import selectors
from .models import DutyLetter, EndedReason, Offer, OfferKind, Registration, Subsidy, SubsidyKind

BASIS = "社会救助暂行办法 第四十五条"


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _locked(queryset, key, *, field: str, label: str):
    """The row ``key`` (a row or its id) locked for this transaction, or a 404 naming it: an
    id typed into a form or URL that does not exist is "not found", never a server error."""
    try:
        return queryset.select_for_update().get(pk=getattr(key, "pk", key))
    except (queryset.model.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"{label}不存在", field=field, code=f"{field}_not_found") from None


def _open(actor: User, registration) -> Registration:
    r = _locked(
        Registration.objects.select_related("person"),
        registration,
        field="registration",
        label="失业登记",
    )
    scope.require(actor, "employment.manage", unit=r.unit_id)
    if r.ended_on is not None:
        raise IllegalTransition("该失业登记已结束", field="registration", code="registration_ended")
    return r


@transaction.atomic
def registration_create(*, actor: User, person, registered_on, policy) -> Registration:
    unit = selectors.owner_unit(policy)
    scope.require(actor, "employment.manage", unit=unit)
    p = (
        Person.objects.select_for_update()
        .filter(pk=getattr(person, "pk", person), deceased_on__isnull=True)
        .first()
    )
    if p is None:
        raise ValidationFailed("人员不存在或已死亡", field="person", code="person_not_found")
    on = values.past_date(registered_on, field="registered_on", label="失业登记日期")
    low = int(parameter(policy, "employment.duty_age_min", on))
    top = int(parameter(policy, "employment.duty_age_max", on, gender="F" if p.gender == "F" else "M"))
    if p.labour_capacity != "full" or p.school_stage or not low <= _age(p.birth_date, on) <= top:
        raise ValidationFailed(
            f"只登记劳动年龄内（{low}至{top}周岁）、有劳动能力且不在校的人员",
            field="person",
            code="not_able_to_work",
        )
    if p.employment_status in ("employed", "flexible"):
        raise ValidationFailed(
            "该人员登记为就业状态，不能办理失业登记", field="person", code="already_employed"
        )
    if Registration.objects.filter(person=p, ended_on__isnull=True).exists():
        raise ValidationFailed("该人员已有有效的失业登记", field="person", code="already_registered")
    return Registration.objects.create(person=p, unit=unit, registered_on=on, created_by=actor)


@transaction.atomic
def offer_create(
    *,
    actor: User,
    registration,
    employer: str,
    position: str,
    monthly_wage,
    offered_on,
    kind: str = Offer.JOB,
) -> Offer:
    r = _open(actor, registration)
    if kind not in OfferKind.values:
        raise ValidationFailed("岗位类型无效", field="kind", code="bad_kind")
    on = values.past_date(offered_on, field="offered_on", label="推荐日期")
    if on < r.registered_on:
        raise ValidationFailed("推荐日期早于失业登记日期", field="offered_on", code="before_registration")
    if Offer.objects.filter(registration=r, answer=Offer.PENDING).exists():
        raise ValidationFailed("上一次推荐的岗位尚未答复", field="registration", code="offer_pending")
    if kind == Offer.PUBLIC_POST and not (
        r.person.household_id in selectors.dibao_households(on)
        and selectors.zero_employment(r.person.household_id, on)
    ):
        raise ValidationFailed(
            "公益性岗位只安置低保家庭中的零就业家庭成员", field="kind", code="not_zero_employment"
        )
    return Offer.objects.create(
        registration=r,
        kind=kind,
        offered_on=on,
        created_by=actor,
        employer=values.text(employer, field="employer", max_length=100, label="用人单位"),
        position=values.text(position, field="position", max_length=100, label="岗位"),
        monthly_wage=values.money(monthly_wage, field="monthly_wage", label="月工资"),
    )


def _end_employed(r: Registration, *, on: date, employer: str, wage) -> None:
    r.ended_on, r.ended_reason, r.employer, r.monthly_wage = on, EndedReason.EMPLOYED, employer, wage
    r.save(update_fields=["ended_on", "ended_reason", "employer", "monthly_wage"])


def _review_dibao(person: Person, on: date, policy) -> list[Review]:
    """The household's running dibao put to review now (reason: 家庭情况变化)."""
    out = []
    ents = Entitlement.objects.filter(
        household_id=person.household_id,
        category="minimum_living",
        status__in=(Entitlement.ACTIVE, Entitlement.GRADUAL_EXIT),
    ).select_related("household", "household__town")
    for ent in ents:
        review, _ = open_review(entitlement=ent, reason=Review.CHANGE, on=on, policy=policy)
        if review is not None:
            out.append(review)
    return out


def _duty_letter(
    actor: User, r: Registration, last: Offer, refused: list[Offer], on: date, policy
) -> DutyLetter:
    """``on``: the day ``last`` was refused (the letter's date)."""
    limit = int(parameter(policy, "employment.refusals_limit", on))
    authority = r.unit.name
    lines = [
        {
            "rule": "employment.refusal",
            "basis": BASIS,
            "passed": False,
            "detail": f"{o.answered_on:%Y年%m月%d日}拒绝{o.employer}{o.position}岗位（月工资 {o.monthly_wage} 元），理由：{o.refusal_reason}，经认定不属于正当理由",
        }
        for o in refused
    ]
    n = DutyLetter.objects.filter(registration__person__household_id=r.person.household_id).count() + 1
    number = f"就业告〔{on.year}〕{r.person.household.code}-{n}"
    content = {
        "title": "就业义务告知书",
        "addressee": r.person.name,
        "opening": f"您于{r.registered_on:%Y年%m月%d日}办理失业登记后，无正当理由连续 {len(refused)} 次拒绝本单位介绍的"
        f"与您的健康状况、劳动能力等相适应的工作（达到 {limit} 次）。根据{BASIS}，本单位已将此情况告知民政部门，"
        "由县级人民政府民政部门在复核时决定减发或者停发您本人的最低生活保障金（不影响家庭其他成员的份额）。",
        "reasons": lines,
        "basis": BASIS,
        "appeal": appeal_rights(policy, on, authority=authority),
        "authority": authority,
        "issued_on": on.isoformat(),
        "number": number,
    }
    return DutyLetter.objects.create(
        registration=r, last_offer=last, number=number, content=content, issued_on=on, issued_by=actor
    )


@transaction.atomic
def offer_answer(
    *, actor: User, offer, answer: str, answered_on, policy, reason: str = "", good_reason: bool = False
) -> Offer:
    o = _locked(Offer.objects.all(), offer, field="offer", label="岗位推荐")
    r = _open(actor, o.registration_id)
    if o.answer != Offer.PENDING:
        raise IllegalTransition("该岗位推荐已答复", field="offer", code="already_answered")
    if answer not in (Offer.ACCEPTED, Offer.REFUSED):
        raise ValidationFailed("请选择接受或拒绝", field="answer", code="bad_answer")
    on = values.past_date(answered_on, field="answered_on", label="答复日期")
    if on < o.offered_on:
        raise ValidationFailed("答复日期早于推荐日期", field="answered_on", code="before_offer")
    o.answer, o.answered_on, o.answered_by = answer, on, actor
    if answer == Offer.REFUSED:
        o.refusal_reason = values.text(reason, field="reason", max_length=200, label="拒绝理由")
        o.good_reason = bool(good_reason)
    o.save(update_fields=["answer", "answered_on", "answered_by", "refusal_reason", "good_reason"])
    if answer == Offer.ACCEPTED:
        _end_employed(r, on=on, employer=o.employer, wage=o.monthly_wage)
        _review_dibao(r.person, on, policy)
        return o
    if o.good_reason:
        return o
    offers = list(Offer.objects.filter(registration__person_id=r.person_id).exclude(answer=Offer.PENDING))
    limit = int(parameter(policy, "employment.refusals_limit", on))
    n = selectors.refusals_in_a_row(offers)
    if n == limit:  # the letter once per row: at the limit, not again at each later refusal
        row = [
            x
            for x in sorted(offers, key=lambda x: (x.answered_on, x.pk))
            if x.answer == Offer.REFUSED and not x.good_reason
        ][-n:]
        _duty_letter(actor, r, o, row, on, policy)
        _review_dibao(r.person, on, policy)
    return o


@transaction.atomic
def outcome_record(
    *, actor: User, registration, employed_on, employer: str, monthly_wage, policy
) -> Registration:
    r = _open(actor, registration)
    on = values.past_date(employed_on, field="employed_on", label="就业日期")
    if on < r.registered_on:
        raise ValidationFailed("就业日期早于失业登记日期", field="employed_on", code="before_registration")
    _end_employed(
        r,
        on=on,
        employer=values.text(employer, field="employer", max_length=100, label="就业单位"),
        wage=values.money(monthly_wage, field="monthly_wage", label="月工资"),
    )
    _review_dibao(r.person, on, policy)
    return r


@transaction.atomic
def subsidy_grant(*, actor: User, registration, kind: str, start_month, policy, employer=None) -> Subsidy:
    """The subsidy at the policy file's amount: training once (the person must be registered),
    the post subsidy monthly while on an accepted public-welfare post. Paid to the person by
    the roll, or to ``employer`` (an employer institution of this unit) as a transfer."""
    r = _locked(
        Registration.objects.select_related("person", "person__household"),
        registration,
        field="registration",
        label="失业登记",
    )
    scope.require(actor, "employment.manage", unit=r.unit_id)
    if kind not in SubsidyKind.values:
        raise ValidationFailed("补贴类型无效", field="kind", code="bad_kind")
    month = values.month(
        values.parse_date(start_month, field="start_month", label="起始月份"), field="start_month"
    )
    if kind == Subsidy.POST and not r.offers.filter(kind=Offer.PUBLIC_POST, answer=Offer.ACCEPTED).exists():
        raise ValidationFailed("未安置公益性岗位，不能发放岗位补贴", field="kind", code="no_public_post")
    if Subsidy.objects.filter(registration__person_id=r.person_id, kind=kind).exists():
        raise ValidationFailed("该人员已享受此项补贴", field="kind", code="already_granted")
    key = "employment.training_subsidy" if kind == Subsidy.TRAINING else "employment.post_subsidy"
    amount = parameter(policy, key, month)
    service = Subsidy.SERVICE[kind]
    s = Subsidy(registration=r, kind=kind, amount=amount, start_month=month, created_by=actor)
    if employer is not None:
        inst = Institution.objects.filter(
            pk=getattr(employer, "pk", employer), kind=Institution.EMPLOYER
        ).first()
        if inst is None or inst.unit_id != r.unit_id:
            raise ValidationFailed(
                "用人单位不是本单位登记的收款机构", field="employer", code="employer_not_found"
            )
        s.employer = inst
        s.transfer = institutions.transfer_create(
            actor=actor,
            institution=inst,
            amount=amount,
            purpose=service,
            period=month,
            lines=[
                {"person": r.person_id, "amount": amount, "reference": f"{month:%Y%m}{s.get_kind_display()}"}
            ],
            note=f"{s.get_kind_display()}（{r.person.name}）",
            key=f"employment:{r.pk}:{kind}:{month:%Y-%m}",
        )
    else:
        s.entitlement = entitlement_grant(
            household=r.person.household,
            payee=r.person,
            members=[r.person],
            service_code=service,
            amount=amount,
            start_month=month,
            actor=actor,
            policy=policy,
            unit=r.unit,
            origin="就业补贴",
            amount_period="once" if kind == Subsidy.TRAINING else "month",
            reason=f"{s.get_kind_display()}：按政策标准 {amount} 元",
            rule_amount=amount,
        )
    s.save()
    return s
