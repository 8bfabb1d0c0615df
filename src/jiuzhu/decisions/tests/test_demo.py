"""The demo seed: eligible households approved with entitlements (batch path), a few cases in
every state, idempotent; the set-based registry reading agrees with ``from_registry``."""

from datetime import date
from decimal import Decimal

from django.test import Client

from jiuzhu.common import clock
from jiuzhu.decisions import demo
from jiuzhu.decisions.frames import registry_facts
from jiuzhu.decisions.models import Case, Entitlement, Letter, Notice
from jiuzhu.policy.facts import from_registry
from jiuzhu.registry.services import income_add

TODAY = clock.today()


def test_seed_approves_eligible_households_and_shows_every_state(make_household, policy):
    poor = [
        make_household(
            members=[{"name": f"贫困户{i}", "birth": date(1970, 1, 1 + i), "labour_capacity": "none"}]
        )
        for i in range(8)
    ]
    rich = make_household(
        members=[{"name": "富裕户", "birth": date(1980, 1, 1), "employment_status": "employed"}]
    )
    income_add(
        actor=None,
        person=rich.members.get(),
        kind="wages",
        monthly_amount="8000",
        period_start=date(2025, 1, 1),
        period_end=date(2027, 12, 31),
    )
    facts, _ = registry_facts(TODAY)
    assert facts[rich.pk] == from_registry(rich, TODAY) and facts[poor[0].pk] == from_registry(poor[0], TODAY)

    summary = demo.seed(policy=policy, today=TODAY)
    assert "审核确认" in summary
    ents = Entitlement.objects.filter(origin=demo.ORIGIN)
    assert ents.count() == 3 and not ents.filter(household=rich).exists()  # 5 went through the workflow
    e = ents.first()
    assert (
        e.amount == Decimal("950.00") and e.start_month == date(TODAY.year, 1, 1) and e.members.count() == 1
    )
    assert Case.objects.filter(state=Case.APPROVED, entitlement=e).exists()
    assert Notice.objects.filter(case__entitlement=e).exists()
    # a few went through the real workflow (the rich one was refused), one of them has an objection
    states = sorted(Case.objects.filter(referral__isnull=False).values_list("state", flat=True))
    assert states == ["investigating"] * 2 + ["notice"] * 3 + ["refused"]
    assert Notice.objects.filter(objections__state="open").count() == 1
    assert Letter.objects.filter(kind=Letter.REFUSAL, household=rich).exists()

    again = demo.seed(policy=policy, today=TODAY)
    assert Entitlement.objects.filter(origin=demo.ORIGIN).count() == 3 and "新增已批准 0 户" in again
    page = Client().get("/decisions/notices/").content.decode()
    assert "贫**2" in page and "贫**7" in page and "贫困户" not in page  # on notice now; approved list
