"""The JSON API and bad input: each refusal is specific and changes nothing."""

import dataclasses
from datetime import date

import pytest

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.payments import bankfiles, services
from jiuzhu.payments.models import BankAccount, Budget, PaymentRoll


def test_api_generate_review_approve_and_overrun(client, grant, actors):
    grant("秦一", "950")
    client.force_login(actors["approver"])
    r = client.post("/api/payments/rolls/generate", {"month": "2026-03-01"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["regular"] == 1
    rolls = client.get("/api/payments/rolls?month=2026-03-01").json()
    assert rolls[0]["unit"] == "civil_affairs" and rolls[0]["total"] == "950.00"
    pk = rolls[0]["id"]
    Budget.objects.filter(service_code="dibao").update(amount=100)
    assert (
        client.post(f"/api/payments/rolls/{pk}/approve", {}, content_type="application/json").json()["code"]
        == "not_reviewed"
    )
    client.post(f"/api/payments/rolls/{pk}/review")
    r = client.post(f"/api/payments/rolls/{pk}/approve", {}, content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "budget_overrun"
    r = client.post(
        f"/api/payments/rolls/{pk}/approve",
        {"confirm_overrun": True, "note": "已报追加"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "approved"
    pub = client.get("/api/payments/public?year=2026").json()
    assert pub["split"]["total"]["paid"] == "0.00"


def test_bad_input_is_refused_and_changes_nothing(grant, actors, staff, policy):
    ent = grant("楚二", "950", account=False)
    with pytest.raises(ValidationFailed) as e:
        services.bank_account_set(
            actor=actors["caseworker"], person=ent.payee, number="12ab", bank_name="农行"
        )
    assert e.value.code == "bad_account" and not BankAccount.objects.exists()
    with pytest.raises(PermissionDenied):
        services.bank_account_set(
            actor=staff("window_clerk"), person=ent.payee, number="6222000011112222", bank_name="农行"
        )
    with pytest.raises(ValidationFailed) as e:
        services.budget_set(
            actor=actors["approver"], year=2026, unit="civil_affairs", service_code="dibao", amount="-5"
        )
    assert e.value.code == "negative_amount"
    assert Budget.objects.get(year=2026, service_code="dibao").amount == 28_600_000
    bad = dataclasses.replace(policy, extra={"budgets": {2027: {"civil_affairs": {"no_such_service": "1"}}}})
    with pytest.raises(ValidationFailed) as e:
        services.budgets_sync(policy=bad)
    assert e.value.code == "unknown_service" and not Budget.objects.filter(year=2027).exists()

    # a department prepares its own services' rolls only
    grant("魏三", "1000", service="edu_compulsory")
    counts = services.rolls_generate(month=date(2026, 3, 1), actor=staff("department_officer", "education"))
    assert counts["rolls"] == 1 and PaymentRoll.objects.get().service_code == "edu_compulsory"
    with pytest.raises(PermissionDenied):
        services.rolls_generate(month=date(2026, 3, 1), actor=staff("department_officer", "police"))

    # no account: held out of the bank file, back in the next roll once the account exists
    services.rolls_generate(month=date(2026, 3, 1))
    roll = PaymentRoll.objects.get(month=date(2026, 3, 1), service_code="dibao")
    assert roll.lines.get().hold_reason == "no_account" and roll.total == 0
    with pytest.raises(PermissionDenied):
        services.roll_approve(actor=actors["caseworker"], roll=roll)
    services.roll_review(actor=actors["payments"], roll=roll)
    services.roll_approve(actor=actors["approver"], roll=roll, confirm_overrun=True, note="x")
    with pytest.raises(ValidationFailed) as e:
        bankfiles.roll_export(actor=actors["approver"], roll=roll, fmt="pdf")
    assert e.value.code == "bad_format"
    change = services.bank_account_set(
        actor=actors["caseworker"], person=ent.payee, number="6222 0000 1111 2222", bank_name="农行"
    )
    services.rolls_generate(month=date(2026, 4, 1))  # not confirmed yet: still held
    april = PaymentRoll.objects.get(month=date(2026, 4, 1), service_code="dibao")
    assert april.total == 0 and not BankAccount.objects.filter(person=ent.payee).exists()
    services.bank_account_confirm(actor=actors["colleague"], change=change)
    services.rolls_generate(month=date(2026, 4, 1))
    april = PaymentRoll.objects.get(month=date(2026, 4, 1), service_code="dibao")
    assert sorted(april.lines.values_list("kind", flat=True)) == ["regular", "retry"]
    assert april.total == 1900
