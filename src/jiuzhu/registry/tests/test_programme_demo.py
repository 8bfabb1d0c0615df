"""The demo's programme facts: five households of the first town get a disaster, a temporary
need of each kind, medical costs and a dangerous house, read by the rules; a second run adds
nothing."""

from datetime import date

from jiuzhu.common import clock
from jiuzhu.decisions.frames import household_facts
from jiuzhu.registry import demo
from jiuzhu.registry.models import ProgrammeFact


def test_demo_programme_facts_reach_the_rules_once(make_household, policy):
    homes = [make_household(members=[{"name": f"演示{i}", "birth": date(1970, 1, 1 + i)}]) for i in range(5)]
    today = clock.today()
    line = demo.seed(policy=policy, today=today)
    assert line and "5 户" in line
    assert ProgrammeFact.objects.count() == 5
    facts = [household_facts(h, today) for h in homes]
    assert facts[0].disaster.house_destroyed and facts[0].disaster.persons == 2
    assert (facts[1].temporary.kind, facts[2].temporary.kind) == ("emergency", "expenditure")
    assert facts[3].members[0].emergency_unpaid and facts[4].dwelling_unsafe
    assert demo.seed(policy=policy, today=today) is None
    assert ProgrammeFact.objects.count() == 5
