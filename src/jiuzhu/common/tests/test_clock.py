"""The training clock: on a training site an administrator moves the platform's date forward,
bannered on every page; on any other site the clock is the real one and cannot be moved."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jiuzhu.common import clock
from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.common.services import training_clock_advance


def test_a_production_site_keeps_the_real_date(db, staff, settings):
    settings.TRAINING_SITE = False
    admin = staff("admin")
    with pytest.raises(PermissionDenied) as exc:
        training_clock_advance(actor=admin, days=7)
    assert exc.value.code == "not_training_site"
    assert clock.today() == timezone.localdate()


def test_admin_moves_a_training_site_forward(db, staff, settings, client):
    settings.TRAINING_SITE = True
    admin = staff("admin")
    real = timezone.localdate()
    assert training_clock_advance(actor=admin, days=7) == 7
    assert training_clock_advance(actor=admin, days=1) == 8
    assert clock.today() == real + timedelta(days=8)
    assert clock.now() - timezone.now() > timedelta(days=7, hours=23)
    # Every page carries the banner with the platform's date.
    client.force_login(staff("window_clerk"))
    page = client.get("/").content.decode()
    assert "培训站点" in page and f"{real + timedelta(days=8):%Y-%m-%d}" in page


def test_only_an_admin_and_only_forward(db, staff, settings):
    settings.TRAINING_SITE = True
    with pytest.raises(PermissionDenied):
        training_clock_advance(actor=staff("approver"), days=7)
    admin = staff("admin")
    for bad in (0, -3, 61):
        with pytest.raises(ValidationFailed) as exc:
            training_clock_advance(actor=admin, days=bad)
        assert exc.value.field == "days"
    assert clock.offset_days() == 0


def test_the_admin_page_moves_the_date_and_others_are_refused(db, staff, settings, client):
    settings.TRAINING_SITE = True
    client.force_login(staff("approver"))
    assert client.get("/training-clock/").status_code == 403
    client.force_login(staff("admin"))
    page = client.post("/training-clock/", {"days": "7"}, follow=True).content.decode()
    assert f"{timezone.localdate() + timedelta(days=7):%Y-%m-%d}" in page
    refused = client.post("/training-clock/", {"days": "500"}, follow=True).content.decode()
    assert 'class="error"' in refused and "每次向后拨动 1 至 60 天" in refused
    assert clock.offset_days() == 7


def test_the_demo_dates_past_events_on_the_day_it_names(db):
    from datetime import date

    with clock.on(date(2025, 12, 9)):
        assert clock.today() == date(2025, 12, 9)
        assert clock.now().date() == date(2025, 12, 9)  # 09:30 in Asia/Shanghai is 01:30 UTC
    assert clock.today() != date(2025, 12, 9)
