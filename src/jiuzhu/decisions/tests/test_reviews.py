"""Periodic review: due tasks from the cycle and from a death, re-evaluated on fresh data;
the caseworker confirms, the approver signs; a stop comes only with its letter."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.decisions import letters, reviews
from jiuzhu.decisions.entitlements import amount_owed, entitlement_grant
from jiuzhu.decisions.models import Entitlement, Letter, Review
from jiuzhu.registry.services import income_add

DUE = date(2026, 9, 1)


@pytest.fixture
def receiving(poor_household, approver, policy):
    members = list(poor_household.members.order_by("id"))
    return entitlement_grant(
        household=poor_household,
        payee=members[0],
        members=members,
        service_code="dibao",
        amount="2850",
        start_month=date(2026, 4, 1),
        next_review_on=DUE,
        actor=approver,
        policy=policy,
        origin="审核确认",
    )


def test_review_that_stops_comes_with_a_letter(receiving, poor_household, caseworker, approver):
    head = poor_household.members.get(relation="head")
    income_add(
        actor=None,
        person=head,
        kind="wages",
        monthly_amount="6000",
        period_start=date(2025, 9, 1),
        period_end=date(2026, 8, 31),
    )
    assert reviews.reviews_generate(on=date(2026, 8, 31)).cycle == 0  # not due yet
    out = StringIO()
    call_command("review", "--date", "2026-09-02", "--quiet", stdout=out)
    assert "生成复核任务 1 件" in out.getvalue()
    call_command("review", "--date", "2026-09-03", "--quiet", stdout=StringIO())
    r = Review.objects.get()  # a second run adds nothing
    assert r.reason == Review.CYCLE and r.proposal == Review.STOP and r.due_on == DUE
    with pytest.raises(IllegalTransition) as exc:
        reviews.review_sign(actor=approver, review=r, today=date(2026, 9, 10))
    assert exc.value.code == "wrong_state"  # the caseworker confirms first
    reviews.review_confirm(actor=caseworker, review=r, today=date(2026, 9, 8))
    reviews.review_sign(actor=approver, review=r, today=date(2026, 9, 10))
    ent = Entitlement.objects.get(pk=receiving.pk)
    assert ent.status == Entitlement.ENDED and ent.end_month == date(2026, 9, 1)
    assert amount_owed(payee=head, service_code="dibao", month=date(2026, 9, 1)) == Decimal("2850.00")
    assert amount_owed(payee=head, service_code="dibao", month=date(2026, 10, 1)) == Decimal("0.00")
    letter = Letter.objects.get(review=r)
    assert letter.kind == "review_stop" and letter.number in ent.ended_reason
    body = "\n".join(letters.lines_of(letter))
    assert "停止" in body and "950" in body and "60日内" in body and "6个月内" in body
    assert any(a["kind"] == "charity" for a in letter.content["alternatives"])
    assert letters.pdf(letter).startswith(b"%PDF")


def test_stop_without_figures_is_not_made(receiving, caseworker, approver):
    reviews.reviews_generate(on=DUE)
    r = Review.objects.get()
    assert r.proposal == Review.CONTINUE  # nothing changed: the amount stays
    with pytest.raises(ValidationFailed) as exc:
        reviews.review_confirm(actor=caseworker, review=r, outcome=Review.STOP, today=DUE)
    assert exc.value.code == "reason_required"
    reviews.review_confirm(actor=caseworker, review=r, outcome=Review.STOP, note="群众反映有收入", today=DUE)
    with pytest.raises(ValidationFailed) as exc:
        reviews.review_sign(actor=approver, review=r, today=DUE)
    assert exc.value.code == "refusal_figures_required"
    assert Entitlement.objects.get(pk=receiving.pk).status == Entitlement.ACTIVE
    assert not Letter.objects.exists() and Review.objects.get().state == Review.CONFIRMED


def test_continue_keeps_the_amount_and_moves_the_next_review(receiving, caseworker, approver):
    reviews.reviews_generate(on=DUE)
    r = Review.objects.get()
    reviews.review_confirm(actor=caseworker, review=r, today=DUE)
    reviews.review_sign(actor=approver, review=r, today=date(2026, 9, 3))
    ent = Entitlement.objects.get(pk=receiving.pk)
    assert ent.status == Entitlement.ACTIVE and ent.amount == Decimal("2850.00")
    assert ent.next_review_on > DUE and Letter.objects.get(review=r).kind == "review_continue"


def test_a_death_triggers_a_review_within_three_months_and_adjusts(
    receiving, poor_household, caseworker, approver
):
    spouse = poor_household.members.get(relation="spouse")
    spouse.deceased_on = date(2026, 5, 10)
    spouse.save()
    res = reviews.reviews_generate(on=date(2026, 5, 20))
    assert (res.death, res.cycle) == (1, 0)
    r = Review.objects.get()
    assert r.reason == Review.DEATH and r.due_on == date(2026, 8, 10)
    assert r.proposal == Review.ADJUST and r.proposed_amount == Decimal("1900.00")  # 2 × ¥950
    reviews.review_confirm(actor=caseworker, review=r, today=date(2026, 5, 21))
    r = reviews.review_sign(actor=approver, review=r, today=date(2026, 5, 25))
    new = r.result_entitlement
    assert (
        new.amount == Decimal("1900.00")
        and new.start_month == date(2026, 6, 1)
        and new.previous_id == receiving.pk
    )
    assert spouse not in new.members.all() and new.members.count() == 2
    assert reviews.reviews_generate(on=date(2026, 5, 26)).death == 0  # reviewed once


def test_income_from_work_between_the_standard_and_one_and_a_half_exits_gradually(
    receiving, poor_household, caseworker, approver
):
    head = poor_household.members.get(relation="head")
    head.employment_status = "employed"
    head.save()
    # ¥3,500 wages − ¥300 employment cost = ¥3,200; ¥1,066.67 a head: ≥ ¥950, < 1.5 × ¥950
    income_add(
        actor=None,
        person=head,
        kind="wages",
        monthly_amount="3500",
        period_start=date(2025, 9, 1),
        period_end=date(2026, 8, 31),
    )
    reviews.reviews_generate(on=DUE)
    r = Review.objects.get()
    assert r.proposal == Review.GRADUAL_EXIT and r.proposed_amount == Decimal("2850.00")
    reviews.review_confirm(actor=caseworker, review=r, today=DUE)
    r = reviews.review_sign(actor=approver, review=r, today=date(2026, 9, 4))
    new = r.result_entitlement
    assert new.status == Entitlement.GRADUAL_EXIT and new.amount == Decimal("2850.00")
    assert (new.start_month, new.end_month) == (date(2026, 10, 1), date(2027, 3, 1))  # 6 months, then stops
    assert amount_owed(payee=new.payee, service_code="dibao", month=date(2027, 4, 1)) == Decimal("0.00")
    assert Letter.objects.get(review=r).kind == "review_gradual_exit"
    assert reviews.reviews_generate(on=date(2026, 12, 1)).cycle == 0  # no cycle review while exiting


def test_ending_extreme_poverty_support_goes_through_a_notice(make_household, approver, caseworker, policy):
    hh = make_household(
        members=[{"name": "孤寡老人", "birth": date(1945, 2, 2), "has_capable_supporter": False}]
    )
    person = hh.members.get()
    ent = entitlement_grant(
        household=hh,
        payee=person,
        service_code="tekun_dispersed",
        amount="1335",
        start_month=date(2026, 4, 1),
        next_review_on=DUE,
        actor=approver,
        policy=policy,
    )
    income_add(
        actor=None,
        person=person,
        kind="property",
        monthly_amount="5000",
        period_start=date(2025, 9, 1),
        period_end=date(2026, 8, 31),
    )
    reviews.reviews_generate(on=DUE)
    r = Review.objects.get()
    assert r.proposal == Review.STOP
    reviews.review_confirm(actor=caseworker, review=r, today=DUE)
    notice = r.notices.get()
    assert (
        notice.kind == "termination" and notice.shown_name == "孤**人" and notice.ends_on == date(2026, 9, 8)
    )
    with pytest.raises(IllegalTransition) as exc:
        reviews.review_sign(actor=approver, review=r, today=date(2026, 9, 8))
    assert exc.value.code == "notice_running"
    reviews.review_sign(actor=approver, review=r, today=date(2026, 9, 9))
    assert Entitlement.objects.get(pk=ent.pk).end_month == date(2026, 9, 1)
    assert Letter.objects.get(review=r).kind == "review_stop"


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"outcome": "adjust", "amount": "1e30", "note": "收入变化"}, "amount", "amount_out_of_range"),
        ({"outcome": "adjust", "amount": "十元", "note": "收入变化"}, "amount", "invalid_amount"),
        ({"outcome": "adjust", "amount": "12.345", "note": "收入变化"}, "amount", "invalid_amount"),
        ({"outcome": "stop", "note": "群众反映\x00有收入"}, "note", "control_characters"),
        ({"outcome": "stop", "note": "收" * 2001}, "note", "too_long"),
    ],
)
def test_confirm_api_refuses_a_bad_amount_or_reason_and_changes_nothing(
    receiving, caseworker, body, field, code
):
    from django.test import Client

    reviews.reviews_generate(on=DUE)
    r = Review.objects.get()
    c = Client()
    c.force_login(caseworker)
    resp = c.post(f"/api/decisions/reviews/{r.pk}/confirm", body, content_type="application/json")
    assert resp.status_code == 400, resp.content
    assert resp.json()["field"] == field and resp.json()["code"] == code and resp.json()["message"]
    r.refresh_from_db()
    assert r.state == Review.PROPOSED and r.amount is None and r.note == ""
