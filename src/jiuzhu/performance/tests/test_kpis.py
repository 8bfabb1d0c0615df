"""KPI figures equal to hand counts (May 2026, with the 劳动节 holiday inside a handling
period), the same from the precomputed snapshot as live, and coverage of the low-income
population."""

from datetime import date
from decimal import Decimal

from django.urls import reverse

from jiuzhu.performance import services
from jiuzhu.performance.selectors import city_kpis, figure_cases, unit_kpis

MAY = (date(2026, 5, 1), date(2026, 5, 31))


def test_unit_figures_match_hand_count_with_may_day_holiday(may_cases, units):
    k = unit_kpis(unit=units["education"], start=MAY[0], end=MAY[1])["intake"]
    # received in May: B, C, D, F (A was referred on 29 April)
    assert k["received"] == 4
    assert (k["closed"], k["on_time"], k["late"]) == (3, 2, 1)  # A, C on time; B late
    assert (k["granted"], k["refused"], k["transfers"]) == (1, 2, 1)
    # A: 29 Apr -> 8 May is 4 working days (30 Apr, 6, 7, 8 May: 1-5 May are holidays);
    # B: 6 working days less 2 paused = 4; C: 12 -> 29 May = 14
    assert k["days_hist"] == {"4": 2, "14": 1}
    assert k["avg_days"] == Decimal("7.3")
    assert k["p90_days"] == 14
    assert k["on_time_rate"] == Decimal("66.7")
    assert k["refusal_reasons"] == {"家庭收入超过标准": 2}
    assert (k["open_at_end"], k["overdue"]) == (1, 1)  # F open, not yet due; B closed late


def test_city_figures_count_the_transferred_leg_once_as_a_request(may_cases):
    k = city_kpis(start=MAY[0], end=MAY[1])["intake"]
    assert (k["received"], k["new_requests"]) == (5, 4)  # E is the transfer's second leg
    assert (k["open_at_end"], k["open_overdue_at_end"], k["overdue"]) == (2, 1, 2)  # E past due


def test_snapshot_gives_the_same_figures_as_live(may_cases, units):
    live = unit_kpis(unit=units["education"], start=MAY[0], end=MAY[1])
    assert live["source"] == "live"
    services.snapshot_refresh(year=2026)
    snap = unit_kpis(unit=units["education"], start=MAY[0], end=MAY[1])
    assert snap["source"] == "snapshot"
    for key in (
        "received",
        "closed",
        "on_time",
        "late",
        "avg_days",
        "p90_days",
        "open_at_end",
        "refusal_reasons",
    ):
        assert snap["intake"][key] == live["intake"][key], key
    city = city_kpis(start=date(2026, 4, 1), end=MAY[1])["intake"]
    assert (city["closed"], city["granted"]) == (4, 2)  # G closed in April adds one
    services.snapshot_refresh(year=2026)  # idempotent
    assert city_kpis(start=date(2026, 4, 1), end=MAY[1])["intake"]["closed"] == 4


def test_a_part_month_period_is_computed_live(may_cases, units):
    k = unit_kpis(unit=units["education"], start=date(2026, 5, 1), end=date(2026, 5, 10))
    assert k["source"] == "live"
    assert (k["intake"]["closed"], k["intake"]["transfers"]) == (1, 1)  # A on 8 May, D on 7 May


def test_drill_down_lists_the_cases_behind_a_figure(may_cases, units, staff, client):
    late = figure_cases(figure="late", start=MAY[0], end=MAY[1], unit=units["education"])
    assert list(late) == [may_cases["B"]]
    client.force_login(staff("convener"))
    url = reverse("performance:cases") + "?figure=overdue&start=2026-05-01&end=2026-05-31"
    page = client.get(url).content.decode()
    assert "超期" in page
    assert may_cases["E"].service_name in page and page.count("<tr") == 3  # header + B + E


def test_coverage_is_recipients_over_monitored_people(units, staff, make_household):
    from jiuzhu.decisions.models import Entitlement

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
        amount=Decimal("1200.00"),
        start_month=date(2026, 1, 1),
        created_by=admin,
    )
    ent.members.set(list(h1.members.all())[:2])
    from jiuzhu.performance import testing as t

    app = t.application(
        household=h2, window=units["town_chengdong"], clerk=admin, received_on=date(2026, 3, 2)
    )
    t.leg(
        app,
        unit=units["civil_affairs"],
        referred_on=date(2026, 3, 2),
        due_on=date(2026, 4, 14),
        state="refused",
        closed_on=date(2026, 3, 20),
        category="minimum_living",
    )
    k = unit_kpis(unit=units["town_chengdong"], start=MAY[0], end=MAY[1])["intake"]
    assert (k["recipients"], k["monitored"], k["coverage_rate"]) == (2, 5, Decimal("40.0"))
    services.snapshot_refresh(year=2026)
    k = city_kpis(start=MAY[0], end=MAY[1])["intake"]
    assert (k["recipients"], k["monitored"]) == (2, 5)


def test_monitored_population_includes_households_the_rules_flag(units, staff, make_household, policy):
    """A household nobody has helped yet, whose income the rules find below the standard,
    counts in the monitored population (coverage falls); a well-off one does not."""
    from jiuzhu.performance.monitoring import monitoring_refresh
    from jiuzhu.registry.models import IncomeItem

    poor = make_household(
        members=[{"name": "孤老甲", "birth": date(1940, 1, 1)}, {"name": "孤老乙", "birth": date(1942, 1, 1)}]
    )
    rich = make_household(members=[{"name": "富甲", "birth": date(1980, 1, 1)}])
    IncomeItem.objects.create(
        person=rich.members.get(),
        kind="wages",
        monthly_amount=Decimal("20000"),
        period_start=date(2025, 6, 1),
        period_end=date(2026, 5, 31),
    )
    before = unit_kpis(unit=units["town_chengdong"], start=MAY[0], end=MAY[1])["intake"]
    assert before["monitored"] == 0
    assert monitoring_refresh(policy=policy, on=date(2026, 5, 31)) == 1
    after = unit_kpis(unit=units["town_chengdong"], start=MAY[0], end=MAY[1])["intake"]
    assert (after["recipients"], after["monitored"]) == (0, 2)
    assert after["coverage_rate"] == Decimal("0.0")
    assert poor.pk != rich.pk
