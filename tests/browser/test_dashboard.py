"""In Debian's chromium (headless, through Playwright): the convener logs in, opens the
leaders' dashboard, clicks the education bureau's May cell of the overdue heat chart and sees
the late case behind it.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
PASSWORD = "test-pass-123"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason=f"{CHROMIUM} is not installed (apt-get install chromium)"
    ),
]


@pytest.fixture
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.mark.django_db(transaction=True)
def test_dashboard_drills_into_a_chart(live_server, browser, staff, units, make_household):
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

    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15000)
    page.goto(f"{base}/login/")
    page.fill("input[name=username]", "convener")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)

    page.click("nav a:has-text('领导驾驶舱')")
    page.wait_for_url("**/performance/")
    assert "领导驾驶舱" in page.inner_text("h1")
    page.goto(f"{base}/performance/?year=2026")
    cell = page.locator("#h-heat ~ svg a[href*='unit=education'][href*='start=2026-05-01']")
    assert cell.count() == 1
    cell.click()
    page.wait_for_url("**/performance/cases/**")
    body = page.inner_text("main")
    assert "超期" in body and "市教育局" in body
    assert app.tracking_code in body and "不予救助" in body
    assert "给予救助" not in body  # the on-time case is not behind the overdue figure
