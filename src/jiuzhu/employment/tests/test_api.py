"""Employment over the API as a client of the human-resources bureau uses it: register a dibao
member by ID number, record three offers he refuses without good reason (the third answer carries
the duty letter's number and the registration shows it), a public-welfare post for the
zero-employment household, its acceptance and the monthly post subsidy. Another bureau's officer
is refused (403 out_of_scope), and a bad wage or date is refused with its field and nothing
written."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.common.models import AccessLog
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.employment.models import DutyLetter, Offer, Registration, Subsidy

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(staff, make_household, policy):
    home = make_household(
        members=[
            {"name": "张志强", "birth": date(1986, 3, 2), "relation": "head", "labour_capacity": "full"},
            {"name": "李秀英", "birth": date(1978, 6, 9), "relation": "spouse", "gender": "F"},
        ]
    )
    members = list(home.members.order_by("id"))
    entitlement_grant(
        household=home,
        payee=members[0],
        members=members,
        service_code="dibao",
        amount="2850",
        start_month=date(2026, 4, 1),
        next_review_on=date(2027, 4, 1),
        actor=staff("approver"),
        policy=policy,
        origin="审核确认",
    )
    c = Client()
    c.force_login(staff("department_officer", "hrss"))
    return {"home": home, "head": members[0], "client": c}


def _post(c, url, body):
    return c.post(url, body, content_type="application/json")


def _offer(c, reg, day, kind="job"):
    r = _post(
        c,
        f"/api/employment/registrations/{reg}/offers",
        {
            "kind": kind,
            "employer": "示范市物业公司",
            "position": "保安",
            "monthly_wage": "2300",
            "offered_on": day,
        },
    )
    assert r.status_code == 201, r.content
    return r.json()


def test_refusals_bring_the_duty_letter_then_a_public_post_and_its_subsidy(world):
    c = world["client"]
    r = _post(
        c,
        "/api/employment/registrations",
        {"id_number": world["head"].id_number, "registered_on": "2026-05-04"},
    )
    assert r.status_code == 201, r.content
    reg = r.json()
    assert reg["name"] == "张志强"  # the officer sees the name, not the ID number (masking table)
    assert reg["id_number"] != world["head"].id_number and "*" in reg["id_number"]
    for day in (6, 13, 20):
        offer = _offer(c, reg["id"], f"2026-05-{day:02d}")
        answer = _post(
            c,
            f"/api/employment/offers/{offer['id']}/answer",
            {"answer": "refused", "reason": "路远", "answered_on": f"2026-05-{day + 1:02d}"},
        )
        assert answer.status_code == 200, answer.content
    letter = DutyLetter.objects.get()
    assert answer.json()["duty_letter"] == letter.number
    detail = c.get(f"/api/employment/registrations/{reg['id']}").json()
    assert detail["refusals_in_a_row"] == 3
    assert [d["number"] for d in detail["duty_letters"]] == [letter.number]
    assert AccessLog.objects.filter(object_type="employment.registration", object_id=str(reg["id"])).exists()
    assert [row["id"] for row in c.get("/api/employment/registrations").json()] == [reg["id"]]

    due = c.get("/api/employment/public-posts/due").json()
    assert [d["registration"] for d in due] == [reg["id"]]
    post = _offer(c, reg["id"], "2026-06-01", kind="public_post")
    ok = _post(
        c, f"/api/employment/offers/{post['id']}/answer", {"answer": "accepted", "answered_on": "2026-06-02"}
    )
    assert ok.json()["answer_display"] == "接受"
    sub = _post(
        c, f"/api/employment/registrations/{reg['id']}/subsidies", {"kind": "post", "start_month": "2026-07"}
    )
    assert sub.status_code == 201, sub.content
    assert (sub.json()["amount"], sub.json()["paid_to"]) == ("600.00", "person")
    assert Subsidy.objects.get().entitlement.amount == Decimal("600.00")
    assert Registration.objects.get().ended_reason == "employed"


def test_another_bureau_and_the_window_are_refused(world, staff):
    c = world["client"]
    reg = _post(
        c,
        "/api/employment/registrations",
        {"id_number": world["head"].id_number, "registered_on": "2026-05-04"},
    ).json()
    other = Client()
    other.force_login(staff("department_officer", "education"))
    r = other.get(f"/api/employment/registrations/{reg['id']}")
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    r = _post(
        other,
        f"/api/employment/registrations/{reg['id']}/offers",
        {"employer": "某公司", "position": "岗位", "monthly_wage": "2000", "offered_on": "2026-05-06"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    assert other.get("/api/employment/registrations").json() == []
    clerk = Client()
    clerk.force_login(staff("window_clerk"))
    assert clerk.get("/api/employment/registrations").status_code == 403
    assert not Offer.objects.exists()
    assert clerk.get("/api/employment/registrations/999999").status_code == 404


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"monthly_wage": "-5"}, "monthly_wage", "negative_amount"),
        ({"monthly_wage": "1.234"}, "monthly_wage", "invalid_amount"),
        ({"offered_on": "2099-01-01"}, "offered_on", "date_in_future"),
        ({"employer": "公司\x00"}, "employer", "control_characters"),
        ({"position": "岗" * 101}, "position", "too_long"),
    ],
)
def test_a_bad_offer_is_refused_with_its_field_and_nothing_written(world, body, field, code):
    c = world["client"]
    reg = _post(
        c,
        "/api/employment/registrations",
        {"id_number": world["head"].id_number, "registered_on": "2026-05-04"},
    ).json()
    good = {
        "employer": "示范市物业公司",
        "position": "保安",
        "monthly_wage": "2300",
        "offered_on": "2026-05-06",
    }
    r = _post(c, f"/api/employment/registrations/{reg['id']}/offers", {**good, **body})
    assert r.status_code == 400, r.content
    assert (r.json()["field"], r.json()["code"]) == (field, code)
    assert not Offer.objects.exists()


def test_a_bad_id_number_registers_nobody(world):
    r = _post(
        world["client"], "/api/employment/registrations", {"id_number": "123", "registered_on": "2026-05-04"}
    )
    assert r.status_code == 400 and r.json()["field"] == "id_number"
    assert not Registration.objects.exists()
