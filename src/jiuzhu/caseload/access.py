"""Who may do what here, until the city-wide scope table (``jiuzhu.common.scope``) lands:
the same form (role × action → city / town / none) and the same errors, so moving these
rows into that table changes no caller."""

from __future__ import annotations

from jiuzhu.common import masking as m
from jiuzhu.common.errors import PermissionDenied

CITY, TOWN, NONE = "city", "town", "none"
ACTIONS: dict[str, tuple[str, dict[str, str]]] = {
    # a city's existing caseload: prepared city-wide or by a town for its own households,
    # approved by a second person city-wide
    "caseload.import": ("上传存量数据", {m.ADMIN: CITY, m.APPROVER: CITY, m.TOWN_CASEWORKER: TOWN}),
    "caseload.approve": ("审核存量数据导入", {m.ADMIN: CITY, m.APPROVER: CITY}),
    "caseload.read": ("查看存量数据导入", {m.ADMIN: CITY, m.APPROVER: CITY, m.TOWN_CASEWORKER: TOWN,
                                       m.SUPERVISOR: CITY}),  # fmt: skip
    # change requests for verified facts
    "change.raise": ("提出变更申请", {m.WINDOW_CLERK: TOWN, m.TOWN_CASEWORKER: TOWN, m.ADMIN: CITY}),
    "change.review": ("复核变更申请", {m.TOWN_CASEWORKER: TOWN, m.APPROVER: CITY, m.ADMIN: CITY}),
    "change.read": ("查看变更申请", {m.WINDOW_CLERK: TOWN, m.TOWN_CASEWORKER: TOWN, m.APPROVER: CITY,
                                  m.ADMIN: CITY, m.SUPERVISOR: CITY}),  # fmt: skip
}


def role_of(actor) -> str:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return ""
    return getattr(actor, "effective_role", "") or getattr(actor, "role", "") or ""


def scope_of(actor, action: str) -> str:
    return ACTIONS[action][1].get(role_of(actor), NONE)


def require(actor, action: str, *, town=None) -> str:
    """The actor's scope for ``action``; raises ``PermissionDenied`` (``role_not_allowed`` /
    ``out_of_scope``) when the role may not, or ``town`` is not the actor's own."""
    scope = scope_of(actor, action)
    label = ACTIONS[action][0]
    if scope == NONE:
        raise PermissionDenied(f"您的角色不能{label}", code="role_not_allowed")
    town_id = getattr(town, "pk", town)
    if scope == TOWN and town is not None and town_id != getattr(actor, "unit_id", None):
        raise PermissionDenied(f"只能{label}本镇街的家庭", code="out_of_scope")
    return scope


def towns_filter(actor, action: str, qs, path: str = "town"):
    scope = require(actor, action)
    return qs if scope == CITY else qs.filter(**{f"{path}_id": actor.unit_id})
