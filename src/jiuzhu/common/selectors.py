from __future__ import annotations

from datetime import date

from .models import AccessLog, HolidayDay, HolidayYear
from .workdays import Deadline, HolidayTable, add_workdays


def holiday_table() -> HolidayTable:
    years = frozenset(HolidayYear.objects.filter(complete=True).values_list("year", flat=True))
    days = (
        dict(HolidayDay.objects.filter(day__year__in=years).values_list("day", "is_workday")) if years else {}
    )
    return HolidayTable(days=days, years=years)


def deadline(start: date, working_days: int, table: HolidayTable | None = None) -> Deadline:
    """Due date ``working_days`` statutory working days after ``start``."""
    return add_workdays(start, working_days, table if table is not None else holiday_table())


def access_log(*, household_code: str | None = None, username: str | None = None, limit: int = 200):
    qs = AccessLog.objects.all()
    if household_code:
        qs = qs.filter(household_code=household_code)
    if username:
        qs = qs.filter(username=username)
    return qs[:limit]
