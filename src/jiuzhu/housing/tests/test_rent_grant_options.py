"""The rent subsidy granted through the window's referral (intake → the housing unit's feedback)
respects the three exclusive housing options like the housing screens do: a household renovating
its house, or living in an allocated public-rental flat, is refused the rent subsidy
(``other_housing_option``, Chinese message) and nothing is written — also when the grant was held
for a second signature before the other option came. A household holding none is granted."""

from datetime import date

import pytest

from jiuzhu.common import clock
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions.grants import grant_sign
from jiuzhu.decisions.models import Entitlement
from jiuzhu.housing import services
from jiuzhu.intake import handling
from jiuzhu.intake import services as intake
from jiuzhu.intake.models import Referral
from jiuzhu.verification.testing import verified

RENT = "housing_rent_subsidy"
JULY = date(2026, 7, 1)


def _referred(clerk, household):
    """The rent subsidy needs the household's finances verified: at the window every adult signs
    the verification authorisation, the application is referred to the housing unit, and the
    verification centre issues the household's report (a grant needs one on file)."""
    today = clock.today()
    app = intake.application_create(actor=clerk, household=household, needs=["housing"], today=today)
    for p in intake.adults(household, today):
        intake.authorisation_record(actor=clerk, application=app, person=p, signed_on=today, today=today)
    (r,) = intake.refer(actor=clerk, application=app, service_codes=[RENT], today=today)
    verified(household, requester=clerk, service_code=RENT, today=today)
    return r


@pytest.fixture
def world(staff, make_household, policy):
    officer = staff("department_officer", "housing")
    clerk = staff("window_clerk")
    homes = {
        name: make_household(members=[{"name": f"住户{name}", "birth": date(1970, 1, 1)}], area="rural")
        for name in ("甲", "乙", "丙")
    }
    referrals = {}
    for name, h in homes.items():
        r = _referred(clerk, h)
        handling.referral_accept(actor=officer, referral=r)
        referrals[name] = r
    return {"officer": officer, "homes": homes, "r": referrals, "approver": staff("approver")}


def _grant(w, name):
    return handling.referral_grant(
        actor=w["officer"], referral=w["r"][name], amount="450", start_month=JULY, note="按实际租房面积核定"
    )


def test_a_renovating_household_is_refused_the_rent_subsidy_and_nothing_is_written(world, policy):
    w = world
    services.renovation_register(
        actor=w["officer"],
        household=w["homes"]["甲"],
        grade="D",
        inspected_on=date(2026, 4, 1),
        inspector="李工",
        policy=policy,
    )
    with pytest.raises(ValidationFailed) as err:
        _grant(w, "甲")
    assert (err.value.code, err.value.field) == ("other_housing_option", "household")
    assert "农村危房改造" in err.value.message
    r = Referral.objects.get(pk=w["r"]["甲"].pk)
    assert r.state == Referral.IN_PROGRESS and r.amount is None
    assert not Entitlement.objects.filter(household=w["homes"]["甲"], service_code=RENT).exists()

    r = _grant(w, "乙")  # no other option: granted (held for a signature when above the rule)
    if r.held_grant is not None:
        grant_sign(actor=w["approver"], request=r.held_grant)
    assert Entitlement.objects.filter(household=w["homes"]["乙"], service_code=RENT).count() == 1


def test_the_signature_of_a_held_grant_is_refused_once_a_flat_is_allocated(world, policy):
    w = world
    r = _grant(w, "丙")
    assert r.held_grant is not None  # no floor area on file: 450 is above the rule's amount, held
    services.waiting_add(
        actor=w["officer"], household=w["homes"]["丙"], priority=1, applied_on=date(2026, 5, 1), policy=policy
    )
    services.allocate_next(actor=w["officer"], flat="幸福家园1栋101室", on=date(2026, 6, 1), policy=policy)
    with pytest.raises(ValidationFailed) as err:
        grant_sign(actor=w["approver"], request=r.held_grant)
    assert err.value.code == "other_housing_option" and "公共租赁住房" in err.value.message
    assert not Entitlement.objects.filter(household=w["homes"]["丙"], service_code=RENT).exists()
    assert Referral.objects.get(pk=r.pk).state == Referral.IN_PROGRESS
