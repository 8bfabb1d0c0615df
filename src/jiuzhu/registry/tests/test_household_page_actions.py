"""The household page's actions from other areas (issue 19): 受理申请 for the window, the bank
accounts for those who may enter or confirm them, nothing for a role that may not."""

from __future__ import annotations

from jiuzhu.payments.services import bank_account_set


def _page(client, user, hh) -> str:
    client.force_login(user)
    resp = client.get(f"/households/{hh.code}/")
    assert resp.status_code == 200
    return resp.content.decode()


def test_the_window_starts_an_application_from_the_household_page(client, staff, make_household):
    hh = make_household()
    page = _page(client, staff("window_clerk"), hh)
    assert f'href="/intake/new/{hh.code}/">受理申请</a>' in page
    assert "/intake/new/" not in _page(client, staff("approver"), hh)  # the approver takes no requests


def test_bank_accounts_are_entered_and_confirmed_on_the_household_page(client, staff, make_household):
    hh = make_household()
    head = hh.members.get()
    caseworker, approver = staff("town_caseworker"), staff("approver")
    page = _page(client, caseworker, hh)
    assert "未登记银行账户" in page and f'action="/payments/account/{head.pk}/"' in page

    client.force_login(caseworker)
    resp = client.post(
        f"/payments/account/{head.pk}/",
        {"bank_name": "示范银行", "number": "6228480012345678901", "next": f"/households/{hh.code}/#bank"},
    )
    assert resp.status_code == 302 and resp["Location"] == f"/households/{hh.code}/#bank"
    page = _page(client, caseworker, hh)
    assert "待复核：示范银行 尾号 8901" in page and "复核生效" not in page  # not his own
    assert "复核生效" in _page(client, approver, hh)


def test_the_window_sees_no_bank_account(client, staff, make_household):
    hh = make_household()
    bank_account_set(
        actor=staff("town_caseworker"),
        person=hh.members.get(),
        number="6228480012345678901",
        bank_name="示范银行",
    )
    client.force_login(staff("window_clerk"))
    page = client.get(f"/households/{hh.code}/").content.decode()
    assert 'id="bank"' not in page and "登记银行账户" not in page  # the window may not read bank accounts
