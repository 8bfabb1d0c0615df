"""The one facts reader (``decisions.frames.registry_facts``) carries the employment unit's job
offers and answers (``jiuzhu.employment``, handed in through ``registry.programme_facts``) to
every rule path, not only the decision snapshot: the window's pre-check reads the same
refusals in a row."""

from datetime import date

from jiuzhu.decisions.frames import household_facts, registry_facts
from jiuzhu.employment import services
from jiuzhu.employment.models import Offer
from jiuzhu.intake.selectors import household_facts as window_facts

ON = date(2026, 5, 20)


def test_refusals_without_good_reason_reach_the_reader(make_household, staff, policy):
    home = make_household(members=[{"name": "张志强", "birth": date(1986, 3, 2), "labour_capacity": "full"}])
    head = home.members.get()
    officer = staff("department_officer", "hrss")
    reg = services.registration_create(
        actor=officer, person=head, registered_on=date(2026, 5, 4), policy=policy
    )
    for offered, answered, good in ((6, 7, False), (11, 12, True), (18, 19, False)):
        offer = services.offer_create(
            actor=officer,
            registration=reg,
            employer="示范市物业公司",
            position="保洁员",
            monthly_wage="2200",
            offered_on=date(2026, 5, offered),
        )
        services.offer_answer(
            actor=officer,
            offer=offer,
            answer=Offer.REFUSED,
            answered_on=date(2026, 5, answered),
            reason="不想去",
            good_reason=good,
            policy=policy,
        )
    assert household_facts(home, ON).members[0].work_refusals == 2
    assert registry_facts(ON, [home.pk])[0][home.pk].members[0].work_refusals == 2
    assert window_facts(home, ON).members[0].work_refusals == 2
    assert household_facts(home, date(2026, 5, 10)).members[0].work_refusals == 1
