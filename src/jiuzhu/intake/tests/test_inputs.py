"""Every text a person gives a referral (notes, supplement list, transfer reason, refusal
reasons, basis and alternatives, the charity's name) and the public tracking form goes through
``common.values``: an over-long or control-character value is refused with its field and a
stable code (API: 400; screen: the Chinese reason) and nothing is written."""

import json

import pytest
from django.test import Client

from jiuzhu.common import values
from jiuzhu.intake import handling, services
from jiuzhu.intake.models import CaseEvent, Referral, TrackingAttempt
from jiuzhu.intake.testing import two_services

from .test_referrals import D0

ACTIONS = {"supplement": "supplement-request"}
LONG = "理" * (values.NOTE_MAX + 1)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _refused(resp, field, code):
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert (body["field"], body["code"]) == (field, code) and body["message"]


@pytest.fixture
def accepted(clerk, application, policy, officer):
    a, _ = two_services(policy)
    r = services.refer(actor=clerk, application=application, service_codes=[a.code], today=D0)[0]
    who = officer(r.unit.code)
    handling.referral_accept(actor=who, referral=r)
    r.refresh_from_db()
    return r, who


def _state(r):
    r.refresh_from_db()
    return (
        r.state,
        r.missing_material,
        r.transfer_reason,
        r.reasons,
        r.basis,
        r.alternatives,
        r.charity_name,
    )


@pytest.mark.parametrize(
    "action, body, field, code",
    [
        ("supplement", {"missing": "身份证\x00复印件"}, "missing", "control_characters"),
        ("transfer", {"to_unit": "civil_affairs", "reason": LONG}, "reason", "too_long"),
        (
            "refuse",
            {"reasons": "收入超标", "basis": "办法\x1b第十条", "alternatives": "临时救助"},
            "basis",
            "control_characters",
        ),
        (
            "refuse",
            {"reasons": LONG, "basis": "办法第十条", "alternatives": "临时救助"},
            "reasons",
            "too_long",
        ),
        ("charity", {"charity_name": "慈" * 101}, "charity_name", "too_long"),
        ("charity", {"charity_name": "红十字会", "note": "转\x00介"}, "note", "control_characters"),
    ],
)
def test_referral_answers_through_the_api_refuse_bad_text_and_change_nothing(
    accepted, action, body, field, code
):
    r, who = accepted
    before, events = _state(r), CaseEvent.objects.count()
    resp = _client(who).post(
        f"/api/intake/referrals/{r.pk}/{ACTIONS.get(action, action)}",
        json.dumps(body),
        content_type="application/json",
    )
    _refused(resp, field, code)
    assert _state(r) == before and CaseEvent.objects.count() == events
    assert Referral.objects.count() == 1


def test_referral_answers_on_the_screen_show_the_reason_and_change_nothing(accepted):
    r, who = accepted
    web, before = _client(who), _state(r)
    page = web.post(
        f"/intake/r/{r.pk}/refuse/",
        {"reasons": LONG, "basis": "办法第十条", "alternatives": "临时救助", "version": r.version},
        follow=True,
    ).content.decode()
    assert f"不予救助理由不能超过 {values.NOTE_MAX} 个字" in page
    page = web.post(
        f"/intake/r/{r.pk}/transfer/",
        {"to_unit": "civil_affairs", "reason": "属民政\x00职责", "version": r.version},
        follow=True,
    ).content.decode()
    assert "转办理由含有不可见的控制字符" in page
    assert _state(r) == before and Referral.objects.count() == 1


def test_a_referral_note_over_the_bound_refers_nothing(clerk, application, policy):
    a, b = two_services(policy)
    resp = _client(clerk).post(
        f"/api/intake/applications/{application.tracking_code}/referrals",
        json.dumps({"services": [a.code, b.code], "note": LONG}),
        content_type="application/json",
    )
    _refused(resp, "note", "too_long")
    assert not Referral.objects.exists()


def test_the_public_tracking_form_refuses_an_over_long_code_and_counts_no_attempt(client, db):
    resp = client.post(
        "/api/intake/track",
        json.dumps({"code": "A" * 21, "id_tail": "001X"}),
        content_type="application/json",
    )
    _refused(resp, "code", "too_long")
    assert not TrackingAttempt.objects.exists()
