"""Two presses of 立即筛查 at the same instant (the page's button and ``POST
/api/screening/run`` both queue through ``background.run_queue``): one screening run is queued
and both are answered with it — the database holds it (``jobs.enqueue_once``: one waiting run
by a unique constraint), not a look-up that both presses could pass at once. On PostgreSQL the
second waits for the first and gets the same job; SQLite's test database refuses the second
writer (``busy``). Before ``enqueue_once`` two runs were queued on PostgreSQL."""

import pytest
from django.db import connection

from jiuzhu.common import clock, jobs
from jiuzhu.common.models import Job
from jiuzhu.common.testing import race
from jiuzhu.screening import background


@pytest.mark.django_db(transaction=True)
def test_two_presses_at_once_queue_one_run(staff, policy):
    approvers = [staff("approver", "civil_affairs") for _ in range(2)]

    results = race([lambda a=a: background.run_queue(actor=a, as_of=clock.today()) for a in approvers])

    for kind, value in results:
        assert kind == "ok" or (kind == "error" and value.code == "busy"), results
    job = Job.objects.get(kind="screening.run")  # one run queued
    assert all(value.pk == job.pk for kind, value in results if kind == "ok"), results
    if connection.vendor == "postgresql":
        assert [kind for kind, _ in results] == ["ok", "ok"], results


@pytest.mark.django_db
def test_a_run_waiting_is_answered_again_and_a_finished_one_is_not(staff, policy):
    approver = staff("approver", "civil_affairs")
    first = background.run_queue(actor=approver, as_of=clock.today())
    assert background.run_queue(actor=approver, as_of=clock.today()) == first
    assert jobs.work_off() == 1
    after = background.run_queue(actor=approver, as_of=clock.today())
    assert after != first and Job.objects.filter(kind="screening.run").count() == 2
