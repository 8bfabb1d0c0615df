"""Worked examples of DOMAIN §3 with the demo city's parameters, in the API's JSON shape, so
each runs through the single path, the API and the batch path (test_examples.py).

Standards: urban ¥950 / rural ¥800 from 2026-01-01, ¥900 / ¥760 from 2025-01-01. ``expect``
maps a service to ``(eligible, amount)``; ``reasons`` maps a service to ``{rule: passed}``
that must appear among its reasons."""

from __future__ import annotations

from dataclasses import dataclass, field

D26 = "2026-03-01"
D25 = "2025-06-01"


def m(age, **kw) -> dict:
    """A member in the API's shape: ``m(40, gender="M", wages="1500", employed=True)``."""
    income = {
        k: kw.pop(k)
        for k in ("wages", "business", "property", "transfer", "pension_basic", "excluded")
        if k in kw
    }
    out = {"relation": kw.pop("relation", "head"), "age": age, **kw}
    if income:
        out["income"] = income
    return out


def hh(*members, area="urban", **kw) -> dict:
    return {"area": area, "members": list(members), **kw}


@dataclass
class Example:
    id: str
    as_of: str
    household: dict
    expect: dict
    reasons: dict = field(default_factory=dict)


# A couple and a child of 10; the head works for ¥1,500 (employment cost ¥300).
FAMILY = [
    m(40, gender="M", employed=True, wages="1500"),
    m(38, gender="F", relation="spouse"),
    m(10, relation="child", school_stage="primary"),
]
ALONE = dict(gender="F", labour_capacity="partial")  # 45, not able to work: no employment duty
EXIT = {"receiving": True, "monthly_amount": "700", "rose_through_employment": True}
ELDER_TEKUN = m(
    72, gender="F", has_capable_supporter=False, supporter_unable="dibao_60", self_care_items_failed=2
)

EXAMPLES = [
    # --- dibao: income, standards by date and area ---
    Example(
        "dibao_urban_2026",
        D26,
        hh(*FAMILY),
        {
            "dibao": (True, "1650.00"),
            "edu_compulsory": (True, "1000.00"),
            "medical_premium": (True, "840.00"),
            "low_income_marginal": (False, None),
            "employment_services": (True, None),
            "employment_public_post": (False, None),
        },
        {"dibao": {"income.employment_cost": True, "dibao.income": True, "dibao.review": True}},
    ),
    Example(
        "dibao_urban_2025",
        D25,
        hh(*FAMILY),
        {"dibao": (True, "1500.00"), "edu_compulsory": (True, "1000.00")},
    ),
    Example(
        "dibao_rural_2026",
        D26,
        hh(
            m(50, gender="M", labour_capacity="partial", transfer="600"),
            m(48, gender="F", relation="spouse", labour_capacity="partial"),
            area="rural",
        ),
        {"dibao": (True, "1000.00")},
    ),
    Example(
        "dibao_rural_2025",
        D25,
        hh(
            m(50, gender="M", labour_capacity="partial", transfer="600"),
            m(48, gender="F", relation="spouse", labour_capacity="partial"),
            area="rural",
        ),
        {"dibao": (True, "920.00")},
    ),
    Example(
        "income_exactly_at_standard",
        D26,
        hh(m(45, transfer="950", **ALONE)),
        {"dibao": (False, None), "low_income_marginal": (True, None)},
        {"dibao": {"dibao.income": False}},
    ),
    Example(
        "income_one_cent_below_standard",
        D26,
        hh(m(45, transfer="949.99", **ALONE)),
        {"dibao": (True, "1.00"), "low_income_marginal": (False, None)},
    ),
    Example(
        "marginal_exactly_at_1_5",
        D26,
        hh(m(45, transfer="1425", **ALONE)),
        {"dibao": (False, None), "low_income_marginal": (False, None), "rigid_expenditure": (False, None)},
    ),
    Example(
        "marginal_just_below_1_5",
        D26,
        hh(m(45, transfer="1424.99", **ALONE)),
        {"low_income_marginal": (True, None)},
    ),
    Example(
        "employment_cost_capped_at_300",
        D26,
        hh(m(30, gender="M", employed=True, wages="2000"), m(5, relation="child", school_stage="preschool")),
        {"dibao": (True, "200.00"), "edu_preschool": (True, "1000.00")},
    ),
    Example(
        "no_employment_cost_when_not_employed",
        D26,
        hh(m(30, gender="M", wages="2000"), m(5, relation="child", school_stage="preschool")),
        {"dibao": (False, None), "low_income_marginal": (True, None), "edu_preschool": (False, None)},
    ),
    Example(
        "income_exclusions",
        D26,
        hh(
            m(50, gender="M", labour_capacity="partial", transfer="500", excluded="2000", pension_basic="200")
        ),
        {"dibao": (True, "450.00")},
        {"dibao": {"income.excluded": True}},
    ),
    Example(
        "prisoner_not_counted",
        D26,
        hh(
            m(40, gender="F", labour_capacity="partial", transfer="500"),
            m(42, gender="M", relation="spouse", employed=True, wages="5000", not_counted="prison"),
            m(9, relation="child", school_stage="primary"),
        ),
        {"dibao": (True, "1400.00")},
        {"dibao": {"household.not_counted": True}},
    ),
    # --- classified add-on and rounding ---
    Example(
        "classified_addon_elderly_rural",
        D26,
        hh(
            m(72, gender="M", transfer="200"),
            m(70, gender="F", relation="spouse", transfer="200"),
            area="rural",
        ),
        {"dibao": (True, "1520.00"), "tekun_dispersed": (False, None), "medical_premium": (True, "560.00")},
    ),
    Example(
        "addon_disability_rounded_up_2025",
        D25,
        hh(
            m(45, gender="M", labour_capacity="partial", transfer="1000.50"),
            m(44, gender="F", relation="spouse", disability_kind="physical", disability_grade=2),
            m(12, relation="child", school_stage="junior"),
        ),
        {
            "dibao": (True, "1880.00"),
            "edu_compulsory": (True, "1250.00"),
            "disabled_living_allowance": (True, None),
        },
    ),
    # --- asset tests, exactly at the limit passes ---
    Example(
        "financial_assets_exactly_at_limit",
        D26,
        hh(m(45, **ALONE), assets={"financial_assets": "22800"}),
        {"dibao": (True, "950.00")},
        {"dibao": {"assets.financial": True}},
    ),
    Example(
        "financial_assets_one_cent_over",
        D26,
        hh(m(45, **ALONE), assets={"financial_assets": "22800.01"}),
        {"dibao": (False, None), "low_income_marginal": (False, None)},
        {"dibao": {"assets.financial": False}},
    ),
    Example(
        "livelihood_vehicle_exactly_at_limit",
        D26,
        hh(m(45, **ALONE), assets={"vehicles": [{"value": "30000", "purpose": "livelihood"}]}),
        {"dibao": (True, "950.00")},
        {"dibao": {"assets.vehicle": True}},
    ),
    Example(
        "private_car_fails",
        D26,
        hh(m(45, **ALONE), assets={"vehicles": [{"value": "20000", "purpose": "other"}]}),
        {"dibao": (False, None)},
        {"dibao": {"assets.vehicle": False}},
    ),
    Example(
        "two_houses_exactly_30_m2_each_and_capital_at_limit",
        D26,
        hh(
            m(45, **ALONE),
            m(10, relation="child"),
            assets={"houses": [{"floor_area": "30"}, {"floor_area": "30"}], "business_capital": "100000"},
        ),
        {"dibao": (True, "1900.00")},
        {"dibao": {"assets.house": True, "assets.business": True}},
    ),
    Example(
        "houses_and_capital_over",
        D26,
        hh(
            m(45, **ALONE),
            m(10, relation="child"),
            assets={
                "houses": [{"floor_area": "30"}, {"floor_area": "30.01"}],
                "business_capital": "100000.01",
            },
        ),
        {"dibao": (False, None)},
        {"dibao": {"assets.house": False, "assets.business": False}},
    ),
    # --- single-person coverage ---
    Example(
        "single_person_coverage",
        D26,
        hh(
            m(50, gender="M", labour_capacity="partial", transfer="3000"),
            m(20, relation="child", labour_capacity="none", disability_kind="mental", disability_grade=3),
            m(48, gender="F", relation="spouse", disability_kind="physical", disability_grade=3),
        ),
        {
            "dibao": (False, None),
            "dibao_single": (True, "950.00"),
            "low_income_marginal": (True, None),
            "medical_premium": (True, "280.00"),
        },
    ),
    Example(
        "single_person_coverage_household_at_1_5",
        D26,
        hh(
            m(50, gender="M", labour_capacity="partial", transfer="4275"),
            m(20, relation="child", labour_capacity="none", disability_kind="mental", disability_grade=3),
            m(48, gender="F", relation="spouse", disability_kind="physical", disability_grade=3),
        ),
        {"dibao_single": (False, None), "low_income_marginal": (False, None)},
    ),
    # --- gradual exit ---
    Example(
        "gradual_exit_month_4",
        D26,
        hh(
            m(30, gender="M", employed=True, wages="1500"),
            dibao_status={**EXIT, "income_rose_on": "2025-11-15"},
        ),
        {"dibao": (True, "700.00"), "low_income_marginal": (False, None)},
        {"dibao": {"dibao.gradual_exit": True}},
    ),
    Example(
        "gradual_exit_after_6_months",
        D26,
        hh(
            m(30, gender="M", employed=True, wages="1500"),
            dibao_status={**EXIT, "income_rose_on": "2025-08-15"},
        ),
        {"dibao": (False, None), "low_income_marginal": (True, None)},
        {"dibao": {"dibao.gradual_exit": False}},
    ),
    Example(
        "gradual_exit_income_at_1_5",
        D26,
        hh(
            m(30, gender="M", employed=True, wages="1725"),
            dibao_status={**EXIT, "income_rose_on": "2026-01-10"},
        ),
        {"dibao": (False, None), "low_income_marginal": (False, None)},
    ),
    # --- employment duty ---
    Example(
        "employment_duty_third_refusal_stops_own_share",
        D26,
        hh(m(35, gender="M", work_refusals=3), m(8, relation="child", school_stage="primary")),
        {
            "dibao": (True, "950.00"),
            "employment_services": (True, None),
            "employment_public_post": (True, None),
        },
        {"dibao": {"dibao.employment_duty": False}},
    ),
    Example(
        "employment_duty_two_refusals_no_effect",
        D26,
        hh(m(35, gender="M", work_refusals=2), m(8, relation="child", school_stage="primary")),
        {"dibao": (True, "1900.00")},
        {"dibao": {"dibao.employment_duty": True}},
    ),
    # --- extreme poverty ---
    Example(
        "tekun_elderly_partly_dependent",
        D26,
        hh(ELDER_TEKUN),
        {
            "tekun_dispersed": (True, "1635.00"),
            "tekun_institutional": (False, None),
            "dibao": (False, None),
            "medical_premium": (True, "400.00"),
            "dibao_single": (False, None),
        },
        {"dibao": {"dibao.exclusive_tekun": False}},
    ),
    Example("tekun_elderly_2025", D25, hh(ELDER_TEKUN), {"tekun_dispersed": (True, "1570.00")}),
    Example(
        "tekun_parent_dibao_son",
        D26,
        hh(
            m(72, gender="M", has_capable_supporter=False, supporter_unable="dibao_60"),
            m(63, gender="M", relation="child", transfer="300"),
        ),
        {
            "tekun_dispersed": (True, "1335.00"),
            "dibao": (True, "650.00"),
            "medical_premium": (True, "680.00"),
        },
        {"dibao": {"dibao.exclusive_tekun": True}},
    ),
    Example(
        "tekun_physical_grade_2",
        D26,
        hh(
            m(
                40,
                gender="M",
                disability_kind="physical",
                disability_grade=2,
                has_capable_supporter=False,
                supporter_unable="none_exists",
            )
        ),
        {"tekun_dispersed": (True, "1335.00"), "dibao": (False, None)},
    ),
    Example(
        "physical_grade_3_is_dibao_not_tekun",
        D26,
        hh(
            m(
                40,
                gender="M",
                labour_capacity="partial",
                disability_kind="physical",
                disability_grade=3,
                has_capable_supporter=False,
            )
        ),
        {"tekun_dispersed": (False, None), "dibao": (True, "950.00")},
        {"tekun_dispersed": {"tekun.no_labour_capacity": False}},
    ),
    Example(
        "tekun_institutional_fully_dependent",
        D26,
        hh(
            m(
                80,
                gender="F",
                has_capable_supporter=False,
                self_care_items_failed=4,
                tekun_mode="institutional",
            ),
            assets={"current_floor_area": "10"},
        ),
        {
            "tekun_institutional": (True, "2235.00"),
            "tekun_dispersed": (False, None),
            "housing_rent_subsidy": (False, None),
        },
    ),
    Example(
        "orphan_support_chosen",
        D26,
        hh(m(15, relation="child", has_capable_supporter=False, orphan_support=True)),
        {"tekun_dispersed": (False, None), "dibao": (True, "950.00"), "women_children_aid": (True, None)},
        {"tekun_dispersed": {"tekun.orphan_choice": False}},
    ),
    # --- temporary ---
    Example(
        "temporary_emergency_paid_first",
        D26,
        hh(
            m(40, gender="M", employed=True, wages="5000"),
            m(9, relation="child"),
            temporary={"kind": "emergency", "cause": "fire", "amount": "1500"},
        ),
        {"temporary_emergency": (True, "1500.00"), "temporary_expenditure": (False, None)},
        {"temporary_emergency": {"temporary.first_aid": True}},
    ),
    Example(
        "temporary_emergency_capped_at_12_standards",
        D26,
        hh(
            m(40, gender="M", employed=True, wages="5000"),
            temporary={"kind": "emergency", "cause": "accident", "amount": "20000"},
        ),
        {"temporary_emergency": (True, "11400.00")},
    ),
    Example(
        "temporary_same_cause_within_12_months",
        D26,
        hh(
            m(40, gender="M", employed=True, wages="5000"),
            temporary={
                "kind": "emergency",
                "cause": "fire",
                "amount": "1500",
                "last_same_cause_on": "2025-06-01",
            },
        ),
        {"temporary_emergency": (False, None)},
        {"temporary_emergency": {"temporary.same_cause": False}},
    ),
    Example(
        "temporary_expenditure_county_level",
        D26,
        hh(
            m(45, **ALONE, transfer="3000"),
            m(14, relation="child", school_stage="junior"),
            temporary={"kind": "expenditure", "cause": "medical", "amount": "5000"},
        ),
        {"temporary_expenditure": (True, "5000.00")},
    ),
    Example(
        "temporary_expenditure_income_at_line",
        D26,
        hh(
            m(45, **ALONE, transfer="8400"),
            m(14, relation="child", school_stage="junior"),
            temporary={"kind": "expenditure", "cause": "medical", "amount": "5000"},
        ),
        {"temporary_expenditure": (False, None)},
        {"temporary_expenditure": {"temporary.income": False}},
    ),
    # --- medical ---
    Example(
        "medical_dibao_70_percent",
        D26,
        hh(FAMILY[0], {**FAMILY[1], "out_of_pocket": "20000"}, FAMILY[2]),
        {"medical_expense": (True, "14000.00"), "medical_first_treatment": (True, None)},
    ),
    Example(
        "medical_marginal_60_percent",
        D26,
        hh(m(45, transfer="1000", out_of_pocket="20000", **ALONE)),
        {
            "low_income_marginal": (True, None),
            "medical_expense": (True, "11400.00"),  # (20,000 − deductible 1,000) × 60 %
            "medical_premium": (False, None),
        },
    ),
    Example(
        "medical_tekun_annual_cap",
        D26,
        hh(
            {
                **ELDER_TEKUN,
                "out_of_pocket": "20000",
                "medical_paid_this_year": "50000",
                "serious_illness": True,
            }
        ),
        {"medical_expense": (True, "10000.00"), "charity_medical": (True, None)},
    ),
    # --- education, housing, disaster, rigid expenditure ---
    Example(
        "education_senior_and_university_entrant",
        D26,
        hh(
            m(45, gender="M", labour_capacity="partial"),
            m(17, relation="child", school_stage="senior"),
            m(18, relation="child", school_stage="university", university_entrant=True),
        ),
        {
            "dibao": (True, "2850.00"),
            "edu_senior": (True, "2500.00"),
            "edu_university": (True, "5000.00"),
            "youth_education_aid": (True, None),
        },
    ),
    Example(
        "housing_rent_subsidy",
        D26,
        hh(*FAMILY, assets={"current_floor_area": "30"}),
        {"housing_rent_subsidy": (True, "300.00"), "housing_public_rental": (True, None)},
    ),
    Example(
        "housing_area_exactly_at_line",
        D26,
        hh(*FAMILY, assets={"current_floor_area": "45"}),
        {"housing_rent_subsidy": (False, None), "housing_public_rental": (False, None)},
    ),
    Example(
        "housing_rural_repair",
        D26,
        hh(m(50, gender="M", labour_capacity="partial", transfer="600"), area="rural", dwelling_unsafe=True),
        {"dibao": (True, "200.00"), "housing_rural_repair": (True, None)},
    ),
    Example(
        "disaster_transitional_90_days",
        D26,
        hh(*FAMILY, disaster={"persons": 4, "days": 100, "house_destroyed": True}),
        {
            "disaster_transitional": (True, "7200.00"),
            "disaster_rebuild": (True, None),
            "disaster_winter": (False, None),
        },
    ),
    Example(
        "rigid_expenditure_over_half",
        D26,
        hh(
            m(40, gender="M", employed=True, wages="3000"),
            m(38, gender="F", relation="spouse", employed=True, wages="3600"),
            rigid_expenditure={"medical": "36000.01"},
        ),
        {
            "rigid_expenditure": (True, None),
            "low_income_marginal": (False, None),
            "charity_aid": (True, None),
        },
        {"rigid_expenditure": {"low_income.rigid_spending": True}},
    ),
    Example(
        "rigid_expenditure_exactly_half",
        D26,
        hh(
            m(40, gender="M", employed=True, wages="3000"),
            m(38, gender="F", relation="spouse", employed=True, wages="3600"),
            rigid_expenditure={"medical": "36000"},
        ),
        {"rigid_expenditure": (False, None), "charity_aid": (False, None)},
    ),
    # --- the services no other example qualifies for (issue 16: each of the 33 pre-checks) ---
    Example(
        "winter_hardship_and_unpaid_emergency",
        D26,
        hh(
            m(50, gender="M", labour_capacity="partial", emergency_unpaid=True),
            disaster={"winter_hardship": True},
        ),
        {
            "disaster_winter": (True, None),
            "medical_emergency": (True, None),
            "disaster_rebuild": (False, None),
        },
    ),
    Example(
        "vagrant_without_means",
        D26,
        hh(m(45, gender="M"), homeless=True),
        {"vagrant_aid": (True, None)},
    ),
    Example(
        # dibao family: the head able and out of work, the spouse works for ¥500, the child
        # has a grade-3 physical disability
        "dibao_family_training_rehab_worker",
        D26,
        hh(
            m(40, gender="M"),
            m(38, gender="F", relation="spouse", employed=True, wages="500"),
            m(10, relation="child", school_stage="primary", disability_kind="physical", disability_grade=3),
        ),
        {
            "employment_training": (True, None),
            "disabled_rehab": (True, None),
            "worker_hardship": (True, None),
        },
    ),
]
