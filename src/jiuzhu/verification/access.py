"""Who may do what in verification (DOMAIN §1, §4; issue 4 §5). Each check raises
``PermissionDenied`` with a stable code and a Chinese message."""

from __future__ import annotations

from jiuzhu.common import masking as m
from jiuzhu.common.errors import PermissionDenied

from .sources import Source

# Who may ask for a verification: the window and town office (intake), departments for their
# own services, the verification centre, approvers (periodic review).
REQUESTER_ROLES = {
    m.WINDOW_CLERK,
    m.TOWN_CASEWORKER,
    m.DEPARTMENT_OFFICER,
    m.VERIFICATION_OFFICER,
    m.APPROVER,
}


def role_of(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return m.PUBLIC
    return getattr(user, "effective_role", "") or getattr(user, "role", "")


def unit_code(user) -> str:
    return getattr(getattr(user, "unit", None), "code", "") or ""


def ensure_requester(user) -> None:
    if role_of(user) not in REQUESTER_ROLES:
        raise PermissionDenied("您的角色不能申请核对", code="not_requester")


def ensure_officer(user) -> None:
    if role_of(user) != m.VERIFICATION_OFFICER:
        raise PermissionDenied("仅核对中心工作人员可以进行此操作", code="not_verification_officer")


def is_provider_of(user, src: Source) -> bool:
    return role_of(user) == m.DATA_PROVIDER and unit_code(user) == src.unit


def ensure_provider(user, src: Source) -> None:
    """Uploads and task answers: the data-source unit's own officers."""
    if not is_provider_of(user, src):
        raise PermissionDenied(f"仅{src.name}数据来源单位的工作人员可以操作", code="not_source_provider")


def is_source_admin(user, src: Source) -> bool:
    """An administrator *of that source*: the admin role within the source's own unit. A city
    administrator elsewhere is not one (bank data leave the bank's hands only by the bank)."""
    return role_of(user) == m.ADMIN and unit_code(user) == src.unit


def ensure_source_admin(user, src: Source) -> None:
    if not is_source_admin(user, src):
        raise PermissionDenied(
            f"来源数据只能由{src.name}数据来源单位的管理员批量导出", code="not_source_admin"
        )


def sees_detail(user, request) -> bool:
    """Report detail: verification officers and the handler of the case it was asked for;
    everyone else gets the pass/fail summary."""
    if role_of(user) == m.VERIFICATION_OFFICER:
        return True
    return getattr(user, "pk", None) is not None and user.pk == request.handler_id


def ensure_may_read_report(user) -> None:
    if role_of(user) in (m.PUBLIC, m.DATA_PROVIDER):
        raise PermissionDenied("您不能查阅核对报告", code="report_forbidden")


def ensure_may_read_record(user, src: Source) -> None:
    if role_of(user) == m.VERIFICATION_OFFICER or is_provider_of(user, src) or is_source_admin(user, src):
        return
    raise PermissionDenied("您不能查阅来源记录", code="record_forbidden")
