"""Who may touch the money path (DOMAIN §8, issue 13): bank accounts only by the payee's town or
the paying unit and only with a second person's confirmation; the account sent frozen on the
line; rolls prepared by civil affairs and the paying departments, never by a town caseworker."""

from datetime import date

import pytest

from jiuzhu.common.errors import PermissionDenied
from jiuzhu.payments import bankfiles, selectors, services
from jiuzhu.payments.models import BankAccount, BankAccountChange, PaymentLine, PaymentRoll
from jiuzhu.payments.selectors import chain_entries

MARCH = date(2026, 3, 1)


def _export(roll, actors):
    services.roll_review(actor=actors["payments"], roll=roll)
    services.roll_approve(actor=actors["approver"], roll=roll)
    bankfiles.roll_export(actor=actors["approver"], roll=roll)
    roll.refresh_from_db()


def test_another_towns_caseworker_cannot_change_a_payees_account(grant, actors, staff, client):
    ent = grant("孙东", "950")  # a payee of 城东
    before = ent.payee.bank_account.tail
    west = staff("town_caseworker", "town_chengxi")
    with pytest.raises(PermissionDenied) as exc:
        services.bank_account_set(actor=west, person=ent.payee, number="6222000099998888", bank_name="农行")
    assert exc.value.code == "out_of_scope"
    # the attack of the report: the screen's form posted by another town's caseworker
    client.force_login(west)
    client.post(f"/payments/account/{ent.payee_id}/", {"bank_name": "农行", "number": "6222000099998888"})
    r = client.post(
        f"/api/payments/accounts/{ent.payee_id}",
        {"number": "6222000099998888", "bank_name": "农行"},
        content_type="application/json",
    )
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    assert not BankAccountChange.objects.filter(person=ent.payee, state="pending").exists()
    assert ent.payee.bank_account.tail == before
    # a department pays only its own payees
    with pytest.raises(PermissionDenied) as exc:
        services.bank_account_set(
            actor=staff("department_officer", "education"),
            person=ent.payee,
            number="6222000099998888",
            bank_name="农行",
        )
    assert exc.value.code == "out_of_scope"
    pupil = grant("周学", "1000", service="edu_compulsory")
    officer = staff("department_officer", "education")
    change = services.bank_account_set(
        actor=officer, person=pupil.payee, number="6222000011112222", bank_name="农行"
    )
    assert change.state == BankAccountChange.PENDING


def test_another_towns_caseworker_neither_sees_nor_confirms_a_payees_account(grant, actors, staff):
    """The read and the second signature of a bank-account change are scoped like the change:
    another town's caseworker sees no account of the payee, no waiting change in his list, and
    cannot confirm it; the payee's own town's colleague sees and confirms it."""
    ent = grant("钱东", "950")
    change = services.bank_account_set(
        actor=actors["caseworker"], person=ent.payee, number="6217000000000000456", bank_name="建行"
    )
    west = staff("town_caseworker", "town_chengxi")
    assert selectors.household_accounts(actor=west, household=ent.household) is None
    assert selectors.account_changes(actor=west) == []
    with pytest.raises(PermissionDenied) as exc:
        services.bank_account_confirm(actor=west, change=change)
    assert exc.value.code == "out_of_scope"
    change.refresh_from_db()
    assert change.state == BankAccountChange.PENDING
    assert BankAccount.objects.get(person=ent.payee).tail != "0456"
    colleague = actors["colleague"]
    (row,) = selectors.household_accounts(actor=colleague, household=ent.household)
    assert row["pending"]["tail"] == "0456" and row["pending"]["may_confirm"]
    assert [c["id"] for c in selectors.account_changes(actor=colleague)] == [change.pk]
    services.bank_account_confirm(actor=colleague, change=change)
    assert BankAccount.objects.get(person=ent.payee).tail == "0456"


def test_a_change_waits_for_a_second_person_and_the_roll_pays_the_confirmed_account(grant, actors):
    ent = grant("吴中", "950")
    old = f"62220000{ent.payee_id:011d}"
    cw, colleague = actors["caseworker"], actors["colleague"]
    change = services.bank_account_set(
        actor=cw, person=ent.payee, number="6217000000000000123", bank_name="建行"
    )
    with pytest.raises(PermissionDenied) as exc:
        services.bank_account_confirm(actor=cw, change=change)
    assert exc.value.code == "second_person_required"
    # not confirmed: the roll still pays the old account
    services.rolls_generate(month=MARCH)
    roll = PaymentRoll.objects.get(month=MARCH, service_code="dibao")
    _export(roll, actors)
    assert PaymentLine.objects.get(roll=roll).sent_account_encrypted
    sent = bankfiles.roll_export(actor=actors["approver"], roll=roll)[1].decode("utf-8-sig")
    assert old in sent and "6217000000000000123" not in sent
    services.bank_account_confirm(actor=colleague, change=change)
    assert BankAccount.objects.get(person=ent.payee).tail == "0123"
    # the roll was exported with the old account: the file and the return still match it
    again = bankfiles.roll_export(actor=actors["approver"], roll=roll)[1].decode("utf-8-sig")
    assert again == sent
    res = bankfiles.roll_return_import(
        actor=actors["payments"], roll=roll, data=bankfiles.return_template(roll)
    )
    assert res["paid"] == 1
    roll.refresh_from_db()
    assert roll.state == PaymentRoll.CLOSED
    # every change is on the household's chain, with the last four digits only
    titles = [e["title"] for e in chain_entries(household=ent.household, role="town_caseworker")]
    assert any("银行账户变更申请" in t and "尾号0123" in t for t in titles)
    assert any("已复核生效" in t for t in titles)
    assert not any("6217000000000000123" in t for t in titles)


def test_a_town_caseworker_prepares_no_roll(grant, actors, staff, client):
    grant("郑一", "950")
    cw = actors["caseworker"]
    with pytest.raises(PermissionDenied) as exc:
        services.rolls_generate(month=MARCH, actor=cw)
    assert exc.value.code == "role_not_allowed"
    services.rolls_generate(month=MARCH, actor=actors["payments"])
    roll = PaymentRoll.objects.get(month=MARCH, service_code="dibao")
    with pytest.raises(PermissionDenied):
        services.roll_review(actor=cw, roll=roll)
    client.force_login(cw)
    r = client.post("/api/payments/rolls/generate", {"month": "2026-04-01"}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed")
    assert not PaymentRoll.objects.filter(month=date(2026, 4, 1)).exists()
    # a department reviews its own rolls only
    with pytest.raises(PermissionDenied) as exc:
        services.roll_review(actor=staff("department_officer", "education"), roll=roll)
    assert exc.value.code == "out_of_scope"
    roll.refresh_from_db()
    assert roll.state == PaymentRoll.DRAFT


def test_the_household_chain_shows_no_payments_link_to_a_window_clerk(grant, actors):
    from jiuzhu.registry.chain import assistance_chain

    ent = grant("陈链", "950")
    services.rolls_generate(month=MARCH)
    paid = [e for e in assistance_chain(household=ent.household, role="town_caseworker") if e.area == "发放"]
    assert any(e.url.startswith("/payments/roll/") for e in paid)
    clerk = [e for e in assistance_chain(household=ent.household, role="window_clerk") if e.area == "发放"]
    assert clerk and not any(e.url for e in clerk)
