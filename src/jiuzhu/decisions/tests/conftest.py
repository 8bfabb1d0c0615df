from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.intake import services as intake
from jiuzhu.intake.services import adults
from jiuzhu.verification.testing import verified

D0 = date(2026, 3, 2)  # a Monday


@pytest.fixture
def clerk(staff):
    return staff("window_clerk", "town_chengdong")


@pytest.fixture
def caseworker(staff):
    return staff("town_caseworker", "town_chengdong")


@pytest.fixture
def approver(staff):
    return staff("approver", "civil_affairs")


@pytest.fixture
def poor_household(make_household):
    """An urban household of three with no income: dibao 3 × ¥950 = ¥2,850 a month (2026)."""
    return make_household(
        members=[
            {"name": "王建国", "birth": date(1975, 3, 2), "relation": "head", "labour_capacity": "partial"},
            {
                "name": "李秀英",
                "birth": date(1978, 6, 9),
                "relation": "spouse",
                "gender": "F",
                "labour_capacity": "partial",
            },
            {"name": "王小明", "birth": date(2012, 9, 1), "relation": "child", "school_stage": "junior"},
        ]
    )


@pytest.fixture
def refer_to(clerk):
    """``refer_to(household, code)``: an application at the window, every adult authorised,
    the referral of ``code``; with ``verify=True`` the window also has the household's 核对
    report issued (a decision needs one: ``cases.check_verified``)."""

    def make(household, code="dibao", today=D0, verify=False):
        app = intake.application_create(
            actor=clerk, household=household, needs=["living"], description="生活困难", today=today
        )
        for p in adults(household, today):
            intake.authorisation_record(actor=clerk, application=app, person=p, signed_on=today, today=today)
        r = intake.refer(actor=clerk, application=app, service_codes=[code], today=today)[0]
        if verify:
            verified(household, requester=clerk, service_code=code, today=today)
        return r

    return make


@pytest.fixture
def housed(make_household):
    """Urban, three members, no income (dibao-eligible), living on 24.83 m²: the rent subsidy is
    (15 × 3 − 24.83) × ¥20 = ¥403.40 a month."""
    return make_household(
        members=[
            {"name": "赵大力", "birth": date(1975, 3, 2), "relation": "head", "labour_capacity": "partial"},
            {
                "name": "孙桂兰",
                "birth": date(1978, 6, 9),
                "relation": "spouse",
                "gender": "F",
                "labour_capacity": "partial",
            },
            {"name": "赵小军", "birth": date(2012, 9, 1), "relation": "child", "school_stage": "junior"},
        ],
        dwelling_area=Decimal("24.83"),
    )
