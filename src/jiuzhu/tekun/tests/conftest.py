"""What the 特困 tests share: persons granted extreme-poverty support, support institutions
registered by civil affairs, the officer who runs the homes and a home with two beds."""

from datetime import date

import pytest

from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.payments.models import Institution
from jiuzhu.payments.testing import institution
from jiuzhu.tekun import services


@pytest.fixture
def grant_support(staff, policy):
    """``grant_support(person, service_code="tekun_institutional", amount="1535", actor=None)``
    grants the person, alone in the grant, that support from January 2026 (an approver's)."""

    def grant(person, service_code="tekun_institutional", amount="1535", actor=None):
        return entitlement_grant(
            household=person.household,
            payee=person,
            members=[person],
            service_code=service_code,
            amount=amount,
            start_month=date(2026, 1, 1),
            actor=actor or staff("approver"),
            policy=policy,
            reason="审批同意",
        )

    return grant


@pytest.fixture
def supported(make_household, grant_support):
    """``supported(name, service_code="tekun_institutional", amount="1535", actor=None)``: an
    old person (born 1940) alone in his household, granted that support from January 2026."""

    def make(name, service_code="tekun_institutional", amount="1535", actor=None):
        person = make_household(members=[{"name": name, "birth": date(1940, 2, 2)}]).members.get()
        grant_support(person, service_code, amount, actor)
        return person

    return make


@pytest.fixture
def support_institution(units):
    """``support_institution(actor, code, name, account)`` registers a support institution of
    civil affairs, paid by transfer to its account held in its own name."""

    def register(actor, code, name, account):
        return institution(
            actor=actor,
            code=code,
            name=name,
            kind=Institution.SUPPORT,
            unit=units["civil_affairs"],
            account=account,
        )

    return register


@pytest.fixture
def elder(make_household, staff, grant_support):
    """An old man alone, unable to work, no one to support him, who chose centralised support
    (his support-mode fact as the window records it) and is granted it from January."""
    from jiuzhu.registry.programme import fact_record

    clerk = staff("window_clerk", "town_chengdong")
    hh = make_household(
        members=[
            {
                "name": "周老汉",
                "birth": date(1940, 2, 2),
                "labour_capacity": "none",
                "has_capable_supporter": False,
            }
        ],
        actor=clerk,
    )
    p = hh.members.get()
    fact_record(
        actor=clerk,
        household=hh,
        person=p,
        kind="support_mode",
        data={"mode": "institutional", "institution": "本人意愿：集中供养"},
        effective_on=date(2026, 1, 1),
    )
    grant_support(p)
    return p


@pytest.fixture
def officer(staff):
    """Civil affairs' officer who runs the support homes (``tekun.manage``)."""
    return staff("department_officer", "civil_affairs")


@pytest.fixture
def home(officer, support_institution):
    """A home of two beds at 示范市第二社会福利院."""
    inst = support_institution(officer, "SUP-9", "示范市第二社会福利院", "622800005555000009")
    return services.home_register(actor=officer, institution=inst, beds=2)
