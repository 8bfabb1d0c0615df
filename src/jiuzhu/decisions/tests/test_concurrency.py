"""Two approvers deciding one case at the same moment: exactly one wins (one entitlement, one
letter), the other is refused with a clear error. SQLite and PostgreSQL."""

import threading
from datetime import date, timedelta

import pytest
from django.db import connection

from jiuzhu.common.errors import JiuzhuError
from jiuzhu.decisions import cases
from jiuzhu.decisions.models import Case, Entitlement, Letter

from .conftest import D0
from .test_workflow import investigate


def _race(fns):
    barrier = threading.Barrier(len(fns))
    results = [None] * len(fns)

    def run(i, fn):
        try:
            barrier.wait()
            results[i] = ("ok", fn())
        except JiuzhuError as exc:
            results[i] = ("error", exc)
        except Exception as exc:  # surfaced by the assertion below
            results[i] = ("crash", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(fns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_approvers_cannot_both_decide(refer_to, poor_household, caseworker, staff):
    r = refer_to(poor_household, "dibao")
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    investigate(c, caseworker)
    c = cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=D0)
    a, b = staff("approver"), staff("approver")
    day = D0 + timedelta(days=10)
    results = _race(
        [
            lambda: cases.case_approve(actor=a, case=c.pk, today=day),
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
