"""What the education tests share: the bureau's officer, a school registered as an institution
paid by transfer, a household on dibao with its children, and pupils enrolled."""

from datetime import date

import pytest

from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.education import services
from jiuzhu.payments.models import Institution
from jiuzhu.payments.testing import institution

SEPTEMBER_2025 = date(2025, 9, 1)


@pytest.fixture
def officer(staff):
    """The education bureau's officer, who registers schools and confirms term lists."""
    return staff("department_officer", "education")


@pytest.fixture
def register_school(officer, units):
    """``register_school(code, name, account)`` registers a school of the education bureau (an
    institution the term's grant can be transferred to), its account held in its own name."""

    def register(code: str, name: str, account: str):
        return institution(
            actor=officer,
            code=code,
            name=name,
            kind=Institution.SCHOOL,
            unit=units["education"],
            account=account,
        )

    return register


@pytest.fixture
def dibao_home(make_household, staff, policy):
    """``dibao_home(*children)`` makes a household of the parent 家长甲 (born 1980) and the
    children given as ``(name, birth)`` or ``(name, birth, school_stage)``, granted dibao
    (900 a month from January 2026, paid to 家长甲), so its pupils are eligible."""

    def make(*children):
        members = [{"name": "家长甲", "birth": date(1980, 1, 1)}]
        for name, birth, *stage in children:
            child = {"name": name, "birth": birth, "relation": "child"}
            if stage:
                child["school_stage"] = stage[0]
            members.append(child)
        home = make_household(members=members)
        entitlement_grant(
            household=home,
            payee=home.members.get(name="家长甲"),
            service_code="dibao",
            amount="900",
            start_month=date(2026, 1, 1),
            actor=staff("approver"),
            policy=policy,
            reason="审批同意",
        )
        return home

    return make


@pytest.fixture
def enrol(officer):
    """``enrol(school, person, stage, entered_on=1 Sep 2025, year_in_stage=None)`` enrols a
    pupil as the bureau does."""

    def make(school, person, stage, entered_on=SEPTEMBER_2025, **more):
        return services.enrolment_register(
            actor=officer, school=school, person=person, stage=stage, entered_on=entered_on, **more
        )

    return make
