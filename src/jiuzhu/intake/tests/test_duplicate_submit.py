"""A second submit of the same request — sequential, simultaneous, or a retried API call with
an Idempotency-Key — makes one application."""

import json
from datetime import date

import pytest
from django.test import Client

from jiuzhu.common.models import IdempotentResponse
from jiuzhu.common.testing import race
from jiuzhu.intake import services
from jiuzhu.intake.models import Application

URL = "/api/intake/applications"


def test_second_submit_returns_the_open_application(clerk, household):
    first = services.application_create(actor=clerk, household=household, needs=["living", "medical"])
    again = services.application_create(actor=clerk, household=household, needs=["medical", "living"])
    assert again.pk == first.pk and again.reused
    other = services.application_create(actor=clerk, household=household, needs=["education"])
    assert other.pk != first.pk  # other needs: a new application
    Application.objects.filter(pk=first.pk).update(status=Application.CLOSED)
    later = services.application_create(actor=clerk, household=household, needs=["living", "medical"])
    assert later.pk != first.pk  # the first is closed: a new request is a new application
    assert Application.objects.filter(household=household).count() == 3


def test_api_duplicate_answers_200_with_the_open_one(clerk, household):
    client = Client()
    client.force_login(clerk)
    body = {"household": household.code, "needs": ["living"]}
    r1 = client.post(URL, body, content_type="application/json")
    r2 = client.post(URL, body, content_type="application/json")
    assert r1.status_code == 201 and r2.status_code == 200
    assert r1.json()["tracking_code"] == r2.json()["tracking_code"]


@pytest.mark.django_db(transaction=True)
def test_three_identical_submits_at_once_make_one_application(staff, make_household):
    clerk = staff("window_clerk", "town_chengdong")
    household = make_household(members=[{"name": "孙八", "birth": date(1962, 3, 3)}])
    results = race(
        [lambda: services.application_create(actor=clerk, household=household, needs=["living"]).pk] * 3
    )
    # every submit gets the one application (PostgreSQL: they wait for each other) or, where the
    # database cannot wait (SQLite's shared-cache test database), a clean "busy" refusal
    assert all(k == "ok" or (k == "error" and v.code == "busy") for k, v in results), results
    assert len({v for k, v in results if k == "ok"}) == 1
    assert Application.objects.filter(household=household).count() == 1


def test_idempotency_key_replays_the_first_answer(clerk, household):
    client = Client()
    client.force_login(clerk)
    body = {"household": household.code, "needs": ["medical"]}
    headers = {"HTTP_IDEMPOTENCY_KEY": "k-2026-0001"}
    r1 = client.post(URL, body, content_type="application/json", **headers)
    assert r1.status_code == 201
    Application.objects.filter(tracking_code=r1.json()["tracking_code"]).update(status=Application.CLOSED)
    # the retry is answered from the record: no second application even though the first closed
    r2 = client.post(URL, body, content_type="application/json", **headers)
    assert r2.status_code == 201 and r2.json() == r1.json() and r2["Idempotent-Replayed"] == "true"
    assert Application.objects.filter(household=household).count() == 1
    # the same key for another request is refused, and changes nothing
    r3 = client.post(URL, {**body, "needs": ["education"]}, content_type="application/json", **headers)
    assert r3.status_code == 422 and r3.json()["code"] == "idempotency_key_reused"
    assert Application.objects.filter(household=household).count() == 1
    # keys belong to one user: another clerk's same key is a new request
    other = Client()
    other.force_login(type(clerk).objects.create(username="clerk-2", role=clerk.role, unit=clerk.unit))
    r4 = other.post(URL, json.dumps(body), content_type="application/json", **headers)
    assert r4.status_code == 201 and "Idempotent-Replayed" not in r4
    assert IdempotentResponse.objects.count() == 2


def test_window_screen_says_it_was_not_received_twice(clerk, household):
    client = Client()
    client.force_login(clerk)
    form = {"needs": ["living"], "requester_kind": "self", "promise_signed": "on"}
    r1 = client.post(f"/intake/new/{household.code}/", form)
    r2 = client.post(f"/intake/new/{household.code}/", form, follow=True)
    assert r1.status_code == 302 and r2.redirect_chain[-1][0] == r1["Location"]
    assert "未重复受理" in r2.content.decode()
    assert Application.objects.filter(household=household).count() == 1
