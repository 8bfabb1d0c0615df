"""Issue 16 item 2, done when: each of the 33 services of the demo policy pre-checks eligible at
the window for a household built to qualify — built through the registry's services and the
programme-facts API the window uses, never raw rows — and a household that does not qualify is
told why. Read as the window reads it: the application's proposals over the API."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from jiuzhu.common import clock
from jiuzhu.intake import catalogue, services
from jiuzhu.registry.services import household_update, income_add

TODAY = clock.today()
YEAR_AGO = date(TODAY.year - 1, TODAY.month, 1)


@pytest.fixture
def clerk(staff):
    return staff("window_clerk", "town_chengdong")


@pytest.fixture
def window(clerk):
    c = Client()
    c.force_login(clerk)
    return c


def _fact(window, household, kind, data, person=None):
    body = {"kind": kind, "data": data}
    if person is not None:
        body["person_id_number"] = person.id_number
    r = window.post(f"/api/registry/households/{household.code}/facts", body, content_type="application/json")
    assert r.status_code == 201, r.json()
    return r.json()


def _wages(clerk, person, monthly):
    income_add(
        actor=clerk,
        person=person,
        kind="wages",
        monthly_amount=monthly,
        period_start=YEAR_AGO,
        period_end=TODAY,
    )


def _members(household):
    return list(household.members.order_by("id"))


def _poor(make_household, clerk, *extra, area="urban", **fields):
    """A dibao-poor family: a jobless adult able to work, a pupil, any ``extra`` members."""
    members = [
        {"name": "王大", "birth": date(1975, 3, 1), "relation": "head"},
        {
            "name": "王小",
            "birth": date(TODAY.year - 10, 3, 1),
            "relation": "child",
            "school_stage": "primary",
        },
        *extra,
    ]
    return make_household(members=members, actor=clerk, area=area, **fields)


def _marginal(make_household, clerk, per_head, *extra):
    hh = make_household(
        members=[
            {"name": "李大", "birth": date(1975, 3, 1), "relation": "head", "employment_status": "employed"},
            {"name": "李二", "birth": date(1977, 3, 1), "relation": "spouse", "gender": "F"},
            *extra,
        ],
        actor=clerk,
    )
    _wages(clerk, _members(hh)[0], per_head * len(_members(hh)))
    return hh


def _alone_old(make_household, clerk):
    return make_household(
        members=[
            {
                "name": "赵老",
                "birth": date(1950, 3, 1),
                "labour_capacity": "none",
                "has_capable_supporter": False,
            }
        ],
        actor=clerk,
    )


def _dibao(mh, clerk, window):
    return _poor(mh, clerk)


def _dibao_single(mh, clerk, window):
    return _marginal(
        mh,
        clerk,
        1100,
        {
            "name": "李重",
            "birth": date(2000, 3, 1),
            "disability_kind": "physical",
            "disability_grade": 1,
            "labour_capacity": "none",
        },
    )


def _low_income_marginal(mh, clerk, window):
    return _marginal(mh, clerk, 1100)


def _rigid(mh, clerk, window):
    hh = _marginal(mh, clerk, 1600)
    _fact(window, hh, "rigid_spending", {"medical": "60000", "education": "0", "rehabilitation": "0"})
    return hh


def _tekun_dispersed(mh, clerk, window):
    return _alone_old(mh, clerk)


def _tekun_institutional(mh, clerk, window):
    hh = _alone_old(mh, clerk)
    _fact(
        window,
        hh,
        "support_mode",
        {"mode": "institutional", "institution": "示范市社会福利院"},
        _members(hh)[0],
    )
    return hh


def _disaster(**extra):
    def build(mh, clerk, window):
        hh = _poor(mh, clerk)
        data = {
            "event": "2026年7月洪涝",
            "event_on": TODAY.replace(day=1).isoformat(),
            "disaster_kind": "flood",
            "response_level": "3",
            "persons_affected": 2,
            **extra,
        }
        data.setdefault("house_damage", "general")
        _fact(window, hh, "disaster", data)
        return hh

    return build


def _medical_expense(mh, clerk, window):
    hh = _poor(mh, clerk)
    _fact(window, hh, "medical_costs", {"out_of_pocket": "12000", "paid_this_year": "0"}, _members(hh)[0])
    return hh


def _medical_emergency(mh, clerk, window):
    hh = _marginal(mh, clerk, 3000)  # not poor at all: emergency aid is for anyone unable to pay
    _fact(
        window,
        hh,
        "medical_costs",
        {"out_of_pocket": "8000", "paid_this_year": "0", "emergency_unpaid": True},
        _members(hh)[0],
    )
    return hh


def _pupil(stage, age):
    def build(mh, clerk, window):
        return _poor(
            mh,
            clerk,
            {
                "name": "王学",
                "birth": date(TODAY.year - age, 3, 1),
                "relation": "child",
                "school_stage": stage,
            },
        )

    return build


def _university(mh, clerk, window):
    hh = _pupil("university", 18)(mh, clerk, window)
    _fact(window, hh, "university_admission", {"university": "示范大学"}, _members(hh)[-1])
    return hh


def _renter(mh, clerk, window):
    hh = _poor(mh, clerk)
    household_update(actor=clerk, household=hh, data={"dwelling_area": "12"})
    return hh


def _rural_repair(mh, clerk, window):
    hh = _poor(mh, clerk, area="rural")
    _fact(window, hh, "dwelling", {"dwelling_unsafe": True})
    return hh


def _temporary(kind, cause):
    def build(mh, clerk, window):
        hh = _marginal(mh, clerk, 1100)
        _fact(window, hh, "temporary_need", {"need_kind": kind, "cause": cause, "amount": "3000"})
        return hh

    return build


def _vagrant(mh, clerk, window):
    hh = mh(members=[{"name": "流浪者", "birth": date(1980, 3, 1)}], actor=clerk)
    _fact(window, hh, "dwelling", {"homeless": True})
    return hh


def _disabled(mh, clerk, window):
    return _poor(
        mh,
        clerk,
        {
            "name": "王残",
            "birth": date(1990, 3, 1),
            "relation": "child",
            "disability_kind": "physical",
            "disability_grade": 2,
            "labour_capacity": "partial",
        },
    )


def _worker(mh, clerk, window):
    hh = _poor(mh, clerk)
    head = _members(hh)[0]
    from jiuzhu.registry.services import member_update

    member_update(actor=clerk, person=head, data={"employment_status": "employed"})
    _wages(clerk, head, 800)
    return hh


def _charity_medical(mh, clerk, window):
    hh = _poor(
        mh,
        clerk,
        {
            "name": "王病",
            "birth": date(1980, 3, 1),
            "relation": "spouse",
            "gender": "F",
            "serious_illness": "尿毒症",
            "labour_capacity": "none",
        },
    )
    _fact(window, hh, "medical_costs", {"out_of_pocket": "30000", "paid_this_year": "0"}, _members(hh)[-1])
    return hh


BUILT_TO_QUALIFY = {
    "dibao": _dibao,
    "dibao_single": _dibao_single,
    "low_income_marginal": _low_income_marginal,
    "rigid_expenditure": _rigid,
    "tekun_dispersed": _tekun_dispersed,
    "tekun_institutional": _tekun_institutional,
    "disaster_transitional": _disaster(persons_displaced=2, displaced_days=30),
    "disaster_rebuild": _disaster(house_damage="destroyed"),
    "disaster_winter": _disaster(winter_hardship=True),
    "medical_premium": _dibao,
    "medical_expense": _medical_expense,
    "medical_emergency": _medical_emergency,
    "medical_first_treatment": _dibao,
    "edu_preschool": _pupil("preschool", 5),
    "edu_compulsory": _pupil("junior", 13),
    "edu_senior": _pupil("senior", 16),
    "edu_university": _university,
    "housing_rent_subsidy": _renter,
    "housing_public_rental": _renter,
    "housing_rural_repair": _rural_repair,
    "employment_services": _dibao,
    "employment_training": _dibao,
    "employment_public_post": _dibao,
    "temporary_emergency": _temporary("emergency", "fire"),
    "temporary_expenditure": _temporary("expenditure", "medical_costs"),
    "vagrant_aid": _vagrant,
    "disabled_living_allowance": _disabled,
    "disabled_rehab": _disabled,
    "worker_hardship": _worker,
    "women_children_aid": _dibao,
    "youth_education_aid": _pupil("senior", 16),
    "charity_aid": _dibao,
    "charity_medical": _charity_medical,
}


def _proposals(window, clerk, household) -> dict[str, dict]:
    app = services.application_create(actor=clerk, household=household, needs=["living"])
    r = window.get(f"/api/intake/applications/{app.tracking_code}/proposals")
    assert r.status_code == 200, r.json()
    return {p["service_code"]: p for p in r.json()}


def test_the_table_covers_every_service_of_the_policy(policy):
    assert set(BUILT_TO_QUALIFY) == {s.code for s in catalogue.services(policy)}
    assert len(BUILT_TO_QUALIFY) == 33


@pytest.mark.parametrize("code", sorted(BUILT_TO_QUALIFY))
def test_a_household_built_to_qualify_prechecks_eligible_at_the_window(code, make_household, clerk, window):
    household = BUILT_TO_QUALIFY[code](make_household, clerk, window)
    got = _proposals(window, clerk, household)[code]
    assert got["eligible"] is True, got["reasons"]
    assert not any(r.startswith("不符合") for r in got["reasons"]), got["reasons"]


def _no(got: dict) -> str:
    assert got["eligible"] is False, got
    return " ".join(r for r in got["reasons"] if r.startswith("不符合"))


def test_without_the_facts_the_window_is_told_what_is_missing(make_household, clerk, window):
    got = _proposals(window, clerk, _poor(make_household, clerk))
    assert "未登记因灾倒损住房" in _no(got["disaster_rebuild"])
    assert "未申报临时困难及所需金额" in _no(got["temporary_expenditure"])
    assert "自付费用" in _no(got["medical_expense"])


def test_a_household_that_does_not_qualify_is_told_why(make_household, clerk, window):
    # a generally damaged house is no rebuild; a well-off family's expenditure need is refused
    # on its income; last year's medical costs do not count this year
    hh = _marginal(make_household, clerk, 6000)
    _fact(
        window,
        hh,
        "disaster",
        {
            "event": "洪涝",
            "event_on": TODAY.isoformat(),
            "disaster_kind": "flood",
            "house_damage": "general",
            "persons_affected": 2,
        },
    )
    _fact(
        window, hh, "temporary_need", {"need_kind": "expenditure", "cause": "medical_costs", "amount": "3000"}
    )
    got = _proposals(window, clerk, hh)
    assert "未登记因灾倒损住房" in _no(got["disaster_rebuild"])
    assert "收入" in _no(got["temporary_expenditure"])


def test_the_latest_fact_is_the_one_the_rules_read(make_household, clerk, window):
    hh = _alone_old(make_household, clerk)
    person = _members(hh)[0]
    _fact(window, hh, "support_mode", {"mode": "institutional", "institution": "示范市社会福利院"}, person)
    assert _proposals(window, clerk, hh)["tekun_institutional"]["eligible"] is True
    _fact(window, hh, "support_mode", {"mode": "dispersed", "carer": "邻居"}, person)
    got = _proposals(window, clerk, hh)
    assert got["tekun_dispersed"]["eligible"] is True
    assert got["tekun_institutional"]["eligible"] is False
    history = window.get(f"/api/registry/households/{hh.code}/facts?kind=support_mode").json()
    assert [(f["data"]["mode"], f["current"]) for f in history] == [
        ("dispersed", True),
        ("institutional", False),
    ]
