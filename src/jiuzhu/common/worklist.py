"""A role's queue on its home page (工作台, issue 19): what waits for this person, with counts,
due-soon and overdue, first; the shortcuts after.

Each area declares its queues in ``jiuzhu.<app>.worklist.queues(*, user, role, today)`` which
returns a list of ``Queue`` for that role (an empty list when it has nothing for the role); the
home page asks every installed area (``common.discovery``, as the chain and the demo do)
and shows the queues in ``order``. A queue reads through the area's selectors and the scope
table, so it lists only what its links will open.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from .discovery import installed_modules

if TYPE_CHECKING:  # the user model is registry's; common imports no app at run time
    from jiuzhu.registry.models import User


DUE_SOON_DAYS = 3  # calendar days before a due date that count as "due soon" on a home page
SHOWN = 8  # items listed under a queue's heading; the count says how many there are


@dataclass
class Item:
    title: str
    url: str = ""
    detail: str = ""
    due_on: date | None = None
    state: str = ""  # already a label (Chinese), never a code
    flag: str = ""  # "overdue" | "due_soon" | "" (set by ``collect``)


@dataclass
class Queue:
    key: str  # stable (tests, anchors)
    title: str
    count: int
    items: list[Item] = field(default_factory=list)
    url: str = ""  # the full list
    due_soon: int = 0
    overdue: int = 0
    empty: str = "暂无事项"
    order: int = 50


def due_counts(dates, today: date) -> tuple[int, int]:
    """(due soon, overdue) among ``dates`` (None ignored)."""
    soon = over = 0
    for d in dates:
        if d is None:
            continue
        if d < today:
            over += 1
        elif (d - today).days <= DUE_SOON_DAYS:
            soon += 1
    return soon, over


def due_flag(due_on: date | None, today: date) -> str:
    if due_on is None:
        return ""
    if due_on < today:
        return "overdue"
    if (due_on - today).days <= DUE_SOON_DAYS:
        return "due_soon"
    return ""


def collect(*, user: User, role: str, today: date) -> list[Queue]:
    out: list[Queue] = []
    for area, module in installed_modules("worklist").items():
        if area == "common":  # this module
            continue
        out.extend(module.queues(user=user, role=role, today=today))
    for q in out:
        for item in q.items:
            item.flag = due_flag(item.due_on, today)
    return sorted(out, key=lambda q: q.order)
