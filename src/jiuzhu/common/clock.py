"""The platform's date and time. New code calls ``clock.today()`` / ``clock.now()`` instead of
``date.today()`` / ``timezone.now()``.

On a site marked as demo or training (``settings.TRAINING_SITE``, env ``JIUZHU_TRAINING_SITE=1``;
never set in production) an administrator may move the date forward (``TrainingClock.days``), so
a case can be taken through a 7-day public notice and approval in one sitting; every page then
carries a banner. Elsewhere these are the real clock and read no database.

The demo generator alone dates the past: inside ``clock.on(day)`` both read ``day`` (at 09:30
local time), so a household's application, investigation, opinion, notice and approval carry
the dates they had in the demo's year (``jiuzhu demo``; never used by a page or a service).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone

from .models import TrainingClock

_pinned: ContextVar[datetime | None] = ContextVar("jiuzhu_clock_pinned", default=None)
PINNED_TIME = time(9, 30)


@contextmanager
def on(day: date) -> Iterator[None]:
    """Inside the block the platform's date is ``day`` (the demo's past events; see above)."""
    at = timezone.make_aware(datetime.combine(day, PINNED_TIME))
    token = _pinned.set(at.astimezone(timezone.get_fixed_timezone(0)))
    try:
        yield
    finally:
        _pinned.reset(token)


def training_site() -> bool:
    return bool(getattr(settings, "TRAINING_SITE", False))


def offset_days() -> int:
    """Days the training clock is ahead of the real one (0 outside a training site)."""
    if not training_site():
        return 0
    return TrainingClock.objects.filter(pk=1).values_list("days", flat=True).first() or 0


def now() -> datetime:
    """Aware datetime (UTC), moved forward on a training site."""
    pinned = _pinned.get()
    if pinned is not None:
        return pinned
    real = timezone.now()
    days = offset_days()
    return real + timedelta(days=days) if days else real


def today() -> date:
    """The local date (Asia/Shanghai), moved forward on a training site."""
    return timezone.localdate(now())
