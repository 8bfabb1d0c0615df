"""An administrator creates a staff account with its second factor pre-enrolled (issue 13): the
QR code is shown once, on the answer to the creation, and the first sign-in asks for the code."""

from __future__ import annotations

import base64
import re

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from jiuzhu.common.models import AccessLog
from jiuzhu.common.signin import totp_now
from jiuzhu.registry.models import User

PASSWORD = "Qiu-Shui-Lake-83"


@pytest.fixture(autouse=True)
def fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.SECOND_FACTOR_REQUIRED = True


def as_user(user):
    c = Client()
    c.force_login(user)
    return c


def form(**over):
    return {
        "username": "fa_zhang",
        "display_name": "张发放",
        "role": "approver",
        "unit": "civil_affairs",
        "password": PASSWORD,
        **over,
    }


def test_only_an_administrator_creates_staff_accounts(staff):
    r = as_user(staff("town_caseworker")).post("/staff/new/", form())
    assert r.status_code == 403 and "您的角色不能创建工作人员账号" in r.content.decode()
    assert not User.objects.filter(username="fa_zhang").exists()


def test_wrong_fields_are_named_and_write_nothing(staff):
    admin = as_user(staff("admin"))
    for bad, field_text in (
        ({"password": "abc"}, "密码"),
        ({"role": "boss"}, "请选择角色"),
        ({"unit": "nowhere"}, "请选择所属单位"),
        ({"username": "Fa Zhang!"}, "用户名只能包含"),
    ):
        r = admin.post("/staff/new/", form(**bad))
        assert r.status_code == 400 and field_text in r.content.decode(), bad
    assert not User.objects.filter(display_name="张发放").exists() and not TOTPDevice.objects.exists()


def test_pre_enrolled_device_shown_once_and_required_at_first_sign_in(staff):
    admin = staff("admin")
    r = as_user(admin).post("/staff/new/", form())
    page = r.content.decode()
    assert r.status_code == 200 and "data:image/svg+xml" in page and "只显示这一次" in page
    user = User.objects.get(username="fa_zhang")
    device = TOTPDevice.objects.get(user=user)
    shown = re.search(r'id="manual-key">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    assert device.confirmed and base64.b32decode(shown + "=" * (-len(shown) % 8)) == device.bin_key
    assert AccessLog.objects.filter(username=admin.username, object_type="staff_account").count() == 1

    # first sign-in: the password leads to the code, not to a new enrolment (no QR again)
    c = Client()
    r = c.post("/login/", {"username": "fa_zhang", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/login/verify/"
    assert c.get("/decisions/").status_code == 302
    assert "data:image/svg+xml" not in c.get("/login/verify/").content.decode()
    r = c.post("/login/verify/", {"token": totp_now(device.key)})
    assert r.status_code == 302 and c.get("/decisions/").status_code == 200
    assert c.get("/account/enrol/")["Location"] == "/account/"  # the key is never shown again
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_a_clerk_without_the_option_signs_in_with_the_password(staff):
    as_user(staff("admin")).post(
        "/staff/new/", form(username="ck_li", role="window_clerk", unit="town_chengdong")
    )
    assert not TOTPDevice.objects.filter(user__username="ck_li").exists()
    c = Client()
    assert c.post("/login/", {"username": "ck_li", "password": PASSWORD})["Location"] == "/"
    as_user(staff("admin")).post(
        "/staff/new/", form(username="ck_wang", role="window_clerk", unit="town_chengdong", with_device="on")
    )
    assert TOTPDevice.objects.get(user__username="ck_wang").confirmed
