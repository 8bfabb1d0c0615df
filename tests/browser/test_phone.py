"""Phones (issue 19): at 390 px wide, in Debian's chromium, the public pages — 公示 (notices as
cards), an objection lodged from it, progress tracking — never scroll sideways, and a logged-in
header folds its menu behind one button instead of taking the first screen.

Screenshots of each page are kept in the test's temporary directory.
Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from jiuzhu.registry.management.commands.demo import DEMO_PASSWORD

PHONE = {"width": 390, "height": 844}


def no_sideways_scroll(page, what: str) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    seen = page.evaluate("document.documentElement.clientWidth")
    assert seen <= PHONE["width"] and wide <= seen, f"{what}: {wide} px of content in {seen} px"


@pytest.mark.django_db(transaction=True)
def test_public_pages_and_the_menu_at_390_px(live_server, browser, settings, tmp_path):
    from jiuzhu.decisions.models import Notice, Objection
    from jiuzhu.intake.models import Application

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECOND_FACTOR_REQUIRED = False  # a demo site runs with JIUZHU_DEMO_2FA=off
    call_command("demo", no_serve=True, households=80, stdout=StringIO())
    from datetime import timedelta

    from jiuzhu.common import clock

    # One of the demo's notices running today (the demo's own may have ended already).
    n = Notice.objects.filter(state=Notice.RUNNING).order_by("id").first()
    assert n is not None
    today = clock.today()
    Notice.objects.filter(pk=n.pk).update(
        starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=6)
    )

    context = browser.new_context(locale="zh-CN", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15000)

    # 公示: one card per notice, each field with its label beside it.
    page.goto(f"{live_server.url}/decisions/notices/")
    cards = page.locator("section[aria-labelledby=cur-h] table.cards tbody tr")
    page.screenshot(path=str(tmp_path / "phone-notices.png"), full_page=True)
    assert cards.count() >= 1, page.inner_text("main")
    first = cards.first
    assert first.locator("td[data-label=姓名]").is_visible(), first.inner_html()
    box = first.bounding_box()
    assert box is not None and box["width"] <= PHONE["width"]
    # A name cell is not squeezed to one character a line: it is as wide as the card's text.
    name_box = first.locator("td[data-label=姓名]").bounding_box()
    assert name_box is not None and name_box["width"] > PHONE["width"] / 2 and name_box["height"] < 60
    no_sideways_scroll(page, "公示")
    page.screenshot(path=str(tmp_path / "phone-notices.png"), full_page=True)

    # An objection from a card.
    first.locator("summary", has_text="提出异议").click()
    first.locator("textarea[name=text]").fill("该户家中有门面出租收入，请核实")
    no_sideways_scroll(page, "公示 · 异议表")
    first.locator("button[type=submit]").click()
    page.wait_for_url("**/objection/")
    assert "您的异议已收到" in page.inner_text("main")
    assert Objection.objects.count() == 1
    no_sideways_scroll(page, "异议已收到")

    # Progress tracking with the receipt's code.
    app = Application.objects.exclude(id_tail="").order_by("id").first()
    page.goto(f"{live_server.url}/intake/track/")
    page.fill("input[name=code]", app.tracking_code)
    page.fill("input[name=id_tail]", app.id_tail)
    page.locator("button[type=submit]", has_text="查询").click()
    page.wait_for_selector("#result")
    no_sideways_scroll(page, "办理进度查询")
    page.screenshot(path=str(tmp_path / "phone-track.png"), full_page=True)

    # A logged-in header: the menu folds behind one button.
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "caseworker_chengdong")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(lambda url: "/login/" not in url)
    header = page.locator("header.top")
    nav = page.locator("header.top nav")
    assert not nav.is_visible()
    height = header.bounding_box()["height"]
    assert height < 80, f"header takes {height} px"
    toggle = page.get_by_role("button", name="菜单")
    toggle.click()
    assert nav.is_visible() and toggle.get_attribute("aria-expanded") == "true"
    assert page.get_by_role("button", name="退出").is_visible()
    no_sideways_scroll(page, "工作台（菜单展开）")
    page.screenshot(path=str(tmp_path / "phone-home-menu.png"), full_page=True)
    toggle.click()
    assert not nav.is_visible()
    no_sideways_scroll(page, "工作台")
    context.close()
