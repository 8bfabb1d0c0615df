from datetime import date

import pytest

from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.payments import institutions
from jiuzhu.tekun import services


@pytest.fixture
def elder(make_household, staff, policy):
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
    entitlement_grant(
        household=hh,
        payee=p,
        members=[p],
        service_code="tekun_institutional",
        amount="1535",
        start_month=date(2026, 1, 1),
        actor=staff("approver"),
        policy=policy,
        reason="审批同意",
    )
    return p


@pytest.fixture
def officer(staff):
    """Civil affairs' officer who runs the support homes (``tekun.manage``)."""
    return staff("department_officer", "civil_affairs")


@pytest.fixture
def home(officer, units):
    inst = institutions.institution_register(
        actor=officer,
        code="SUP-9",
        name="示范市第二社会福利院",
        kind=institutions.Institution.SUPPORT,
        unit=units["civil_affairs"],
        bank_name="示范市农业银行",
        holder_name="示范市第二社会福利院",
        account="622800005555000009",
    )
    return services.home_register(actor=officer, institution=inst, beds=2)
