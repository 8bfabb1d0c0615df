"""Temporary aid's cause is chosen from one list at the window and the referral (form and
API) and stored as a code with the clerk's own words beside it; aid first and the granted
entitlement carry both, so "the same cause" is the code however it was worded."""

import pytest
from django.test import Client

from jiuzhu.decisions.models import Entitlement
from jiuzhu.intake.models import Application, Cause, Referral

URL = "/api/intake"


@pytest.fixture
def login(staff):
    def make(role, unit=None):
        c = Client()
        c.force_login(staff(role, unit))
        return c

    return make


def _post(c, path, data):
    return c.post(f"{URL}{path}", data, content_type="application/json")


def test_the_window_records_a_cause_from_the_list_with_words_beside_it(login, household, policy):
    clerk = login("window_clerk", "town_chengdong")
    r = _post(
        clerk,
        "/applications",
        {
            "household": household.code,
            "needs": ["emergency"],
            "emergency_cause": "fire",
            "emergency_cause_note": "家中失火",
            "emergency_need": "1500",
        },
    )
    assert r.status_code == 201, r.content
    app = clerk.get(f"{URL}/applications/{r.json()['tracking_code']}").json()
    assert (app["emergency_cause"], app["emergency_cause_display"], app["emergency_cause_note"]) == (
        "fire",
        "火灾",
        "家中失火",
    )
    # aid first carries the cause's code and the window's words into the entitlement screening reads
    case = login("town_caseworker", "town_chengdong")
    r = _post(case, f"/applications/{app['tracking_code']}/emergency-aid", {"amount": "1000"})
    assert r.status_code == 201, r.content
    assert r.json()["cause"] == "fire" and r.json()["cause_display"] == "火灾"
    ent = Entitlement.objects.get(household=household, category="temporary")
    assert (ent.cause, ent.cause_note) == ("fire", "家中失火")


def test_a_cause_outside_the_list_or_words_too_long_are_refused(login, household, policy):
    clerk = login("window_clerk", "town_chengdong")
    r = _post(
        clerk,
        "/applications",
        {"household": household.code, "needs": ["emergency"], "emergency_cause": "火灾"},
    )
    assert r.status_code == 400 and (r.json()["field"], r.json()["code"]) == (
        "emergency_cause",
        "invalid_choice",
    )
    r = _post(
        clerk,
        "/applications",
        {
            "household": household.code,
            "needs": ["emergency"],
            "emergency_cause": "fire",
            "emergency_cause_note": "失" * 201,
        },
    )
    assert r.status_code == 400 and (r.json()["field"], r.json()["code"]) == (
        "emergency_cause_note",
        "too_long",
    )
    assert not Application.objects.filter(household=household).exists()


def test_the_referral_keeps_the_cause_and_its_words(login, household, policy):
    clerk = login("window_clerk", "town_chengdong")
    code = _post(clerk, "/applications", {"household": household.code, "needs": ["emergency"]}).json()[
        "tracking_code"
    ]
    r = _post(
        clerk,
        f"/applications/{code}/referrals",
        {"services": ["temporary_emergency"], "cause": "illness", "cause_note": "突发脑溢血住院"},
    )
    assert r.status_code == 201, r.content
    (out,) = r.json()
    assert (out["cause"], out["cause_display"], out["cause_note"]) == (
        "illness",
        "突发重大疾病",
        "突发脑溢血住院",
    )
    ref = Referral.objects.get(pk=out["id"])
    assert (ref.cause, ref.cause_note) == ("illness", "突发脑溢血住院")
    r = _post(
        clerk, f"/applications/{code}/referrals", {"services": ["temporary_emergency"], "cause": "失火"}
    )
    assert r.status_code == 400 and (r.json()["field"], r.json()["code"]) == ("cause", "invalid_choice")


def test_the_list_is_declared_once_with_chinese_labels():
    assert Cause.FIRE.label == "火灾" and "other" in Cause.values
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in label) for label in Cause.labels)
    assert Application._meta.get_field("emergency_cause").choices == Cause.choices
    assert Referral._meta.get_field("cause").choices == Cause.choices
