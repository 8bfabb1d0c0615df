from datetime import date

import pytest

from jiuzhu.charity.testing import charity_setup, make_partner_user
from jiuzhu.intake.testing import ensure_catalogue

D0 = date(2026, 9, 29)  # a Tuesday


@pytest.fixture(autouse=True)
def charity_catalogue(settings, tmp_path):
    ensure_catalogue(settings, tmp_path)
    settings.MEDIA_ROOT = tmp_path / "media"
    # Each test makes several log-ins; the production hasher is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin(staff):
    return staff("admin")


@pytest.fixture
def setup(admin):
    return charity_setup(admin=admin, received_on=date(2026, 9, 1))


@pytest.fixture
def caseworker(staff):
    return staff("town_caseworker", "town_chengdong")


@pytest.fixture
def red_user(setup):
    return make_partner_user(setup["redcross"], "red_staff")


@pytest.fixture
def grain_user(setup):
    return make_partner_user(setup["grainco"], "grain_staff")


@pytest.fixture
def household(make_household):
    return make_household(
        members=[
            {"name": "王建国", "birth": date(1975, 3, 2), "relation": "head"},
            {"name": "王小明", "birth": date(2012, 9, 1), "relation": "child"},
        ],
        phone="13812345678",
    )
