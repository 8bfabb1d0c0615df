"""A placement in a support home is the person's support mode on file (issue 16/17 leftover):
entering a home records centralised support with the institution as the registry's programme
fact, dated the day he entered, which the rules read through ``registry_facts``; leaving for
home records dispersed support, dated the day he left, and the rules then give the dispersed
amount."""

from datetime import date

import pytest

from jiuzhu.decisions.frames import household_facts
from jiuzhu.policy import rules
from jiuzhu.registry.models import ProgrammeFact
from jiuzhu.tekun import services

pytestmark = pytest.mark.django_db


def _eligible(person, on, policy) -> dict[str, bool]:
    facts = household_facts(person.household, on)
    got = rules.evaluate(facts, on, policy, services=["tekun_dispersed", "tekun_institutional"])
    return {str(getattr(r.service, "code", r.service)): r.eligible for r in got}


def test_entering_and_leaving_a_home_is_the_support_mode_the_rules_read(elder, home, officer, policy):
    pl = services.placement_create(actor=officer, home=home, person=elder, entered_on=date(2026, 3, 2))

    fact = ProgrammeFact.objects.filter(person=elder, kind="support_mode").latest("id")
    assert (fact.effective_on, fact.data["mode"], fact.data["institution"]) == (
        date(2026, 3, 2),
        "institutional",
        "示范市第二社会福利院",
    )
    assert fact.recorded_by == officer
    on = date(2026, 4, 1)
    assert household_facts(elder.household, on).members[0].tekun_mode == "institutional"
    assert _eligible(elder, on, policy) == {"tekun_dispersed": False, "tekun_institutional": True}

    services.placement_leave(actor=officer, placement=pl, on=date(2026, 8, 31), reason="home")

    back = ProgrammeFact.objects.filter(person=elder, kind="support_mode").latest("id")
    assert (back.effective_on, back.data["mode"]) == (date(2026, 8, 31), "dispersed")
    # dated: the rules read centralised support before he left, dispersed from that day
    assert household_facts(elder.household, date(2026, 8, 30)).members[0].tekun_mode == "institutional"
    assert _eligible(elder, date(2026, 9, 1), policy) == {
        "tekun_dispersed": True,
        "tekun_institutional": False,
    }


def test_a_move_to_another_home_keeps_centralised_support(elder, home, officer):
    pl = services.placement_create(actor=officer, home=home, person=elder, entered_on=date(2026, 3, 2))
    services.placement_leave(actor=officer, placement=pl, on=date(2026, 5, 1), reason="moved")
    assert household_facts(elder.household, date(2026, 6, 1)).members[0].tekun_mode == "institutional"
    assert ProgrammeFact.objects.filter(person=elder, kind="support_mode").count() == 2  # window's + entry
