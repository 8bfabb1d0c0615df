"""The payee's bank account (收款账户) is captured before approval (issue 19): the case page shows
whom the entitlement will be paid to and whether he has a confirmed account; the caseworker
enters it there, a second person confirms it there; an approval whose payee has no confirmed
account is refused unless the approver says he approves anyway (the first roll then holds the
money), and the refusal writes nothing."""

from datetime import timedelta

import pytest
from django.test import Client

from jiuzhu.common import clock
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions import cases
from jiuzhu.decisions.models import Case, Entitlement
from jiuzhu.payments.models import BankAccount, BankAccountChange

from .test_workflow import investigate


@pytest.fixture
def ready(refer_to, poor_household, caseworker):
    """A 低保 case whose notice ran out yesterday: the approver may decide it today."""
    start = clock.today() - timedelta(days=10)
    c = cases.case_open(
        actor=caseworker, referral=refer_to(poor_household, "dibao", today=start, verify=True), today=start
    )
    investigate(c, caseworker, on=start)
    return cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=start + timedelta(days=1))


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_approval_without_a_confirmed_account_is_refused_unless_the_approver_says_so(ready, approver):
    with pytest.raises(ValidationFailed) as exc:
        cases.case_approve(actor=approver, case=ready)
    assert (exc.value.code, exc.value.field) == ("payee_account_missing", "without_account")
    ready.refresh_from_db()
    assert ready.state != Case.APPROVED and not Entitlement.objects.exists()  # nothing written

    c = cases.case_approve(actor=approver, case=ready, without_account=True)
    assert c.state == Case.APPROVED and c.entitlement.payee == cases.payee_of(ready)


def test_the_account_is_entered_and_confirmed_on_the_case_page_before_approval(
    ready, caseworker, approver, staff
):
    payee = cases.payee_of(ready)
    url = f"/decisions/c/{ready.pk}/"
    worker, boss = _client(caseworker), _client(approver)

    page = worker.get(url).content.decode()
    assert "收款账户" in page and "尚无经复核的收款账户" in page
    assert f'action="/payments/account/{payee.pk}/"' in page
    seen = boss.get(url).content.decode()
    assert 'id="account-missing"' in seen and 'name="without_account"' in seen
    refused = boss.post(f"{url}approve/", {"note": "同意"}, follow=True).content.decode()
    assert "尚无经复核的收款银行账户" in refused and "error" in refused
    ready.refresh_from_db()
    assert ready.state != Case.APPROVED

    resp = worker.post(
        f"/payments/account/{payee.pk}/",
        {
            "bank_name": "示范市农村商业银行",
            "number": "6228 4800 1234 5678 901",
            "next": f"{url}#payee-account",
        },
    )
    assert resp.status_code == 302 and resp["Location"] == f"{url}#payee-account"
    change = BankAccountChange.objects.get(person=payee, state=BankAccountChange.PENDING)
    page = worker.get(url).content.decode()
    assert "待复核" in page and "尾号 8901" in page
    assert f"/payments/account/change/{change.pk}/confirm/" not in page  # not by who entered it
    assert 'id="account-missing"' in boss.get(url).content.decode()  # unconfirmed: still missing

    # a second caseworker of the town confirms it from the case page
    other = _client(staff("town_caseworker", "town_chengdong"))
    assert f"/payments/account/change/{change.pk}/confirm/" in other.get(url).content.decode()
    other.post(f"/payments/account/change/{change.pk}/confirm/", {"next": url})
    assert BankAccount.objects.get(person=payee).tail == "8901"

    seen = boss.get(url).content.decode()
    assert 'id="account-missing"' not in seen and 'name="without_account"' not in seen
    assert "尾号 8901（已复核）" in seen


def test_the_api_refuses_and_accepts_with_the_same_rule(ready, approver):
    api = _client(approver)
    url = f"/api/decisions/cases/{ready.pk}/approve"
    resp = api.post(url, {}, content_type="application/json")
    assert resp.status_code == 400 and resp.json()["code"] == "payee_account_missing"
    assert not Entitlement.objects.exists()
    resp = api.post(url, {"without_account": True}, content_type="application/json")
    assert resp.status_code == 200, resp.json()
    assert Entitlement.objects.filter(household=ready.household).count() == 1
