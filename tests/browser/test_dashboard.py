"""In Debian's chromium (headless, through Playwright): the convener logs in, opens the
leaders' dashboard, sees today's live figures arrive after the page, clicks the education bureau's May cell of the overdue heat chart and sees
the late case behind it.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

from datetime import date

import pytest


@pytest.mark.django_db(transaction=True)
def test_dashboard_drills_into_a_chart(live_server, browser, login, staff, units, make_household):
    from jiuzhu.performance import services
    from jiuzhu.performance import testing as t

    clerk = staff("window_clerk")
    staff("convener", username="convener")
    hh = make_household(members=[{"name": "赵六", "birth": date(1966, 6, 6)}])
    app = t.application(
        household=hh, window=units["town_chengdong"], clerk=clerk, received_on=date(2026, 5, 6)
    )
    t.leg(
        app,
        unit=units["education"],
        referred_on=date(2026, 5, 6),
        due_on=date(2026, 5, 12),
        state="refused",
        closed_on=date(2026, 5, 13),
        reasons="家庭收入超过标准",
    )
    t.leg(
        app,
        unit=units["education"],
        referred_on=date(2026, 5, 6),
        due_on=date(2026, 5, 20),
        state="granted",
        closed_on=date(2026, 5, 8),
    )
    services.snapshot_refresh(year=2026)
    base = live_server.url

    page = login(browser, base, "convener")

    page.click("nav a:has-text('领导驾驶舱')")
    page.wait_for_url("**/performance/")
    assert "领导驾驶舱" in page.inner_text("h1")
    # today's live figures arrive after the page, in place of the placeholder (htmx)
    page.wait_for_selector("dt:has-text('今日新受理申请')", timeout=15000)
    assert "正在读取今日的实时数字" not in page.inner_text("main")
    page.goto(f"{base}/performance/?year=2026")
    cell = page.locator("#h-heat ~ svg a[href*='unit=education'][href*='start=2026-05-01']")
    assert cell.count() == 1
    cell.click()
    page.wait_for_url("**/performance/cases/**")
    body = page.inner_text("main")
    assert "超期" in body and "市教育局" in body
    assert app.tracking_code in body and "不予救助" in body
    assert "给予救助" not in body  # the on-time case is not behind the overdue figure
