"""In Debian's chromium (headless, through Playwright), on the demo city (``jiuzhu demo``): every
demo role logs in and its first screen shows its own queue with the demo's items in it — the
window's applications of today, the caseworker's new 低保 referral to start, the verification
centre's request, the data provider's tasks, the unit's 补正, the approver's roll, the
discipline officer's complaint, the convener's directives, the partner's referral, the
administrator's newcomer without a role — and the queue's first item opens.

The first screen of each home is saved as a PNG (in $JIUZHU_SCREENSHOTS when set:
``scripts/screens.sh`` keeps three of them under docs/screens/).

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from jiuzhu.common import masking as m
from jiuzhu.registry.management.commands.demo import DEMO_PASSWORD, NEWCOMER

# username -> the queue its home must open on, with at least one item
HOMES = {
    "clerk_chengdong": "applications_today",
    "caseworker_chengdong": "referrals_to_start",
    "officer_hrss": "supplements_awaited",
    "officer_discipline": "complaints",
    "verifier": "verification_requests",
    "provider_police": "source_tasks",
    "approver": "rolls_to_approve",
    "supervisor": "complaints",
    "convener": "assignments",
    "partner_youthvol": "partner_referrals",
    "admin": "accounts_without_role",
}


@pytest.mark.django_db(transaction=True)
def test_every_demo_role_lands_on_its_queue(live_server, browser, settings, tmp_path):
    from jiuzhu.intake.demo import MARK
    from jiuzhu.intake.models import Application

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECOND_FACTOR_REQUIRED = False  # a demo site runs with JIUZHU_DEMO_2FA=off
    call_command("demo", no_serve=True, households=80, stdout=StringIO())
    todays = Application.objects.filter(description=MARK).values_list("tracking_code", flat=True)
    assert todays
    from jiuzhu.registry.models import User

    roles = set(User.objects.filter(username__in=HOMES).values_list("role", flat=True))
    assert roles == set(m.ROLES), f"roles without a home checked: {set(m.ROLES) - roles}"

    shots = Path(os.environ.get("JIUZHU_SCREENSHOTS") or tmp_path)  # kept there when asked for
    shots.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    for username, key in HOMES.items():
        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", DEMO_PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login/" not in url)
        assert page.url.rstrip("/") == live_server.url, username
        card = page.locator(f"[data-queue={key}]")
        assert card.count() == 1, f"{username}: no queue {key}"
        count = int(card.locator(".count").inner_text())
        items = card.locator(".queue-items li")
        assert count >= 1 and items.count() >= 1, f"{username}: queue {key} is empty"
        # The queue is on the first screen, before the shortcuts.
        box = card.bounding_box()
        assert page.evaluate("window.scrollY") == 0, f"{username}: the home opens scrolled down"
        assert box is not None and 0 <= box["y"] < 900, f"{username}: queue {key} off the first screen"
        assert "尚未分配角色" not in page.inner_text("main")
        if username == "clerk_chengdong":
            assert any(code in card.inner_text() for code in todays)
        if username == "caseworker_chengdong":
            assert "最低生活保障" in card.inner_text()
        if username == "admin":
            assert NEWCOMER in card.inner_text()
        page.screenshot(path=str(shots / f"home-{username}.png"))  # the first screen
        # The first item opens (the queue lists only what its links will open).
        link = items.first.locator("a")
        if link.count():
            opened = page.goto(f"{live_server.url}{link.first.get_attribute('href')}")
            assert opened is not None and opened.status == 200, f"{username}: {page.url} {opened.status}"
            page.goto(live_server.url)
        page.locator("form[action='/logout/'] button").click()
        page.wait_for_url("**/login/")
        page.close()
    context.close()
