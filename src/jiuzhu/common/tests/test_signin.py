"""Sign-in as a person meets it: lockout after wrong passwords and log-in once it ends, every
attempt in the access log, the second factor for an approver, full password rules, and a
session that ends when left alone."""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.common.models import AccessLog
from jiuzhu.common.signin import client_ip, totp_now

PASSWORD = "test-pass-123"


@pytest.fixture(autouse=True)
def fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECOND_FACTOR_REQUIRED = True


def _login(client, username, password=PASSWORD, **extra):
    return client.post("/login/", {"username": username, "password": password}, **extra)


def _log(username):
    return list(AccessLog.objects.filter(username=username).order_by("id").values_list("action", flat=True))


def test_lockout_then_login_after_the_lockout_ends(staff, settings):
    user = staff("town_caseworker")
    client = Client(REMOTE_ADDR="10.1.2.3")
    for _ in range(settings.LOCKOUT_FAILURES - 1):
        r = _login(client, user.username, "wrong-password-1")
        assert r.status_code == 200 and "用户名或密码错误" in r.content.decode()
    r = _login(client, user.username, "wrong-password-1")
    assert r.status_code == 429 and "账户已暂时锁定" in r.content.decode()
    # the right password does not help while the lockout lasts
    r = _login(client, user.username)
    assert r.status_code == 429
    assert client.get("/").status_code == 302  # still not logged in
    log = _log(user.username)
    assert log.count("login_failed") == settings.LOCKOUT_FAILURES + 1 and "locked_out" in log
    assert "login" not in log
    failed = AccessLog.objects.filter(username=user.username, action="login_failed").first()
    assert failed.user_id == user.pk and "10.1.2.3" in failed.purpose

    # the lockout's minutes pass (the attempts are moved back in time instead of sleeping)
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - timedelta(minutes=settings.LOCKOUT_MINUTES, seconds=1)
    )
    r = _login(client, user.username)
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    assert _log(user.username)[-1] == "login"
    assert not AccessAttempt.objects.filter(username=user.username).exists()  # count cleared


def test_unknown_user_name_is_logged_as_tried(db):
    r = _login(Client(), "no-such-user", "whatever-it-is")
    assert r.status_code == 200
    row = AccessLog.objects.get(action="login_failed")
    assert row.username == "no-such-user" and row.user_id is None and row.object_type == "session"


def test_approver_needs_the_second_factor(staff):
    approver = staff("approver")
    client = Client()
    r = _login(client, approver.username)
    assert r.status_code == 302 and r["Location"] == "/login/enrol/"
    # the password alone reaches none of the approver's pages
    for page in ("/", "/decisions/", "/payments/", "/api/decisions/cases"):
        assert client.get(page).status_code in (302, 401), page
    assert "login" not in _log(approver.username)

    # enrolment: the QR code and the key are shown; a wrong code is refused, the right one logs in
    page = client.get("/login/enrol/").content.decode()
    assert "data:image/svg+xml" in page
    shown = re.search(r'id="manual-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    device = TOTPDevice.objects.get(user=approver)
    assert not device.confirmed
    assert base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key
    r = client.post("/login/enrol/", {"token": "000000" if totp_now(device.key) != "000000" else "111111"})
    assert r.status_code == 200 and "动态口令不正确" in r.content.decode()
    r = client.post("/login/enrol/", {"token": totp_now(device.key)})
    assert r.status_code == 302 and r["Location"] == "/"
    assert client.get("/").status_code == 200
    assert _log(approver.username)[-1] == "login"
    assert "动态口令" in AccessLog.objects.filter(username=approver.username, action="login").get().purpose

    # next time: password, then the code from the enrolled device
    client.post("/logout/")
    client = Client()
    r = _login(client, approver.username)
    assert r["Location"] == "/login/verify/"
    assert client.get("/decisions/").status_code == 302
    r = client.post("/login/verify/", {"token": "12345"})
    assert "动态口令为6位数字" in r.content.decode()
    device.refresh_from_db()
    r = client.post("/login/verify/", {"token": totp_now(device.key, at=time.time() + 30)})
    assert r.status_code == 302
    assert client.get("/decisions/").status_code == 200


def test_wrong_codes_count_towards_the_lockout(staff, settings):
    approver = staff("approver")
    device = TOTPDevice.objects.create(user=approver, name="动态口令", confirmed=True)
    client = Client()
    _login(client, approver.username)
    wrong = "000000" if totp_now(device.key) != "000000" else "111111"
    for _ in range(settings.LOCKOUT_FAILURES):
        r = client.post("/login/verify/", {"token": wrong})
    assert r.status_code == 429
    assert "动态口令错误" in AccessLog.objects.filter(action="login_failed").last().purpose
    r = client.post("/login/verify/", {"token": totp_now(device.key)})
    assert r.status_code == 429
    assert client.get("/").status_code == 302


def test_demo_setting_lets_an_approver_in_with_the_password(staff, settings):
    settings.SECOND_FACTOR_REQUIRED = False  # JIUZHU_DEMO_2FA=off
    approver = staff("approver")
    client = Client()
    assert _login(client, approver.username)["Location"] == "/"
    assert client.get("/decisions/").status_code == 200


def test_optional_second_factor_for_a_clerk(staff):
    clerk = staff("window_clerk")
    client = Client()
    assert _login(client, clerk.username)["Location"] == "/"  # no second factor needed
    page = client.get("/account/enrol/").content.decode()
    assert "手动输入密钥" in page
    device = TOTPDevice.objects.get(user=clerk)
    assert client.post("/account/enrol/", {"token": totp_now(device.key)})["Location"] == "/account/"
    client.post("/logout/")
    client = Client()
    assert _login(client, clerk.username)["Location"] == "/login/verify/"  # chosen, so asked


def test_admin_login_page_leads_to_the_two_step_sign_in(db):
    r = Client().get("/admin/login/?next=/admin/")
    assert r.status_code == 302 and r["Location"].startswith("/login/?next=/admin/")


def test_weak_password_refused(staff):
    clerk = staff("window_clerk")
    client = Client()
    client.force_login(clerk)
    for weak in ("12345678901234", "password1234", "short-1", clerk.username + "1"):
        r = client.post("/account/", {"old_password": PASSWORD, "new_password1": weak, "new_password2": weak})
        assert r.status_code == 200 and 'class="error"' in r.content.decode(), weak
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
    strong = "河边-柳树-7391-绿"
    r = client.post("/account/", {"old_password": PASSWORD, "new_password1": strong, "new_password2": strong})
    assert r.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(strong)


def test_session_ends_after_inactivity(staff, settings):
    clerk = staff("window_clerk")
    client = Client()
    _login(client, clerk.username)
    assert client.get("/").status_code == 200
    session = Session.objects.get()
    left = session.expire_date - timezone.now()
    assert timedelta(minutes=29) < left <= timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    # each request starts the idle time again; 30 minutes without one end the session
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=5))
    assert client.get("/").status_code == 200
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    r = client.get("/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_client_address_behind_trusted_proxies(rf, settings):
    forged = {"REMOTE_ADDR": "10.0.0.5", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}
    settings.TRUSTED_PROXIES = 0
    assert client_ip(rf.get("/", **forged)) == "10.0.0.5"  # no proxy: the header is not believed
    settings.TRUSTED_PROXIES = 1
    assert client_ip(rf.get("/", **forged)) == "203.0.113.7"  # what our proxy saw, not the forged one
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="junk")) == "10.0.0.5"


@pytest.mark.parametrize(
    ("role", "unit"),
    [
        ("verification_officer", "civil_affairs"),
        ("admin", "civil_affairs"),
        ("department_officer", "education"),  # prepares its own services' payment rolls
    ],
)
def test_the_second_factor_is_required_beyond_approvers(staff, role, unit):
    """Issue 13: approvers, payments, verification officers and administrators; a window clerk
    (test_optional_second_factor_for_a_clerk) signs in with the password alone."""
    user = staff(role, unit)
    client = Client()
    r = _login(client, user.username)
    assert r.status_code == 302 and r["Location"] == "/login/enrol/"
    assert client.get("/").status_code == 302
    assert "login" not in _log(user.username)


def test_a_form_posted_without_its_csrf_token_is_refused(staff, make_household):
    """Held in issue 13: a screen's form posted from elsewhere (no CSRF token) changes nothing;
    the same form from the page itself goes through."""
    hh = make_household()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff("admin"))
    post = {
        "town": "town_chengdong",
        "community": "测试社区",
        "division_code": "329901001",
        "area": "urban",
        "address": "外站提交的地址",
        "phone": "",
        "dwelling_area": "",
    }
    url = f"/households/{hh.code}/edit/"
    r = browser.post(url, post)
    assert r.status_code == 403
    hh.refresh_from_db()
    assert hh.address != "外站提交的地址"
    page = browser.get(url).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert browser.post(url, {**post, "csrfmiddlewaretoken": token}).status_code == 302
    hh.refresh_from_db()
    assert hh.address == "外站提交的地址"
