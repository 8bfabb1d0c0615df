"""Sources without a dataset get a task in their unit's inbox, due in the demo limit of working
days, flagged due soon / overdue; the data provider answers it."""

from datetime import date

import pytest

from jiuzhu.common.errors import PermissionDenied, ValidationFailed
from jiuzhu.common.selectors import deadline
from jiuzhu.verification import selectors, services, tasks, testing
from jiuzhu.verification.models import SourceTask, VerificationRequest
from jiuzhu.verification.sources import catalogue

from .conftest import TODAY


def test_tasks_created_flagged_and_answered(worked, clerk, officer, provider_of, staff):
    head = worked.members.order_by("id").first()
    testing.authorise(worked, clerk, on=TODAY)
    req = services.request_create(actor=clerk, household=worked, service_code="dibao", today=TODAY)
    assert req.state == VerificationRequest.COLLECTING
    ts = {t.source: t for t in req.tasks.select_related("unit")}
    assert set(ts) == {s.code for s in catalogue().sources}
    due = deadline(TODAY, 5).due  # verification.answer_days (demo 5 working days)
    assert all(t.due_on == due for t in ts.values()) and ts["banks"].unit.code == "banking"
    assert [t.source for t in selectors.task_inbox(unit=ts["tax"].unit, today=TODAY)] == ["tax"]
    assert selectors.task_flag(ts["tax"], TODAY) == ""
    assert selectors.task_flag(ts["tax"], due) == "due_soon"
    assert selectors.task_flag(ts["tax"], date(2026, 3, 30)) == "overdue"
    first = tasks.tick(today=date(2026, 3, 30))
    assert first.overdue == len(ts) and tasks.tick(today=date(2026, 3, 30)).overdue == 0  # once

    with pytest.raises(PermissionDenied):
        services.task_answer(actor=provider_of("banks"), task=ts["tax"], no_records=True)
    with pytest.raises(ValidationFailed) as exc:
        services.task_answer(
            actor=provider_of("tax"), task=ts["tax"], rows=[{"name": "张建国", "amount": "x"}]
        )
    assert exc.value.code == "answer_invalid" and exc.value.params["errors"][0]["row"] == 2
    services.task_answer(
        actor=provider_of("tax"),
        task=ts["tax"],
        rows=[
            {
                "id_number": head.id_number,
                "name": "张建国",
                "income_kind": "工资薪金所得",
                "amount": "12000",
                "period_start": "2025-03-01",
                "period_end": "2026-02-28",
            }
        ],
    )
    for code, t in ts.items():
        if code != "tax":
            services.task_answer(actor=provider_of(code), task=t, no_records=True)
    req.refresh_from_db()
    assert req.state == VerificationRequest.READY
    assert not SourceTask.objects.filter(state=SourceTask.OPEN).exists()
    report = services.report_issue(actor=officer, request=req)
    assert report.snapshot["totals"]["income_counted"] == "800.00"  # 1,000 − 20% employment cost
    used = {u["source"]: u["how"] for u in report.snapshot["sources"]}
    assert set(used.values()) == {"task"}
