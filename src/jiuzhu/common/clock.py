"""The platform's date and time. New code calls ``clock.today()`` / ``clock.now()`` instead of
``date.today()`` / ``timezone.now()``.

On a site marked as demo or training (``settings.TRAINING_SITE``, env ``JIUZHU_TRAINING_SITE=1``;
never set in production) an administrator may move the date forward (``TrainingClock.days``), so
a case can be taken through a 7-day public notice and approval in one sitting; every page then
carries a banner. Elsewhere these are the real clock and read no database.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .models import TrainingClock


def training_site() -> bool:
    return bool(getattr(settings, "TRAINING_SITE", False))


def offset_days() -> int:
    """Days the training clock is ahead of the real one (0 outside a training site)."""
    if not training_site():
        return 0
    return TrainingClock.objects.filter(pk=1).values_list("days", flat=True).first() or 0


def now() -> datetime:
    """Aware datetime (UTC), moved forward on a training site."""
    real = timezone.now()
    days = offset_days()
    return real + timedelta(days=days) if days else real


def today() -> date:
    """The local date (Asia/Shanghai), moved forward on a training site."""
    return timezone.localdate(now())
