"""What each role sees of each personal field — declared here once, applied everywhere
(screens, API, exports). DOMAIN §6: masking is configuration.

Pure: no Django import. ``present(kind, value, role)`` returns the value or its mask.
"""

from __future__ import annotations

# Roles (DOMAIN §1).
WINDOW_CLERK = "window_clerk"
TOWN_CASEWORKER = "town_caseworker"
DEPARTMENT_OFFICER = "department_officer"
VERIFICATION_OFFICER = "verification_officer"
DATA_PROVIDER = "data_provider"
APPROVER = "approver"
SUPERVISOR = "supervisor"
CONVENER = "convener"
ADMIN = "admin"
# Staff of a charity / social-forces partner (issue 9): sees only its own referrals.
PARTNER = "partner"
PUBLIC = "public"

ROLES = (
    WINDOW_CLERK,
    TOWN_CASEWORKER,
    DEPARTMENT_OFFICER,
    VERIFICATION_OFFICER,
    DATA_PROVIDER,
    APPROVER,
    SUPERVISOR,
    CONVENER,
    ADMIN,
    PARTNER,
)

_CASE_ROLES = {WINDOW_CLERK, TOWN_CASEWORKER, VERIFICATION_OFFICER, APPROVER, SUPERVISOR, ADMIN}

# field kind -> roles that see it in full. Everyone else sees the mask.
FULL_VIEW: dict[str, frozenset[str]] = {
    "id_number": frozenset(_CASE_ROLES),
    "name": frozenset(_CASE_ROLES | {DEPARTMENT_OFFICER, DATA_PROVIDER, CONVENER}),
    "phone": frozenset(_CASE_ROLES | {DEPARTMENT_OFFICER}),
    "address": frozenset(_CASE_ROLES | {DEPARTMENT_OFFICER}),
    "bank_account": frozenset({APPROVER, ADMIN}),
    "health": frozenset({TOWN_CASEWORKER, VERIFICATION_OFFICER, APPROVER, SUPERVISOR, DEPARTMENT_OFFICER}),
    "disability": frozenset(
        {WINDOW_CLERK, TOWN_CASEWORKER, VERIFICATION_OFFICER, APPROVER, SUPERVISOR, DEPARTMENT_OFFICER}
    ),
    "income": frozenset({TOWN_CASEWORKER, VERIFICATION_OFFICER, APPROVER, SUPERVISOR}),
}


def mask_id_number(value: str) -> str:
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_name(value: str) -> str:
    """张三 -> 张*, 张小明 -> 张*明, 欧阳小明 -> 欧**明 (the public-notice form)."""
    if not value:
        return ""
    if len(value) == 1:
        return "*"
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_tail(value: str, keep: int = 4) -> str:
    if not value:
        return ""
    return "*" * max(len(value) - keep, 0) + value[-keep:]


def mask_address(value: str) -> str:
    """Keep the first 6 characters (district/town) only."""
    if not value:
        return ""
    return value[:6] + "****"


MASKERS = {
    "id_number": mask_id_number,
    "name": mask_name,
    "phone": mask_phone,
    "address": mask_address,
    "bank_account": mask_tail,
    "health": lambda v: "***" if v else "",
    "disability": lambda v: "***" if v else "",
    "income": lambda v: "***",
}


def sees(kind: str, role: str | None) -> bool:
    return role in FULL_VIEW[kind]


def present(kind: str, value, role: str | None):
    """The value as ``role`` may see it."""
    if value is None:
        return None
    if sees(kind, role):
        return value
    return MASKERS[kind](str(value))
