from decimal import Decimal

import pytest
from django.db.models import Sum

from jiuzhu.common import clock
from jiuzhu.disaster import demo
from jiuzhu.disaster.models import AffectedHousehold, TransitionalDays

pytestmark = pytest.mark.django_db


def test_demo_seeds_one_event_with_paid_aid_once(policy, units, staff, make_household):
    staff("department_officer", "emergency")
    for name in ("孙一", "孙二", "孙三"):
        make_household(members=[{"name": name}], town="town_chengxi")
    line = demo.seed(policy=policy, today=clock.today())
    assert "受灾家庭 23 户（新建 20 户）" in line
    assert AffectedHousehold.objects.filter(new_household=False).count() == 3
    settled = TransitionalDays.objects.aggregate(s=Sum("amount"))["s"]
    assert settled > Decimal("0") and str(settled) in line
    assert TransitionalDays.objects.filter(entitlement__unit__code="emergency").count() > 0
    again = demo.seed(policy=policy, today=clock.today())
    assert "已有灾害事件" in again and AffectedHousehold.objects.count() == 23
