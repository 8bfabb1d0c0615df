"""Every text, date and amount a person gives the decisions area goes through ``common.values``:
an over-long, control-character or impossible value is refused with its field and a stable code
(API: 400; screen: the Chinese reason on the page) and nothing is written."""

import json

import pytest
from django.test import Client

from jiuzhu.common import values
from jiuzhu.decisions import cases
from jiuzhu.decisions.models import Case, FraudDecision, GrantRequest, Investigation, Objection

from .conftest import D0
from .test_fraud import paid  # noqa: F401 (fixture)
from .test_grants import APRIL, _taken
from .test_views import on_notice  # noqa: F401 (fixture)
from .test_workflow import TWO

LONG = "情" * (values.NOTE_MAX + 1)


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def _refused(resp, field, code):
    assert resp.status_code == 400, resp.content
    body = resp.json()
    assert (body["field"], body["code"]) == (field, code) and body["message"]


@pytest.fixture
def open_case(refer_to, poor_household, caseworker):
    return cases.case_open(actor=caseworker, referral=refer_to(poor_household, "dibao"), today=D0)


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"findings": LONG}, "findings", "too_long"),
        ({"findings": "家中\x00无收入"}, "findings", "control_characters"),
        ({"done_on": "2099-01-01"}, "done_on", "date_in_future"),
        ({"staff_names": ["张干事", "李" * 51]}, "staff_names", "too_long"),
    ],
)
def test_investigation_api_refuses_and_records_nothing(open_case, caseworker, change, field, code):
    body = {
        "kind": "home_visit",
        "done_on": D0.isoformat(),
        "staff_names": TWO,
        "findings": "家中无收入",
        **change,
    }
    resp = _post_json(_client(caseworker), f"/api/decisions/cases/{open_case.pk}/investigations", body)
    _refused(resp, field, code)
    assert not Investigation.objects.exists()


def test_investigation_form_refuses_a_2099_visit_and_an_over_long_finding(open_case, caseworker):
    web = _client(caseworker)
    url = f"/decisions/c/{open_case.pk}/investigate/"
    form = {
        "kind": "home_visit",
        "done_on": "2099-01-01",
        "staff_names": "张干事，李干事",
        "findings": "家中无收入",
    }
    page = web.post(url, form, follow=True).content.decode()
    assert "晚于今天" in page
    page = web.post(url, {**form, "done_on": D0.isoformat(), "findings": LONG}, follow=True).content.decode()
    assert f"调查情况不能超过 {values.NOTE_MAX} 个字" in page
    assert not Investigation.objects.exists()
    web.post(url, {**form, "done_on": D0.isoformat()})
    assert Investigation.objects.get().staff_names == TWO


def test_a_refusal_with_control_characters_in_its_reasons_is_not_issued(open_case, caseworker, approver):
    from .test_workflow import investigate

    investigate(open_case, caseworker)
    Case.objects.filter(pk=open_case.pk).update(state=Case.DECISION)
    resp = _post_json(
        _client(approver), f"/api/decisions/cases/{open_case.pk}/refuse", {"reasons": "收入\x1b超标"}
    )
    _refused(resp, "reasons", "control_characters")
    assert Case.objects.get(pk=open_case.pk).state == Case.DECISION


@pytest.fixture
def joint(refer_to, staff, poor_household):
    from jiuzhu.intake import handling

    r, officer = _taken(refer_to, staff, poor_household, "temporary_emergency")
    r = handling.referral_grant(
        actor=officer, referral=r, amount="11400", start_month=APRIL, note="房屋烧毁，全家无处安身", today=D0
    )
    return r.held_grant


MEMBERS = ["张局长（民政局）", "李主任（财政局）", "王书记（城东街道）"]


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"joint_minutes": LONG}, "joint_minutes", "too_long"),
        ({"joint_minutes": "同意\x00按最高档"}, "joint_minutes", "control_characters"),
        ({"joint_met_on": "2099-01-01"}, "joint_met_on", "date_in_future"),
        ({"joint_members": [*MEMBERS, "成" * 101]}, "joint_members", "too_long"),
        ({"note": LONG}, "note", "too_long"),
    ],
)
def test_the_second_signature_api_refuses_bad_minutes_and_signs_nothing(joint, approver, change, field, code):
    body = {
        "joint_met_on": D0.isoformat(),
        "joint_members": MEMBERS,
        "joint_minutes": "同意按最高档救助",
        **change,
    }
    _refused(_post_json(_client(approver), f"/api/decisions/grants/{joint.pk}/sign", body), field, code)
    joint.refresh_from_db()
    assert joint.state == GrantRequest.PENDING and joint.entitlement is None and joint.joint_minutes == ""


def test_the_second_signature_form_refuses_over_long_minutes(joint, approver):
    web = _client(approver)
    form = {"joint_met_on": D0.isoformat(), "joint_members": "，".join(MEMBERS), "joint_minutes": LONG}
    page = web.post(f"/decisions/grants/{joint.pk}/sign/", form, follow=True).content.decode()
    assert f"会议纪要不能超过 {values.NOTE_MAX} 个字" in page
    joint.refresh_from_db()
    assert joint.state == GrantRequest.PENDING and joint.joint_minutes == ""
    page = web.post(
        f"/decisions/grants/{joint.pk}/return/", {"note": "退回\x07重核"}, follow=True
    ).content.decode()
    assert "控制字符" in page
    joint.refresh_from_db()
    assert joint.state == GrantRequest.PENDING


@pytest.mark.parametrize(
    "facts, code", [("隐瞒\x00收入", "control_characters"), ("隐" * (values.NOTE_MAX + 1), "too_long")]
)
def test_fraud_facts_are_checked_before_anything_stops(paid, facts, code):  # noqa: F811
    ent, approver = paid
    resp = _post_json(
        _client(approver),
        f"/api/decisions/entitlements/{ent.pk}/fraud",
        {"from_month": "2026-04-01", "facts": facts, "fine_multiple": "1"},
    )
    _refused(resp, "facts", code)
    assert not FraudDecision.objects.exists()
    ent.refresh_from_db()
    assert ent.end_month is None


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"contact_phone": "abc<script>"}, "contact_phone", "invalid_phone"),
        ({"contact_name": "居\x00民"}, "contact_name", "control_characters"),
        ({"contact_name": "居" * 51}, "contact_name", "too_long"),
        ({"text": "该户有车辆\x00未申报"}, "text", "control_characters"),
    ],
)
def test_public_objection_api_refuses_bad_contact_details(on_notice, change, field, code):  # noqa: F811
    n = on_notice.notices.get()
    body = {"text": "该户有车辆未申报", **change}
    _refused(_post_json(Client(), f"/api/decisions/notices/{n.pk}/objections", body), field, code)
    assert not Objection.objects.exists()


def test_public_objection_form_refuses_a_bad_phone(on_notice):  # noqa: F811
    n = on_notice.notices.get()
    url = f"/decisions/notices/{n.pk}/objection/"
    resp = Client().post(url, {"text": "该户有车辆未申报", "contact_phone": "abc<script>"})
    assert resp.status_code == 400 and "联系电话只能含数字" in resp.content.decode()
    assert not Objection.objects.exists()
    assert (
        Client().post(url, {"text": "该户有车辆未申报", "contact_phone": "138 0013 8000"}).status_code == 200
    )
    assert Objection.objects.get().contact_phone == "138 0013 8000"
