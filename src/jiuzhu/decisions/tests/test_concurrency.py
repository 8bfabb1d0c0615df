"""Two approvers deciding one case at the same moment: exactly one wins (one entitlement, one
letter), the other is refused with a clear error. SQLite and PostgreSQL."""

from datetime import date, timedelta

import pytest

from jiuzhu.common.testing import race
from jiuzhu.decisions import cases
from jiuzhu.decisions.models import Case, Entitlement, Letter

from .conftest import D0
from .test_workflow import investigate


@pytest.mark.django_db(transaction=True)
def test_two_approvers_cannot_both_decide(refer_to, poor_household, caseworker, staff):
    r = refer_to(poor_household, "dibao", verify=True)
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    investigate(c, caseworker)
    c = cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0)
    a, b = staff("approver"), staff("approver")
    day = D0 + timedelta(days=10)
    results = race(
        [
            lambda: cases.case_approve(actor=a, case=c.pk, today=day, without_account=True),
            lambda: cases.case_refuse(actor=b, case=c.pk, reasons="查实月工资3,000元", today=day),
        ]
    )
    kinds = sorted(k for k, _ in results)
    assert kinds == ["error", "ok"], results
    loser = next(v for k, v in results if k == "error")
    assert loser.code in {"wrong_state", "busy"} and loser.message
    final = Case.objects.get(pk=c.pk)
    assert final.state in (Case.APPROVED, Case.REFUSED)
    assert Letter.objects.filter(case=final).count() == 1
    assert Entitlement.objects.count() == (1 if final.state == Case.APPROVED else 0)
    assert final.decided_on == date(2026, 3, 12)
