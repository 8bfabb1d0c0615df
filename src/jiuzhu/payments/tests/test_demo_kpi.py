"""The demo seed (paid months, the current one waiting, a second run adds nothing) and the
funds KPIs performance reads."""

from datetime import date
from decimal import Decimal

from django.db.models import Sum

from jiuzhu.payments import demo
from jiuzhu.payments.models import LedgerEntry, PaymentLine, PaymentRoll
from jiuzhu.payments.selectors import city_split, kpi_funds


def test_demo_seed_pays_the_year_so_far_once(grant, policy):
    grant("甲一", "950", start=date(2026, 1, 1))
    grant("乙二", "1000", service="edu_compulsory", start=date(2026, 2, 1))
    first = demo.seed(policy=policy, today=date(2026, 4, 15))
    assert "已发放名册" in first
    assert set(PaymentRoll.objects.filter(state=PaymentRoll.CLOSED).values_list("month", flat=True)) == {
        date(2026, 1, 1),
        date(2026, 2, 1),
        date(2026, 3, 1),
    }
    assert PaymentRoll.objects.get(month=date(2026, 4, 1), service_code="dibao").state == PaymentRoll.DRAFT
    total = LedgerEntry.objects.aggregate(s=Sum("amount"))["s"]
    assert total == Decimal("950") * 3 + Decimal("1000")
    lines = PaymentLine.objects.count()
    demo.seed(policy=policy, today=date(2026, 4, 15))
    assert (
        PaymentLine.objects.count() == lines and LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == total
    )
    split = city_split(year=2026)
    assert split["civil_affairs"]["budget"] == Decimal("47355000.00")
    assert split["others"]["budget"] == Decimal("22449000.00")
    assert split["total"]["budget"] == Decimal("69804000.00")

    k = kpi_funds(start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert k["paid"] == total and k["paid_lines"] == 4 and k["paid_on_time"] == 4 and k["paid_late"] == 0
    assert k["budget"] == Decimal("69804000.00") and k["failed_lines"] == 0
    assert k["execution_rate"] == (total / Decimal("69804000") * 100).quantize(Decimal("0.1"))
    town = kpi_funds(start=date(2026, 1, 1), end=date(2026, 1, 31), unit="town_chengdong")
    assert town["paid"] == Decimal("950.00") and town["budget"] == 0
    edu = kpi_funds(start=date(2026, 1, 1), end=date(2026, 12, 31), unit="education")
    assert edu["paid"] == Decimal("1000.00") and edu["budget"] == Decimal("2800000.00")
