from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from . import clock, scope
from .errors import PermissionDenied, ValidationFailed
from .models import AccessLog, TrainingClock

if TYPE_CHECKING:  # the user model is registry's; common imports no app at run time
    from jiuzhu.registry.models import User


def log_access(
    *,
    user: User | None,
    action: str,
    object_type: str,
    object_id: object,
    household_code: str = "",
    purpose: str = "",
    username: str = "",
) -> AccessLog:
    """Record one read or export of personal data (or a log-in, ``common.signin``). Called
    inside the read's transaction so a failed read leaves no row and a logged read always
    happened. ``username``: the name tried when there is no such user (a failed log-in)."""
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or username or "anonymous",
        role=getattr(user, "role", "") or "",
        unit_code=getattr(getattr(user, "unit", None), "code", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        household_code=household_code or "",
        purpose=purpose[:200],
    )


MAX_TRAINING_DAYS = 366


@transaction.atomic
def training_clock_advance(*, actor: User, days: int) -> int:
    """Move a training site's date forward by ``days`` (1–60 at a time, at most a year in all);
    returns the new offset. Forward only: records already dated stay in the platform's past.
    Refused outside a training site and for anyone but an administrator."""
    if not clock.training_site():
        raise PermissionDenied("只有演示或培训站点可以调整平台日期", field="days", code="not_training_site")
    scope.require(actor, "training_clock.move")
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= 60:
        raise ValidationFailed("每次向后拨动 1 至 60 天", field="days", code="days_out_of_range")
    row, _ = TrainingClock.objects.select_for_update().get_or_create(pk=1)
    if row.days + days > MAX_TRAINING_DAYS:
        raise ValidationFailed(
            f"培训时钟最多比实际日期晚 {MAX_TRAINING_DAYS} 天", field="days", code="days_out_of_range"
        )
    row.days += days
    row.moved_by = actor
    row.moved_at = timezone.now()
    row.save()
    return row.days
