"""Transactions and the race-safe write, once for every app.

The locking contract (Zulip's ``check_``/``do_``): a state change runs in one transaction
(``racing_write``), takes the row with ``SELECT … FOR UPDATE`` (``lock``), refuses when the
caller's page was stale (``check_version``), and saves with the version raised by one (``bump``).
Two officers who press at the same moment: one wins, the other gets a ``Conflict`` and nothing of
his write is kept."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.db import OperationalError, models, transaction

from .errors import Conflict, NotFound

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=models.Model)

BUSY = "另一位工作人员正在处理同一事项，请刷新后重试"
STALE = "该记录已被他人处理，请刷新后重试"


def racing_write(fn: F | None = None, *, busy: str = BUSY) -> Any:
    """Run ``fn`` in its own transaction. A write that the database could not lock at once
    (SQLite's shared-cache test database refuses instead of waiting) loses the race cleanly: the
    caller gets ``Conflict(code="busy")``, never a half-done write. Usable bare (``@racing_write``)
    or with the message people read (``@racing_write(busy="…")``)."""

    def decorate(f: F) -> F:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                with transaction.atomic():
                    return f(*args, **kwargs)
            except OperationalError as exc:
                if "locked" in str(exc):
                    raise Conflict(busy, code="busy") from exc
                raise

        return wrapper  # type: ignore[return-value]

    return decorate(fn) if fn is not None else decorate


def lock(
    queryset: models.QuerySet[M] | type[M],
    obj: Any,
    *,
    missing: str,
    code: str = "not_found",
    field: str | None = None,
    of: tuple[str, ...] = (),
) -> M:
    """The row of ``obj`` (an instance or its primary key) locked for this transaction;
    ``NotFound(missing, code=…, field=…)`` when it does not exist. ``queryset`` may carry its
    ``select_related``; a model class stands for its default manager. ``of=("self",)`` locks
    only this row where the ``select_related`` reaches a nullable relation (PostgreSQL refuses
    to lock the nullable side of an outer join)."""
    qs = queryset._default_manager.all() if isinstance(queryset, type) else queryset
    pk = getattr(obj, "pk", obj)
    row = qs.select_for_update(of=of).filter(pk=pk).first()
    if row is None:
        raise NotFound(missing, field=field, code=code)
    return row


def check_version(row: Any, version: int | None, *, message: str = STALE) -> None:
    """Refuse a write made from a stale page: ``version`` is what the caller saw (``None``
    skips the check). The ``Conflict`` carries the current state and version so the screen can
    refresh."""
    if version is not None and int(version) != row.version:
        params: dict[str, Any] = {"version": row.version}
        if hasattr(row, "state"):
            params["state"] = row.state
        raise Conflict(message, code="stale_version", **params)


def bump(row: M, *, update_fields: list[str] | None = None, **fields: Any) -> M:
    """Set ``fields``, raise the version by one and save (only ``update_fields`` plus the
    version and the fields set, when ``update_fields`` is given)."""
    for name, value in fields.items():
        setattr(row, name, value)
    row.version += 1  # type: ignore[attr-defined]
    if update_fields is None:
        row.save()
    else:
        row.save(update_fields=list(dict.fromkeys([*update_fields, *fields, "version"])))
    return row
