from __future__ import annotations

from .models import AccessLog


def log_access(
    *, user, action: str, object_type: str, object_id, household_code: str = "", purpose: str = ""
) -> AccessLog:
    """Record one read or export of personal data. Called inside the read's transaction so a
    failed read leaves no row and a logged read always happened."""
    return AccessLog.objects.create(
        user=user if getattr(user, "pk", None) else None,
        username=getattr(user, "username", "") or "anonymous",
        role=getattr(user, "role", "") or "",
        unit_code=getattr(getattr(user, "unit", None), "code", "") or "",
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        household_code=household_code or "",
        purpose=purpose[:200],
    )
