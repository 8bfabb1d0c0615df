from datetime import date

import pytest

from jiuzhu.performance import testing as t


@pytest.fixture
def may_cases(units, staff, make_household):
    """May 2026 (劳动节 1–5 May off, Saturday 9 May worked), hand-counted in test_kpis.py."""
    clerk = staff("window_clerk")
    hh = make_household(members=[{"name": "王五", "birth": date(1960, 3, 3)}])
    app = t.application(
        household=hh, window=units["town_chengdong"], clerk=clerk, received_on=date(2026, 4, 29)
    )
    edu, civil = units["education"], units["civil_affairs"]
    d = date
    cases = {
        "A": t.leg(
            app,
            unit=edu,
            referred_on=d(2026, 4, 29),
            due_on=d(2026, 5, 15),
            state="granted",
            closed_on=d(2026, 5, 8),
        ),
        "B": t.leg(
            app,
            unit=edu,
            referred_on=d(2026, 5, 6),
            due_on=d(2026, 5, 12),
            state="refused",
            closed_on=d(2026, 5, 13),
            paused_days=2,
            reasons="家庭收入超过标准",
        ),
        "C": t.leg(
            app,
            unit=edu,
            referred_on=d(2026, 5, 11),
            due_on=d(2026, 6, 1),
            state="refused",
            closed_on=d(2026, 5, 29),
            reasons="家庭收入超过标准\n详见核对报告",
        ),
        "D": t.leg(
            app,
            unit=edu,
            referred_on=d(2026, 5, 6),
            due_on=d(2026, 5, 20),
            state="transferred",
            closed_on=d(2026, 5, 7),
        ),
        "F": t.leg(app, unit=edu, referred_on=d(2026, 5, 20), due_on=d(2026, 6, 10)),
        "G": t.leg(
            app,
            unit=edu,
            referred_on=d(2026, 4, 1),
            due_on=d(2026, 4, 15),
            state="granted",
            closed_on=d(2026, 4, 10),
        ),
    }
    cases["E"] = t.leg(
        app, unit=civil, referred_on=d(2026, 5, 7), due_on=d(2026, 5, 20), leg=2, chain_root=cases["D"]
    )
    return cases
