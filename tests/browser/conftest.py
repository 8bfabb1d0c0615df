"""What every browser test shares: Debian's chromium driven headless through Playwright, the
``browser`` marker (and a skip, with the reason, only when /usr/bin/chromium is absent; CI
installs it), a fast-log-in intake catalogue, and ``login(browser, base, username)``."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
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
PASSWORD = "test-pass-123"  # the password of the ``staff`` fixture's users


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    missing = not Path(CHROMIUM).exists()
    for item in items:
        if HERE in Path(str(item.fspath)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(
                    pytest.mark.skip(reason=f"{CHROMIUM} is not installed (apt-get install chromium)")
                )


@pytest.fixture
def browser():
    # Playwright's sync API runs an event loop in this thread; Django's async-safety check
    # would then refuse the ORM calls the test makes between pages.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture
def catalogue(settings, tmp_path):
    from jiuzhu.intake.testing import ensure_catalogue

    ensure_catalogue(settings, tmp_path)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast log-ins


def second_factor(page, username) -> None:
    """The second sign-in step as a person does it: on the enrolment page, the key shown is
    typed into an authenticator (here: the code computed from it); on the verify page, the
    code of the device enrolled before."""
    import base64
    import time

    from django_otp.plugins.otp_totp.models import TOTPDevice

    from jiuzhu.common.signin import totp_now

    at = None
    if "/login/enrol/" in page.url:
        shown = page.inner_text("#manual-key").replace(" ", "")
        key = base64.b32decode(shown + "=" * (-len(shown) % 8)).hex()
    else:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        key = device.key
        if device.last_t >= int(time.time() // device.step):
            at = time.time() + device.step  # a code is used once: the person waits for the next
    page.fill("input[name=token]", totp_now(key, at=at))
    page.keyboard.press("Enter")


@pytest.fixture
def login():
    """``login(browser, base, username)``: a new page logged in by keyboard only (with the
    second factor for the roles that need it)."""

    def do(browser, base, username):
        page = browser.new_context(locale="zh-CN").new_page()
        page.set_default_timeout(15000)
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(
            lambda url: "/login/" not in url or "/login/enrol/" in url or "/login/verify/" in url
        )
        if "/login/" in page.url:
            second_factor(page, username)
            page.wait_for_url(lambda url: "/login/" not in url)
        return page

    return do
