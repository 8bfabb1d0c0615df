"""Statutory working days (法定工作日). Pure: no Django import.

Which calendar decides a date, in order:
1. the admin-entered table for that year (holidays and adjusted working weekends), when the
   year has been entered — it overrides everything, so a city can correct or extend;
2. chinese-calendar, for the years it knows (2004–2026 in 1.11);
3. weekends only, with a warning that the year has no holiday list (a deadline computed this
   way may be early or late by the length of a holiday).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

import chinese_calendar

KNOWN_YEARS = frozenset(d.year for d in chinese_calendar.constants.holidays)


@dataclass
class HolidayTable:
    """Admin-entered days: ``days[date] = True`` for a working day (调休上班), ``False`` for a
    holiday. ``years`` are the years whose list is complete (entered and confirmed)."""

    days: Mapping[date, bool] = field(default_factory=dict)
    years: frozenset[int] = frozenset()


EMPTY = HolidayTable()


def year_source(year: int, table: HolidayTable = EMPTY) -> str:
    if year in table.years:
        return "entered"
    if year in KNOWN_YEARS:
        return "chinese_calendar"
    return "weekends_only"


def is_workday(day: date, table: HolidayTable = EMPTY) -> bool:
    source = year_source(day.year, table)
    if source == "entered":
        if day in table.days:
            return table.days[day]
        return day.weekday() < 5
    if source == "chinese_calendar":
        return chinese_calendar.is_workday(day)
    return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    due: date
    warnings: tuple[str, ...] = ()

    @property
    def certain(self) -> bool:
        return not self.warnings


def _warning(years: Iterable[int]) -> tuple[str, ...]:
    return tuple(
        f"{y}年的法定节假日尚未录入，期限仅按周末推算，可能不准确（请管理员在“节假日”页面录入）"
        for y in sorted(set(years))
    )


def add_workdays(start: date, n: int, table: HolidayTable = EMPTY) -> Deadline:
    """The date of the n-th working day after ``start`` (``start`` itself is not counted:
    a limit of 3 working days from Friday's acceptance ends on Wednesday)."""
    if n < 0:
        raise ValueError("n must be >= 0")
    day = start
    uncertain = set()
    counted = 0
    while counted < n:
        day += timedelta(days=1)
        if year_source(day.year, table) == "weekends_only":
            uncertain.add(day.year)
        if is_workday(day, table):
            counted += 1
    return Deadline(day, _warning(uncertain))


def workdays_between(start: date, end: date, table: HolidayTable = EMPTY) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when end <= start).
    ``workdays_between(s, add_workdays(s, n).due) == n``."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if is_workday(day, table):
            count += 1
    return count


def uncertain_years(start: date, end: date, table: HolidayTable = EMPTY) -> tuple[str, ...]:
    years = {y for y in range(start.year, end.year + 1) if year_source(y, table) == "weekends_only"}
    return _warning(years)
