from datetime import date

import pytest

from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.payments.services import bank_account_confirm, bank_account_set, budgets_sync


@pytest.fixture
def budgets(units, policy):
    budgets_sync(policy=policy)


@pytest.fixture
def actors(units):
    """A town caseworker, his colleague (the second person on bank-account changes), civil
    affairs' payments officer (approver role: prepares and reconciles the rolls) and an approver,
    without passwords (hashing one is slow; the tests log in with ``force_login``)."""
    from jiuzhu.registry.models import User

    def user(name, role, unit):
        return User.objects.create(username=f"pay_{name}", role=role, unit=units[unit], password="!")

    return {
        "caseworker": user("caseworker", "town_caseworker", "town_chengdong"),
        "colleague": user("colleague", "town_caseworker", "town_chengdong"),
        "payments": user("payments", "approver", "civil_affairs"),
        "approver": user("approver", "approver", "civil_affairs"),
    }


@pytest.fixture
def grant(make_household, actors, policy, budgets):
    """``grant(name, amount, service="dibao", start=date(2026, 3, 1), account=True, town=...)``
    → the entitlement of a new one-person household's head."""
    actor = actors["approver"]
    n = iter(range(1, 10_000))

    def make(
        name, amount, service="dibao", start=date(2026, 3, 1), account=True, town="town_chengdong", **kw
    ):
        hh = make_household(members=[{"name": name, "birth": date(1950, 1, 1 + next(n) % 28)}], town=town)
        head = hh.members.get()
        if account:  # recorded by civil affairs' payments officer, confirmed by an approver
            change = bank_account_set(
                actor=actors["payments"],
                person=head,
                number=f"62220000{head.pk:011d}",
                bank_name="示范市农商银行",
            )
            bank_account_confirm(actor=actor, change=change)
        return entitlement_grant(
            household=hh,
            payee=head,
            service_code=service,
            amount=amount,
            start_month=start,
            actor=actor,
            policy=policy,
            reason="审批同意",
            **kw,
        )

    return make
