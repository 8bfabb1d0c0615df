"""Demo data for housing assistance: the housing bureau puts the households receiving a rent
subsidy on the public-rental waiting list (priority by household size, registered over the
last months), allocates flats to the first of the list (their rent subsidy ended the same day),
and renovates the dilapidated houses of rural dibao households (graded C/D, the start stage
paid, every other one completed). Deterministic; run once (a second run adds nothing)."""

from __future__ import annotations

from datetime import date, timedelta

from jiuzhu.common.errors import JiuzhuError
from jiuzhu.decisions.entitlements import month_start, owed_in
from jiuzhu.registry.demo_staff import demo_scaled
from jiuzhu.registry.models import Household, Unit, User

from . import selectors, services
from .models import Renovation, RenovationStage, WaitingEntry

WAITING, FLATS, RENOVATIONS = 30, 8, 12  # in the default demo (fewer in a smaller demo)


def seed(*, policy, today: date) -> str | None:
    unit = Unit.objects.filter(code="housing").first()
    officer = (
        User.objects.filter(role="department_officer", unit=unit).order_by("pk").first() if unit else None
    )
    if officer is None:
        return None
    if WaitingEntry.objects.exists() or Renovation.objects.exists():
        return f"住房救助：轮候 {WaitingEntry.objects.count()} 户，危房改造 {Renovation.objects.count()} 户（已有）"
    start = today - timedelta(days=150)
    renting = list(
        owed_in(month_start(start))
        .filter(service_code=selectors.RENT)
        .values_list("household_id", flat=True)
        .distinct()
        .order_by("household_id")[: demo_scaled(WAITING)]
    )
    for i, hid in enumerate(renting):
        size = Household.objects.get(pk=hid).members.filter(deceased_on__isnull=True).count()
        try:
            services.waiting_add(
                actor=officer,
                household=hid,
                priority=1 if size >= 4 else 2 if size >= 2 else 3,
                applied_on=start + timedelta(days=i % 60),
                policy=policy,
            )
        except JiuzhuError:
            continue
    allocated = 0
    for k in range(demo_scaled(FLATS)):
        try:
            services.allocate_next(
                actor=officer,
                flat=f"幸福家园公租房{k // 4 + 1}栋{k % 4 + 1}01室",
                on=start + timedelta(days=70 + 7 * k),
                policy=policy,
            )
            allocated += 1
        except JiuzhuError:
            break
    rural = list(
        owed_in(month_start(start))
        .filter(service_code="dibao", household__area=Household.Area.RURAL)
        .exclude(household_id__in=renting)
        .values_list("household_id", flat=True)
        .distinct()
        .order_by("household_id")[: demo_scaled(RENOVATIONS)]
    )
    done = 0
    for i, hid in enumerate(rural):
        try:
            r = services.renovation_register(
                actor=officer,
                household=hid,
                grade=Renovation.Grade.D if i % 3 == 0 else Renovation.Grade.C,
                inspected_on=start + timedelta(days=10),
                inspector="县住建局鉴定员",
                policy=policy,
            )
            services.renovation_stage(
                actor=officer,
                renovation=r,
                kind=RenovationStage.Kind.START,
                inspected_on=start + timedelta(days=40),
                inspector="镇村建所验收员",
                policy=policy,
            )
            if i % 2 == 0:
                services.renovation_stage(
                    actor=officer,
                    renovation=r,
                    kind=RenovationStage.Kind.COMPLETION,
                    inspected_on=start + timedelta(days=120),
                    inspector="县住建局验收员",
                    policy=policy,
                )
            done += 1
        except JiuzhuError:
            continue
    return (
        f"住房救助：公租房轮候 {WaitingEntry.objects.count()} 户，配租 {allocated} 户（租赁补贴同日停发），"
        f"危房改造 {done} 户"
    )
