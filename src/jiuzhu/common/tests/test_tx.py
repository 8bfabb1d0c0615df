"""The race-safe write and the lock / check-version / bump contract (``jiuzhu.common.tx``),
on a real row with a version (a complaint) in the real database."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import OperationalError

from jiuzhu.common.errors import Conflict, NotFound
from jiuzhu.common.tx import bump, check_version, lock, racing_write
from jiuzhu.supervision.models import Complaint


@pytest.fixture
def complaint(units):
    return Complaint.objects.create(
        code="T0000001",
        kind="attitude",
        subject=Complaint.UNIT,
        description="态度不好",
        lodged_on=date(2026, 3, 2),
        handling_unit=units["town_chengdong"],
        limit_days=15,
        due_on=date(2026, 3, 20),
    )


@pytest.mark.django_db(transaction=True)
def test_racing_write_keeps_nothing_of_a_write_that_fails_half_way(complaint):
    @racing_write
    def half_done(*, pk):
        Complaint.objects.filter(pk=pk).update(reply="已答复")
        raise NotFound("后一步失败", code="later_step")

    with pytest.raises(NotFound):
        half_done(pk=complaint.pk)
    complaint.refresh_from_db()
    assert complaint.reply == ""


@pytest.mark.django_db
def test_a_write_the_database_could_not_lock_loses_cleanly_with_the_callers_message():
    @racing_write(busy="另一位工作人员正在处理同一名册，请刷新后重试")
    def locked():
        raise OperationalError("database is locked")

    with pytest.raises(Conflict) as exc:
        locked()
    assert exc.value.code == "busy"
    assert "同一名册" in exc.value.message

    @racing_write
    def broken():
        raise OperationalError("no such table: x")

    with pytest.raises(OperationalError):  # other database errors are not hidden as a race
        broken()


@pytest.mark.django_db
def test_lock_finds_by_instance_or_key_and_says_what_is_missing(complaint):
    assert lock(Complaint, complaint, missing="投诉不存在").pk == complaint.pk
    locked = lock(Complaint.objects.select_related("handling_unit"), complaint.pk, missing="投诉不存在")
    assert locked.handling_unit.code == "town_chengdong"
    with pytest.raises(NotFound) as exc:
        lock(Complaint, 999999, missing="投诉不存在", code="complaint_not_found", field="complaint")
    assert (exc.value.code, exc.value.field, exc.value.message) == (
        "complaint_not_found",
        "complaint",
        "投诉不存在",
    )


@pytest.mark.django_db
def test_a_stale_page_is_refused_and_told_the_current_state(complaint):
    check_version(complaint, None)  # no version given: no check
    check_version(complaint, 1)
    bump(complaint, state=Complaint.INVESTIGATING)
    with pytest.raises(Conflict) as exc:
        check_version(complaint, 1, message="该投诉已被他人处理，请刷新后重试")
    assert exc.value.code == "stale_version"
    assert exc.value.params == {"version": 2, "state": Complaint.INVESTIGATING}


@pytest.mark.django_db
def test_bump_saves_the_fields_and_one_more_version(complaint):
    bump(complaint, update_fields=["state"], state=Complaint.INVESTIGATING, reply="稍后答复")
    fresh = Complaint.objects.get(pk=complaint.pk)
    assert (fresh.version, fresh.state, fresh.reply) == (2, Complaint.INVESTIGATING, "稍后答复")
    complaint.findings = "不写入"
    bump(complaint, update_fields=["state"])  # only the named fields and the version
    fresh.refresh_from_db()
    assert (fresh.version, fresh.findings) == (3, "")
