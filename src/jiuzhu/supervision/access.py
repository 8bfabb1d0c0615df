"""Who may do what in the supervision app. The supervisor's read-only rule for the whole
platform lives in ``guard.py``."""

from __future__ import annotations

from django.utils import timezone

from jiuzhu.common import masking as m
from jiuzhu.common.errors import PermissionDenied

# May open the supervision pages at all (the nav item's audience).
READ_ROLES = frozenset(m.ROLES) - {m.DATA_PROVIDER, m.PARTNER}
# See every complaint, the accountability records and the misconduct list.
OVERSIGHT_ROLES = frozenset({m.SUPERVISOR, m.CONVENER, m.ADMIN})
# The audit view of the access and change logs.
AUDIT_ROLES = frozenset({m.SUPERVISOR, m.ADMIN})


def role_of(user) -> str:
    return getattr(user, "effective_role", "") or ""


def is_convener(user) -> bool:
    """A convener by role, or a convener / deputy assigned in the officers list."""
    if not getattr(user, "is_authenticated", False):
        return False
    if role_of(user) == m.CONVENER:
        return True
    from .models import ConferenceOfficer

    today = timezone.localdate()
    return ConferenceOfficer.objects.filter(user=user, since__lte=today).exclude(until__lt=today).exists()


def ensure_can_read(user) -> None:
    if role_of(user) not in READ_ROLES:
        raise PermissionDenied("您的角色不能查看联席会议与监督页面", code="forbidden")


def ensure_convener(user) -> None:
    if not is_convener(user):
        raise PermissionDenied("只有联席会议召集人（副召集人）可以办理此事项", code="not_convener")


def ensure_admin(user) -> None:
    if role_of(user) != m.ADMIN:
        raise PermissionDenied("只有系统管理员可以指定召集人", code="not_admin")


def ensure_auditor(user) -> None:
    if role_of(user) not in AUDIT_ROLES:
        raise PermissionDenied("只有监督人员和系统管理员可以查阅访问与变更日志", code="not_auditor")


def ensure_unit_staff(user, unit, *, what: str = "此事项") -> None:
    if getattr(user, "unit_id", None) != unit.pk or role_of(user) in (m.SUPERVISOR, m.PARTNER):
        raise PermissionDenied(f"只有{unit.name}的工作人员可以办理{what}", field="unit", code="not_your_unit")
