from datetime import date

import pytest

from jiuzhu.decisions.entitlements import entitlement_grant

AS_OF = date(2026, 6, 15)


@pytest.fixture
def approver(staff):
    return staff("approver", "civil_affairs")


@pytest.fixture
def grant(policy, approver):
    """``grant(household, service, amount, start=..., members=None, payee=None, reason="", **kw)``
    (``kw``: entitlement_grant's others, e.g. cause, cause_note, amount_period)."""

    def make(
        household,
        service,
        amount,
        *,
        start=date(2026, 1, 1),
        members=None,
        payee=None,
        reason="审批同意",
        **kw,
    ):
        payee = payee or household.members.order_by("id").first()
        return entitlement_grant(
            household=household,
            payee=payee,
            members=members if members is not None else list(household.members.all()),
            service_code=service,
            amount=amount,
            start_month=start,
            actor=approver,
            policy=policy,
            reason=reason,
            **kw,
        )

    return make


@pytest.fixture
def screen(policy):
    """Run one screening as of ``AS_OF`` and return the run."""
    from jiuzhu.screening.services import screening_run

    def run(as_of=AS_OF):
        return screening_run(policy=policy, as_of=as_of)

    return run
