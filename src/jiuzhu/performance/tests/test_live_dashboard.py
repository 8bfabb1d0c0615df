"""The bureau's live figures beside the snapshots (today's applications, coverage now, this
month's spending by programme and by paying unit, overdue cases by unit), and one coverage
definition read alike by the dashboard, the meeting agenda and the live figures."""

from datetime import date, timedelta
from decimal import Decimal

from jiuzhu.common import clock
from jiuzhu.decisions.models import Entitlement
from jiuzhu.performance import selectors
from jiuzhu.performance import testing as t
from jiuzhu.supervision.figures import key_figures


def _quarter(today: date) -> tuple[date, date]:
    q = (today.month - 1) // 3
    start = date(today.year, 3 * q + 1, 1)
    end = (date(today.year + (q == 3), (3 * q + 3) % 12 + 1, 1)) - timedelta(days=1)
    return start, end


def test_live_figures_and_one_coverage(units, staff, make_household, client):
    today = clock.today()
    admin = staff("admin")
    h1 = make_household(
        members=[
            {"name": "甲", "birth": date(1950, 1, 1)},
            {"name": "乙", "birth": date(1952, 1, 1)},
            {"name": "丙", "birth": date(1990, 1, 1)},
        ]
    )
    h2 = make_household(
        members=[{"name": "丁", "birth": date(1970, 1, 1)}, {"name": "戊", "birth": date(2000, 1, 1)}]
    )
    ent = Entitlement.objects.create(
        household=h1,
        payee=h1.members.first(),
        service_code="dibao",
        category="minimum_living",
        unit=units["civil_affairs"],
        amount=Decimal("1234567.00"),
        start_month=today.replace(day=1),
        created_by=admin,
    )
    ent.members.set(list(h1.members.all())[:2])
    app = t.application(household=h2, window=units["town_chengdong"], clerk=admin, received_on=today)
    t.leg(
        app,
        unit=units["civil_affairs"],
        referred_on=today - timedelta(days=40),
        due_on=today - timedelta(days=1),
        category="minimum_living",
    )

    # one definition: 2 persons covered of the 5 monitored (h1's three, h2's two)
    cov = selectors.coverage(month=today)
    assert cov == {"recipients": 2, "monitored": 5, "rate": Decimal("40.0")}
    start, end = _quarter(today)  # the agenda's quarter, ending after today
    agenda = {f["key"]: f["value"] for f in key_figures(start=start, end=end)["figures"]}
    assert Decimal(str(agenda["intake.coverage_rate"])) == Decimal("40.0")
    assert selectors.city_kpis(start=start, end=end)["intake"]["coverage_rate"] == Decimal("40.0")

    live = selectors.today_figures()
    assert live["applications"] == 1
    assert live["spending_by_programme"] == [("minimum_living", Decimal("1234567.00"), 2)]
    assert live["spending_by_unit"] == [(units["civil_affairs"].name, Decimal("1234567.00"), 1)]
    assert live["overdue_by_unit"] == [(units["civil_affairs"].name, 1)]

    client.force_login(staff("approver", "civil_affairs"))
    page = client.get("/performance/").content.decode()
    # the page reads the snapshots only; the live section is loaded after it
    assert "正在读取今日的实时数字" in page and 'hx-get="/performance/live/"' in page
    assert "今日新受理申请" not in page
    section = client.get("/performance/live/").content.decode()
    assert "今日实时" in section and "今日新受理申请</dt><dd>1 件" in section
    assert "40.0%（保障 2 / 监测 5 人）" in section
    assert "¥1,234,567.00" in section and "最低生活保障" in section  # money as ¥, programme by name
    assert f"{units['civil_affairs'].name} 1 件" in section
    assert section.count("<svg") >= 4
    # last year's dashboard has no live section; a reader without the dashboard gets none either
    assert "hx-get" not in client.get(f"/performance/?year={today.year - 1}").content.decode()
    client.force_login(staff("window_clerk"))
    refused = client.get("/performance/live/")
    assert refused.status_code == 403 and "今日新受理申请" not in refused.content.decode()
