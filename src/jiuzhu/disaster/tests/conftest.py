from datetime import timedelta

import pytest

from jiuzhu.common import clock
from jiuzhu.decisions.entitlements import add_months, month_start
from jiuzhu.disaster.services import event_declare


@pytest.fixture
def officer(staff):
    """An officer of the emergency-management unit (owner of the disaster services)."""
    return staff("department_officer", "emergency")


@pytest.fixture
def first_month():
    """The month before last: over, so it can be settled."""
    return add_months(month_start(clock.today()), -2)


@pytest.fixture
def event(officer, units, first_month):
    return event_declare(
        actor=officer,
        name="7·20 城东洪涝",
        kind="flood",
        occurred_on=first_month + timedelta(days=9),
        level="IV",
        towns=[units["town_chengdong"], units["town_chengxi"]],
        fund="500000",
        areas="河口村、幸福社区",
    )
