"""Who may do what in the supervision app: the role decisions are rows of the scope table
(``jiuzhu.common.scope``: supervision.read / oversight / audit_logs / appoint / unit_task);
a convener assigned in the officers list is the one rule the table cannot hold. The
supervisor's read-only rule for the whole platform lives in ``guard.py``."""

from __future__ import annotations

from jiuzhu.common import clock, scope
from jiuzhu.common.errors import PermissionDenied

# May open the supervision pages at all (the nav item's audience).
READ_ROLES = scope.roles_with("supervision.read")
# See every complaint, the accountability records and the misconduct list.
OVERSIGHT_ROLES = scope.roles_with("supervision.oversight")
# The audit view of the access and change logs.
AUDIT_ROLES = scope.roles_with("supervision.audit_logs")


def is_convener(user) -> bool:
    """A convener by role, or a convener / deputy assigned in the officers list."""
    if not getattr(user, "is_authenticated", False):
        return False
    if scope.allows(user, "supervision.convene"):
        return True
    from .models import ConferenceOfficer

    today = clock.today()
    return ConferenceOfficer.objects.filter(user=user, since__lte=today).exclude(until__lt=today).exists()


def _refuse_unless(user, action: str, message: str) -> None:
    if not scope.allows(user, action):
        raise scope.RoleNotAllowed(message, field="role")


def ensure_can_read(user) -> None:
    _refuse_unless(user, "supervision.read", "您的角色不能查看联席会议与监督页面")


def ensure_convener(user) -> None:
    """The table's ``supervision.convene`` row, or a deputy appointed in the officers list."""
    if not is_convener(user):
        raise scope.RoleNotAllowed("只有联席会议召集人（副召集人）可以办理此事项", field="role")


def ensure_oversight(user) -> None:
    _refuse_unless(user, "supervision.oversight", "只有监督人员、召集人和管理员可以查看问责记录")


def ensure_admin(user) -> None:
    _refuse_unless(user, "supervision.appoint", "只有系统管理员可以指定召集人")


def ensure_auditor(user) -> None:
    _refuse_unless(user, "supervision.audit_logs", "只有监督人员和系统管理员可以查阅访问与变更日志")


def ensure_unit_staff(user, unit, *, what: str = "此事项") -> None:
    if not scope.allows(user, "supervision.unit_task", unit=unit):
        raise PermissionDenied(f"只有{unit.name}的工作人员可以办理{what}", field="unit", code="out_of_scope")
