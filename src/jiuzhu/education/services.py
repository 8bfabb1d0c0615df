"""Education assistance writes (DOMAIN §7 教育), each one transaction:

- ``enrolment_register`` — a pupil at a school of the education bureau, at a stage;
- ``pupil_leave`` — the pupil graduated or left: no term after ``on`` is granted again;
- ``term_confirm`` — the school's confirmed list for a term: each confirmed pupil still
  eligible (``selectors.term_eligible``) gets the term's grant by the rule
  (``policy.rules.education.term_grant``): the school-paid ones in one institution transfer to
  the school (keyed by school and term, approved by a second person like every transfer), the
  family-paid ones as one-off entitlements of the household head paid by that month's roll.
  A pupil is granted once per term (unique constraint); a second confirmation adds nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.common.tx import lock, racing_write
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.payments import institutions
from jiuzhu.payments.models import Institution
from jiuzhu.registry.models import Person, User

from . import selectors
from .models import Enrolment, LeftReason, TermGrant


def _school(actor: User, school, action="education.manage") -> Institution:
    s = Institution.objects.filter(pk=getattr(school, "pk", school), kind=Institution.SCHOOL).first()
    if s is None:
        raise ValidationFailed("学校不存在或不是学校类收款机构", field="school", code="school_not_found")
    scope.require(actor, action, unit=s.unit_id)
    return s


def school_checked(actor: User, school, action="education.manage") -> Institution:
    """The school (an institution of kind school) once ``actor`` may ``action`` on it."""
    return _school(actor, school, action)


@transaction.atomic
def enrolment_register(*, actor: User, school, person, stage: str, entered_on, year_in_stage=1) -> Enrolment:
    s = _school(actor, school)
    if stage not in dict(Enrolment.STAGES):
        raise ValidationFailed(f"学段无效：{stage}", field="stage", code="bad_stage")
    try:
        year = int(str(year_in_stage).strip())
    except ValueError:
        year = 0
    if not 1 <= year <= 6:
        raise ValidationFailed("学段年级应为1至6的整数", field="year_in_stage", code="bad_year_in_stage")
    p = Person.objects.filter(pk=getattr(person, "pk", person), deceased_on__isnull=True).first()
    if p is None:
        raise ValidationFailed("学生不存在或已死亡", field="person", code="person_not_found")
    on = values.past_date(entered_on, field="entered_on", label="入学日期")
    if Enrolment.objects.filter(person=p, left_on__isnull=True).exists():
        raise ValidationFailed(
            "该学生已在其他学校在读，请先办理离校", field="person", code="already_enrolled"
        )
    return Enrolment.objects.create(
        person=p, school=s, stage=stage, entered_on=on, year_in_stage=year, created_by=actor
    )


@transaction.atomic
def pupil_leave(*, actor: User, enrolment, on, reason: str) -> Enrolment:
    e = Enrolment.objects.select_for_update().get(pk=getattr(enrolment, "pk", enrolment))
    _school(actor, e.school_id)
    if e.left_on is not None:
        raise IllegalTransition("该学生已办理离校", field="enrolment", code="already_left")
    if reason not in LeftReason.values:
        raise ValidationFailed("请选择离校原因", field="reason", code="bad_reason")
    left = values.past_date(on, field="on", label="离校日期")
    if left < e.entered_on:
        raise ValidationFailed("离校日期早于入学日期", field="on", code="left_before_entry")
    e.left_on, e.left_reason = left, reason
    e.save(update_fields=["left_on", "left_reason"])
    return e


def _family_payee(person: Person) -> Person:
    head = Person.objects.filter(
        household_id=person.household_id, relation="head", deceased_on__isnull=True
    ).first()
    return head or person


@racing_write(busy="该校本学期名单正在由另一位工作人员确认，请刷新后重试")
def term_confirm(*, actor: User, school, term: date, confirmed, policy) -> dict:
    """Grant the term to the pupils of ``confirmed`` (person ids, the school's returned list)
    that are eligible now; report the others. Returns the counts, the transfer and the refused.

    Locking: the school's row is taken ``FOR UPDATE`` before the eligible list is read, so two
    confirmations of the same school at once run one after the other and the second finds the
    pupils granted (``nothing_to_grant``), never a doubled grant."""
    s = _school(actor, school)
    lock(Institution, s.pk, missing="学校不存在", field="school")
    term = term.replace(day=1)
    eligible = {
        row["person_id"]: row
        for row in selectors.term_eligible(actor=actor, school=s, term=term, policy=policy)
    }
    wanted = [int(p) for p in dict.fromkeys(confirmed)]
    refused = [p for p in wanted if p not in eligible]
    rows = [eligible[p] for p in wanted if p in eligible]
    if not rows:
        raise ValidationFailed("确认名单中没有本学期可资助的学生", field="confirmed", code="nothing_to_grant")
    grants: list[TermGrant] = []
    school_lines: dict[str, list[dict]] = {}
    for r in rows:
        g = r["grant"]
        grants.append(
            TermGrant(
                enrolment_id=r["enrolment_id"],
                person_id=r["person_id"],
                term=term,
                stage=r["stage"],
                service_code=g.service_code,
                amount=g.amount,
                to_school=g.to_school,
                reason=g.reason[:200],
                confirmed_by=actor,
            )
        )
        if g.to_school:  # one transfer per budget line (a kindergarten's, a senior school's)
            school_lines.setdefault(g.service_code, []).append(
                {"person": r["person_id"], "amount": g.amount, "reference": f"{term:%Y%m}学期"}
            )
    transfers = {
        code: institutions.transfer_create(
            actor=actor,
            institution=s,
            amount=sum((ln["amount"] for ln in lines), Decimal("0.00")),
            purpose=code,
            period=term,
            lines=lines,
            note=f"{selectors.term_name(term)}教育资助（{s.name}）",
            key=f"education:{s.pk}:{term:%Y-%m}:{code}",
        )
        for code, lines in school_lines.items()
    }
    persons = {p.pk: p for p in Person.objects.filter(pk__in=[g.person_id for g in grants])}
    for g in grants:
        if g.to_school:
            g.transfer = transfers[g.service_code]
        else:
            p = persons[g.person_id]
            g.entitlement = entitlement_grant(
                household=p.household,
                payee=_family_payee(p),
                members=[p],
                service_code=g.service_code,
                amount=g.amount,
                start_month=term,
                amount_period="once",
                actor=actor,
                policy=policy,
                origin="education_term",
                reason=g.reason,
                rule_amount=g.amount,
            )
    TermGrant.objects.bulk_create(grants)
    return {
        "granted": len(grants),
        "to_school": sum(g.amount for g in grants if g.to_school),
        "to_family": sum(g.amount for g in grants if not g.to_school),
        "transfers": [t.pk for t in transfers.values()],
        "refused": refused,
        "on": clock.today().isoformat(),
    }


# the stage a pupil goes on to when his stage's years are done; the others end in graduation
NEXT_STAGE = {"preschool": "primary", "primary": "junior", "junior": "senior"}


def school_year_start(on: date, policy) -> date:
    """The first day of the school year ``on`` falls in (``education.school_year_start_month``)."""
    month = int(parameter(policy, "education.school_year_start_month", on))
    return date(on.year if on.month >= month else on.year - 1, month, 1)


@transaction.atomic
def stages_advance(*, actor: User, on: date, policy) -> dict:
    """The school year's advance (DOMAIN §7 教育: the stage advances each school year), for the
    school year ``on`` falls in: each open enrolment whose stage's years
    (``education.stage_years``, counted in school years from entry and ``year_in_stage``) are
    done ends the day before the year starts, as graduated; the pupil is enrolled at the same
    school in the next stage from the first day (the bureau moves him if he changed school),
    or, after senior, vocational or university, his schooling ends and with it the grant. The
    registry's school stage follows (the fact the rules read). Running it again in the same
    school year changes nothing. A unit officer advances his own bureau's schools."""
    start = school_year_start(on, policy)
    if scope.require(actor, "education.manage") == scope.UNIT:
        schools = Institution.objects.filter(kind=Institution.SCHOOL, unit=actor.unit_id)
    else:
        schools = Institution.objects.filter(kind=Institution.SCHOOL)
    month = start.month
    advanced, graduated = 0, 0
    pupils = (
        Enrolment.objects.select_for_update(of=("self",))
        .filter(school__in=schools, left_on__isnull=True, entered_on__lt=start)
        .select_related("person")
        .order_by("pk")
    )
    for e in pupils:
        entry_year = e.entered_on.year if e.entered_on.month >= month else e.entered_on.year - 1
        done = start.year - entry_year + e.year_in_stage - 1
        if done < int(parameter(policy, "education.stage_years", start, stage=e.stage)):
            continue
        e.left_on, e.left_reason = start - timedelta(days=1), LeftReason.GRADUATED
        e.save(update_fields=["left_on", "left_reason"])
        nxt = NEXT_STAGE.get(e.stage, "")
        if nxt:
            Enrolment.objects.create(
                person=e.person, school_id=e.school_id, stage=nxt, entered_on=start, created_by=actor
            )
            advanced += 1
        else:
            graduated += 1
        p = e.person
        p.school_stage = nxt
        # the registry's history names who changed the stage (simple_history reads this attribute)
        p._history_user = actor  # type: ignore[attr-defined]  # set for simple_history, not a field
        p.save(update_fields=["school_stage"])
    return {"school_year": start, "advanced": advanced, "graduated": graduated}
