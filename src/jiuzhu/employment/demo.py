"""Demo data for employment assistance: the human-resources unit registers the able, unemployed
members of the demo's dibao households, records offers and answers over the last months (most
accept; one refuses three times without good reason and gets the duty letter, his household's
dibao going to review), offers public-welfare posts to zero-employment households, and grants
training subsidies (once) and post subsidies (monthly) paid by the rolls. Deterministic; run
once (a second run finds the registrations and adds nothing)."""

from __future__ import annotations

from datetime import date, timedelta

from jiuzhu.common.errors import JiuzhuError
from jiuzhu.registry.demo_staff import demo_scaled
from jiuzhu.registry.models import Person, Unit, User

from . import selectors, services
from .models import DutyLetter, EndedReason, Offer, Registration, Subsidy

PEOPLE = 60  # registered in the default demo (fewer in a smaller demo)


def _age_ok(p: Person, on: date, low: int, top: int) -> bool:
    age = on.year - p.birth_date.year - ((on.month, on.day) < (p.birth_date.month, p.birth_date.day))
    return low <= age <= top


def seed(*, policy, today: date) -> str | None:
    unit = Unit.objects.filter(code="hrss").first()
    officer = (
        User.objects.filter(role="department_officer", unit=unit).order_by("pk").first() if unit else None
    )
    if officer is None:
        return None
    if Registration.objects.exists():
        return f"就业救助：已有失业登记 {Registration.objects.count()} 人"
    start = today - timedelta(days=120)
    low = int(policy.param("employment.duty_age_min", start))
    homes = selectors.dibao_households(start)
    people = [
        p
        for p in Person.objects.filter(
            household_id__in=homes,
            labour_capacity="full",
            school_stage="",
            deceased_on__isnull=True,
            employment_status__in=("unemployed", "none"),
        ).order_by("pk")
        if _age_ok(
            p,
            start,
            low,
            int(policy.param("employment.duty_age_max", start, gender="F" if p.gender == "F" else "M")),
        )
    ][: demo_scaled(PEOPLE)]
    regs = []
    for p in people:
        try:
            regs.append(
                services.registration_create(actor=officer, person=p, registered_on=start, policy=policy)
            )
        except JiuzhuError:
            continue
    for i, r in enumerate(regs):
        if i == 0:  # three refusals without good reason: the duty letter
            for k in range(3):
                o = services.offer_create(
                    actor=officer,
                    registration=r,
                    employer="示范市物业服务公司",
                    position="保洁员",
                    monthly_wage="2300",
                    offered_on=start + timedelta(days=7 + 14 * k),
                )
                services.offer_answer(
                    actor=officer,
                    offer=o,
                    answer=Offer.REFUSED,
                    answered_on=o.offered_on + timedelta(days=2),
                    reason="嫌工作辛苦",
                    policy=policy,
                )
            continue
        zero = r.person.household_id in homes and selectors.zero_employment(
            r.person.household_id, start + timedelta(days=14)
        )
        kind = Offer.PUBLIC_POST if zero and i % 3 == 1 else Offer.JOB
        o = services.offer_create(
            actor=officer,
            registration=r,
            kind=kind,
            offered_on=start + timedelta(days=14),
            employer="幸福社区居委会" if kind == Offer.PUBLIC_POST else "示范市食品加工厂",
            position="公益性岗位（保洁绿化）" if kind == Offer.PUBLIC_POST else "包装工",
            monthly_wage="1800" if kind == Offer.PUBLIC_POST else "2600",
        )
        if i % 4 == 3:  # refused with a good reason: stays registered, gets training
            services.offer_answer(
                actor=officer,
                offer=o,
                answer=Offer.REFUSED,
                answered_on=o.offered_on + timedelta(days=3),
                reason="需照料重病家属",
                good_reason=True,
                policy=policy,
            )
            services.subsidy_grant(
                actor=officer,
                registration=r,
                kind=Subsidy.TRAINING,
                policy=policy,
                start_month=start + timedelta(days=45),
            )
            continue
        services.offer_answer(
            actor=officer,
            offer=o,
            answer=Offer.ACCEPTED,
            answered_on=o.offered_on + timedelta(days=3),
            policy=policy,
        )
        if kind == Offer.PUBLIC_POST:
            services.subsidy_grant(
                actor=officer,
                registration=r,
                kind=Subsidy.POST,
                policy=policy,
                start_month=start + timedelta(days=45),
            )
    employed = Registration.objects.filter(ended_reason=EndedReason.EMPLOYED).count()
    return (
        f"就业救助：失业登记 {len(regs)} 人，已就业 {employed} 人，就业义务告知书 {DutyLetter.objects.count()} 份，"
        f"培训补贴 {Subsidy.objects.filter(kind=Subsidy.TRAINING).count()} 人，"
        f"公益性岗位补贴 {Subsidy.objects.filter(kind=Subsidy.POST).count()} 人"
    )
