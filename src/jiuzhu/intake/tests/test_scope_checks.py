"""The window checks are rows of the scope table (issue 13): ``application.take`` (a town's own
window), ``emergency.grant`` (the receiving town's caseworker), ``referral.handle`` (the unit
the referral was sent to). Each refusal is a 403 with the table's stable code."""

from datetime import date

import pytest
from django.test import Client

from jiuzhu.intake import services
from jiuzhu.intake.models import EmergencyAid

from .test_api import URL, _post


@pytest.fixture
def login(staff):
    def make(role, unit=None):
        c = Client()
        c.user = staff(role, unit)
        c.force_login(c.user)
        return c

    return make


def test_another_towns_window_cannot_work_the_application(login, household):
    own = login("window_clerk", "town_chengdong")
    app = services.application_create(actor=own.user, household=household, needs=["living"])
    other = login("window_clerk", "town_chengxi").get(f"{URL}/applications/{app.tracking_code}/proposals")
    assert other.status_code == 403 and other.json()["code"] == "out_of_scope"
    officer = login("department_officer", "education").get(
        f"{URL}/applications/{app.tracking_code}/proposals"
    )
    assert officer.status_code == 403 and officer.json()["code"] == "role_not_allowed"
    mine = own.get(f"{URL}/applications/{app.tracking_code}/proposals")
    assert mine.status_code == 200 and mine.json()


def test_emergency_aid_and_its_file_only_at_the_receiving_towns_window(login, household):
    """``emergency.grant`` and ``emergency.complete``: the receiving town's clerk or caseworker."""
    clerk = login("window_clerk", "town_chengdong")
    app = services.application_create(
        actor=clerk.user, household=household, needs=["emergency"], today=date(2026, 9, 29)
    )
    url = f"/applications/{app.tracking_code}/emergency-aid"
    body = {"amount": "500", "cause": "fire"}
    officer = _post(login("department_officer", "education"), url, body)
    assert officer.status_code == 403 and officer.json()["code"] == "role_not_allowed"
    elsewhere = _post(login("town_caseworker", "town_chengxi"), url, body)
    assert elsewhere.status_code == 403 and elsewhere.json()["code"] == "out_of_scope"
    assert not EmergencyAid.objects.exists()
    paid = _post(login("town_caseworker", "town_chengdong"), url, body)
    assert paid.status_code == 201 and EmergencyAid.objects.get().amount == 500

    aid = EmergencyAid.objects.get()
    done = f"/emergency-aid/{aid.pk}/complete"
    other = _post(login("window_clerk", "town_chengxi"), done, {})
    assert other.status_code == 403 and other.json()["code"] == "out_of_scope"
    assert _post(clerk, done, {}).status_code == 200
    aid.refresh_from_db()
    assert aid.state == EmergencyAid.COMPLETED
