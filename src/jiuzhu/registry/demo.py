"""Demo programme facts (issue 16 item 2): a few households of the first town get a disaster
impact, a temporary need of each kind, medical costs and a dangerous house, so a window clerk of
the demo sees 受灾, 临时救助, 医疗费用救助, 疾病应急救助 and 农村危房改造 pre-checked on their
applications. Seeded last (after every area's demo), recorded through ``programme.fact_record``
like the window does. Idempotent: nothing is added once the demo has programme facts."""

from __future__ import annotations

from datetime import date

from .models import Household, ProgrammeFact, Unit
from .programme import fact_record


def _head(household, today: date):
    return (
        household.members.filter(deceased_on__isnull=True, birth_date__lte=date(today.year - 18, 1, 1))
        .order_by("id")
        .first()
    )


def seed(*, policy, today: date) -> str | None:
    town = Unit.objects.filter(kind=Unit.Kind.TOWN).order_by("sort_order", "code").first()
    if town is None:
        return None
    homes = [h for h in Household.objects.filter(town=town).order_by("id")[:40] if _head(h, today)][:5]
    # the demo year records medical costs of other households (payments' demo): these five are
    # this seed's own
    if len(homes) < 5 or ProgrammeFact.objects.filter(household__in=homes).exists():
        return None
    month = today.replace(day=1).isoformat()
    flood = {
        "event": f"{today.year}年示范市洪涝",
        "event_on": month,
        "disaster_kind": "flood",
        "response_level": "3",
        "house_damage": "destroyed",
        "persons_affected": 3,
        "persons_displaced": 2,
        "displaced_days": 30,
        "winter_hardship": True,
    }
    fact_record(actor=None, household=homes[0], kind="disaster", data=flood)
    fact_record(
        actor=None,
        household=homes[1],
        kind="temporary_need",
        data={"need_kind": "emergency", "cause": "fire", "amount": "3000", "description": "厨房失火"},
    )
    fact_record(
        actor=None,
        household=homes[2],
        kind="temporary_need",
        data={"need_kind": "expenditure", "cause": "medical_costs", "amount": "6000"},
    )
    fact_record(
        actor=None,
        household=homes[3],
        kind="medical_costs",
        person=_head(homes[3], today),
        data={"out_of_pocket": "12000", "paid_this_year": "0", "emergency_unpaid": True},
    )
    fact_record(actor=None, household=homes[4], kind="dwelling", data={"dwelling_unsafe": True})
    codes = "、".join(h.code for h in homes)
    return f"救助事项信息：{town.name} 5 户登记了受灾、临时困难、医疗费用和危房信息（{codes}）"
