"""Every text, amount and date a person gives payments goes through ``common.values``: the roll's
overrun note, a bank account's bank and holder, notes on failed lines, budgets, institution
transfers. An over-long, control-character or out-of-range value is refused with its field and
a stable code (API: 400; screen: the Chinese reason) and nothing is written."""

from datetime import date

import pytest

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.payments import institutions
from jiuzhu.payments.models import BankAccountChange, Budget, InstitutionTransfer, PaymentRoll

from .test_institutions import _members, fund  # noqa: F401 (fixture)


@pytest.fixture
def reviewed(client, grant, actors):
    grant("秦一", "950")
    client.force_login(actors["approver"])
    client.post("/api/payments/rolls/generate", {"month": "2026-03-01"}, content_type="application/json")
    roll = PaymentRoll.objects.get(month=date(2026, 3, 1), service_code="dibao")
    client.post(f"/api/payments/rolls/{roll.pk}/review")
    Budget.objects.filter(service_code="dibao").update(amount=100)
    return roll


@pytest.mark.parametrize("note, code", [("已报\x00追加", "control_characters"), ("追" * 201, "too_long")])
def test_an_overrun_note_through_the_api_is_checked_before_the_roll_is_approved(client, reviewed, note, code):
    r = client.post(
        f"/api/payments/rolls/{reviewed.pk}/approve",
        {"confirm_overrun": True, "note": note},
        content_type="application/json",
    )
    assert r.status_code == 400 and (r.json()["field"], r.json()["code"]) == ("note", code)
    reviewed.refresh_from_db()
    assert reviewed.state == PaymentRoll.REVIEWED and not reviewed.overrun_confirmed


def test_an_overrun_note_on_the_screen_is_checked_too(client, reviewed):
    page = client.post(
        f"/payments/roll/{reviewed.pk}/approve/", {"confirm_overrun": "1", "note": "追" * 201}, follow=True
    ).content.decode()
    assert "超预算理由不能超过 200 个字" in page
    reviewed.refresh_from_db()
    assert reviewed.state == PaymentRoll.REVIEWED


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"bank_name": "农\x1b行"}, "bank_name", "control_characters"),
        ({"bank_name": "行" * 101}, "bank_name", "too_long"),
        ({"holder_name": "户" * 51}, "holder_name", "too_long"),
    ],
)
def test_a_bank_account_with_bad_names_is_refused_through_the_api(client, grant, actors, body, field, code):
    ent = grant("楚二", "950", account=False)
    client.force_login(actors["caseworker"])
    r = client.post(
        f"/api/payments/accounts/{ent.payee_id}",
        {"number": "6222000011112222", "bank_name": "农行", **body},
        content_type="application/json",
    )
    assert r.status_code == 400 and (r.json()["field"], r.json()["code"]) == (field, code)
    assert not BankAccountChange.objects.filter(person=ent.payee).exists()


def test_a_bank_account_form_with_a_control_character_keeps_nothing(client, grant, actors):
    ent = grant("楚三", "950", account=False)
    client.force_login(actors["caseworker"])
    page = client.post(
        f"/payments/account/{ent.payee_id}/",
        {"bank_name": "建设\x00银行", "number": "6217000000000000123"},
        follow=True,
    ).content.decode()
    assert "开户行含有不可见的控制字符" in page
    assert not BankAccountChange.objects.filter(person=ent.payee).exists()


@pytest.mark.parametrize(
    "year, amount, words",
    [("abc", "100", "年份"), ("2026", "1e30", "超出合理范围"), ("2026", "1.234", "两位小数")],
)
def test_a_budget_form_refuses_a_bad_year_or_amount(client, grant, actors, year, amount, words):
    grant("秦二", "950")
    client.force_login(actors["approver"])
    before = Budget.objects.get(year=2026, service_code="dibao", unit__code="civil_affairs").amount
    page = client.post(
        "/payments/budgets/edit/",
        {"year": year, "unit": "civil_affairs", "service": "dibao", "amount": amount},
        follow=True,
    ).content.decode()
    assert words in page
    assert Budget.objects.get(year=2026, service_code="dibao", unit__code="civil_affairs").amount == before


@pytest.mark.parametrize(
    "change, field, code",
    [
        ({"amount": "1e30"}, "amount", "amount_out_of_range"),
        ({"note": "转\x00账"}, "note", "control_characters"),
        ({"lines": "ref"}, "lines[0].reference", "too_long"),
    ],
)
def test_an_institution_transfer_refuses_bad_input_and_writes_nothing(
    fund,  # noqa: F811
    make_household,
    change,
    field,
    code,
):
    inst, officer = fund
    (p,) = _members(make_household, 1)
    lines = [{"person": p, "amount": "280", "reference": "R" * 121}] if change.pop("lines", None) else None
    kwargs = {
        "actor": officer,
        "institution": inst,
        "amount": "280",
        "purpose": "medical_premium",
        "period": date(2026, 1, 1),
        "lines": lines or [{"person": p, "amount": "280"}],
        **change,
    }
    with pytest.raises(ValidationFailed) as err:
        institutions.transfer_create(**kwargs)
    assert (err.value.field, err.value.code) == (field, code)
    assert not InstitutionTransfer.objects.exists()
