"""In Debian's chromium: an approver's password alone leads to the second step, never to the
approver's pages; the approver enrols an authenticator (key shown on the page, code typed),
logs out, and logs in again with password + code.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

import pytest
from tests.browser.conftest import PASSWORD, second_factor


@pytest.mark.django_db(transaction=True)
def test_approver_logs_in_with_a_second_factor(live_server, browser, catalogue, staff, settings):
    settings.SECOND_FACTOR_REQUIRED = True
    staff("approver", username="approver")
    base = live_server.url
    page = browser.new_context(locale="zh-CN").new_page()
    page.set_default_timeout(15000)

    def password_step():
        page.goto(f"{base}/login/")
        page.fill("input[name=username]", "approver")
        page.fill("input[name=password]", PASSWORD)
        page.keyboard.press("Enter")

    password_step()
    page.wait_for_url("**/login/enrol/")
    assert "启用动态口令" in page.inner_text("h1")
    assert page.locator("img[alt='动态口令绑定二维码']").evaluate("img => img.naturalWidth") > 0
    page.goto(f"{base}/decisions/")  # the password alone reaches nothing
    assert "/login/" in page.url
    page.goto(f"{base}/login/enrol/")
    page.fill("input[name=token]", "000000")
    page.keyboard.press("Enter")
    page.wait_for_selector("#code-error")
    second_factor(page, "approver")
    page.wait_for_url(lambda url: "/login/" not in url)
    assert "审批" in page.inner_text("header")

    page.click("header button:has-text('退出')")
    page.wait_for_url("**/login/")
    password_step()
    page.wait_for_url("**/login/verify/")
    second_factor(page, "approver")
    page.wait_for_url(lambda url: "/login/" not in url)
    page.goto(f"{base}/decisions/")
    assert "/login/" not in page.url
