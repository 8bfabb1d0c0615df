"""Two conveners answering the same closure request at the same moment: exactly one wins, the
other is refused with a clear error; the directive closes once."""

from datetime import date

import pytest

from jiuzhu.common.testing import race
from jiuzhu.supervision import services
from jiuzhu.supervision.models import Assignment, AssignmentEvent, Directive


@pytest.mark.django_db(transaction=True)
def test_accept_and_send_backrace(staff):
    a_convener, b_convener = staff("convener"), staff("convener")
    d = services.directive_create(
        actor=a_convener,
        title="统一临时救助标准",
        units=["civil_affairs"],
        limit_days=10,
        today=date(2026, 3, 2),
    )
    part = d.assignments.get()
    services.assignment_request_closure(
        actor=staff("department_officer", "civil_affairs"),
        assignment=part,
        note="已统一",
        today=date(2026, 3, 3),
    )
    v = Assignment.objects.get(pk=part.pk).version
    results = race(
        [
            lambda: services.assignment_accept(actor=a_convener, assignment=part.pk, version=v),
            lambda: services.assignment_send_back(
                actor=b_convener, assignment=part.pk, reason="不全", version=v
            ),
        ]
    )
    kinds = sorted(r[0] for r in results)
    assert kinds == ["error", "ok"], results
    codes = {r[1].code for r in results if r[0] == "error"}
    assert codes <= {"stale_version", "busy", "closure_not_requested"}
    answers = AssignmentEvent.objects.filter(assignment=part, kind__in=["accepted", "sent_back"]).count()
    assert answers == 1
    part.refresh_from_db()
    d.refresh_from_db()
    assert (part.state == Assignment.CLOSED) == (d.status == Directive.CLOSED)
