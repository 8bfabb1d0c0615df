"""Referral handling: accept, supplement (clock stops and resumes), transfer chain, feedback,
illegal moves with their codes, events for every step."""

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.common.errors import Conflict, IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.decisions.testing import grant_signed
from jiuzhu.intake import handling, services
from jiuzhu.intake.models import Application, CaseEvent, Notification, Referral
from jiuzhu.intake.testing import two_services

D0 = date(2026, 9, 29)  # a Tuesday before the National Day holiday


@pytest.fixture
def referred(clerk, application, policy):
    a, b = two_services(policy)
    return services.refer(actor=clerk, application=application, service_codes=[a.code, b.code], today=D0)


def test_refer_creates_one_referral_per_service_due_in_working_days(referred, application):
    assert len(referred) == 2
    for r in referred:
        assert r.state == Referral.REFERRED and r.leg == 1 and r.chain_root_id == r.pk
        assert r.referred_on == D0
        assert r.proposal["reasons"]  # the pre-check the clerk saw is kept
    kinds = list(application.events.values_list("kind", flat=True))
    assert kinds == ["received", "referred", "referred"]
    assert Notification.objects.filter(kind="referred").count() == 2


def test_accept_then_grant_records_events_and_closes_chain(referred, officer, clerk, staff):
    r = referred[0]
    who = officer(r.unit.code)
    handling.referral_accept(actor=who, referral=r)
    signer = staff("approver", "civil_affairs")
    r = grant_signed(
        actor=who,
        approver=signer,
        referral=r,
        amount="500",
        start_month=date(2026, 11, 17),
        note="符合条件",
        today=D0,
    )
    assert (
        r.state == Referral.GRANTED and r.amount == Decimal("500.00") and r.start_month == date(2026, 11, 1)
    )
    ev = CaseEvent.objects.filter(referral=r).order_by("id")
    assert [e.kind for e in ev] == ["referred", "accepted", "grant_held", "granted"]
    held, last = list(ev)[-2:]
    assert held.actor == who and held.unit == who.unit and held.note == "符合条件"
    assert last.actor == signer and last.note == "符合条件" and last.at
    assert Notification.objects.filter(kind="feedback", unit=clerk.unit).exists()


def test_application_closes_when_every_chain_is_answered(referred, officer):
    for r in referred:
        who = officer(r.unit.code)
        handling.referral_accept(actor=who, referral=r)
        handling.referral_refuse(
            actor=who,
            referral=r,
            reasons="人均收入高于标准",
            basis="社会救助暂行办法第九条",
            alternatives="可申请慈善帮扶",
            today=D0,
        )
    app = Application.objects.get(pk=referred[0].application_id)
    assert app.status == Application.CLOSED
    assert app.events.filter(kind="closed").count() == 1


@pytest.mark.parametrize(
    "missing, code",
    [
        ({"basis": ""}, "refusal_basis_required"),
        ({"alternatives": ""}, "refusal_alternatives_required"),
        ({"reasons": " "}, "refusal_reasons_required"),
    ],
)
def test_refusal_without_reasons_basis_or_alternatives_is_refused(referred, officer, missing, code):
    r = referred[0]
    who = officer(r.unit.code)
    handling.referral_accept(actor=who, referral=r)
    args = {"reasons": "收入超标", "basis": "办法第九条", "alternatives": "慈善帮扶", **missing}
    with pytest.raises(ValidationFailed) as exc:
        handling.referral_refuse(actor=who, referral=r, **args)
    assert exc.value.code == code
    r.refresh_from_db()
    assert r.state == Referral.IN_PROGRESS


def test_illegal_moves_are_refused_with_stable_codes(referred, officer, staff):
    r = referred[0]
    who = officer(r.unit.code)
    # act for another unit
    other = officer("housing" if r.unit.code != "housing" else "education")
    with pytest.raises(PermissionDenied) as exc:
        handling.referral_accept(actor=other, referral=r)
    assert exc.value.code == "out_of_scope" and "不能代其他单位操作" in exc.value.message
    # a window clerk is no handler
    with pytest.raises(PermissionDenied):
        handling.referral_accept(actor=staff("window_clerk"), referral=r)
    # answer before taking it up
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_grant(actor=who, referral=r, amount="100", start_month=D0)
    assert exc.value.code == "cannot_grant"
    handling.referral_accept(actor=who, referral=r)
    # accept twice
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_accept(actor=who, referral=r)
    assert exc.value.code == "cannot_accept"
    # transfer to the same unit
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_transfer(actor=who, referral=r, to_unit=r.unit.code, reason="误转")
    assert exc.value.code == "transfer_to_same_unit"
    # stale version
    with pytest.raises(Conflict) as exc:
        handling.referral_grant(actor=who, referral=r, amount="100", start_month=D0, version=1)
    assert exc.value.code == "stale_version"
    handling.referral_charity(actor=who, referral=r, charity_name="市慈善总会", note="转介")
    # answer a closed referral
    with pytest.raises(IllegalTransition) as exc:
        handling.referral_grant(actor=who, referral=r, amount="100", start_month=D0)
    assert exc.value.code == "referral_closed" and "已经结束" in exc.value.message
    with pytest.raises(IllegalTransition):
        handling.referral_request_supplement(actor=who, referral=r, missing="身份证")


def test_transfer_keeps_the_chain_and_gives_a_fresh_limit(referred, officer, units):
    r = referred[0]
    who = officer(r.unit.code)
    to = "civil_affairs" if r.unit.code != "civil_affairs" else "education"
    later = date(2026, 10, 9)
    nxt = handling.referral_transfer(actor=who, referral=r, to_unit=to, reason="属民政职责", today=later)
    r.refresh_from_db()
    assert r.state == Referral.TRANSFERRED and r.closed_on == later and r.transfer_reason == "属民政职责"
    assert nxt.unit.code == to and nxt.leg == 2 and nxt.transferred_from == r and nxt.chain_root_id == r.pk
    assert nxt.referred_on == later and nxt.limit_days == r.limit_days and nxt.due_on > r.due_on
    # the receiving unit can transfer on; the chain grows
    third = handling.referral_transfer(
        actor=officer(to), referral=nxt, to_unit=r.unit.code, reason="退回：应由原单位办理", today=later
    )
    assert third.leg == 3 and third.chain_root_id == r.pk
    assert list(
        Referral.objects.filter(chain_root_id=r.pk).order_by("leg").values_list("leg", flat=True)
    ) == [1, 2, 3]
    ev = CaseEvent.objects.filter(kind="transferred").first()
    assert ev.data["from"] == r.unit.code and ev.data["to"] == to


def test_transfer_needs_a_reason(referred, officer):
    r = referred[0]
    with pytest.raises(ValidationFailed) as exc:
        handling.referral_transfer(actor=officer(r.unit.code), referral=r, to_unit="housing", reason="")
    assert exc.value.code == "required"


def test_supplement_stops_the_clock_and_shifts_the_due_date(referred, officer, clerk):
    r = referred[1]
    who = officer(r.unit.code)
    due = r.due_on
    # asked on Wednesday 2026-09-30; the material arrives Monday 2026-10-12
    handling.referral_request_supplement(
        actor=who, referral=r, missing="户口簿复印件；医疗费用票据", today=date(2026, 9, 30)
    )
    r.refresh_from_db()
    assert r.state == Referral.PAUSED and r.paused_since == date(2026, 9, 30)
    n = Notification.objects.get(kind="supplement_requested")
    assert n.unit == clerk.unit and "户口簿" in n.message
    # while it stands still it cannot be answered
    with pytest.raises(IllegalTransition):
        handling.referral_grant(actor=who, referral=r, amount="1", start_month=D0)
    # the window records the arrival (10-08, 10-09, 10-10 adjusted Saturday, 10-12: 4 working days)
    handling.referral_receive_supplement(actor=clerk, referral=r, note="已补交", today=date(2026, 10, 12))
    r.refresh_from_db()
    assert r.state == Referral.IN_PROGRESS and r.paused_days == 4 and r.paused_since is None
    from jiuzhu.common.selectors import deadline

    assert r.due_on == deadline(due, 4).due
    ev = CaseEvent.objects.get(kind="supplement_received")
    assert ev.data["paused_days"] == 4 and ev.actor == clerk


def test_another_window_cannot_record_material(referred, officer, staff):
    r = referred[1]
    handling.referral_request_supplement(actor=officer(r.unit.code), referral=r, missing="证明", today=D0)
    with pytest.raises(PermissionDenied):
        handling.referral_receive_supplement(
            actor=staff("window_clerk", "town_chengxi"), referral=r, today=D0
        )


def test_allowed_actions_follow_state_and_unit(referred, officer, clerk):
    r = referred[0]
    who = officer(r.unit.code)
    assert handling.allowed_actions(r, who) == ["accept", "request_supplement", "transfer"]
    assert handling.allowed_actions(r, clerk) == []
    handling.referral_accept(actor=who, referral=r)
    r.refresh_from_db()
    assert set(handling.allowed_actions(r, who)) == {
        "request_supplement",
        "transfer",
        "grant",
        "refuse",
        "charity",
    }
