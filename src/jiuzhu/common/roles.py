"""The role a person acts in, read one way everywhere (the scope and masking tables are keyed
by it)."""

from __future__ import annotations

from typing import Any

from jiuzhu.common.masking import PUBLIC


def role_of(user: Any) -> str:
    """The role ``user`` acts in: his ``effective_role`` (a superuser without a role acts as
    admin), ``public`` for nobody signed in or a log-in without a role. Never empty, so a role
    set never matches by accident."""
    if user is None or not getattr(user, "is_authenticated", False):
        return PUBLIC
    return getattr(user, "effective_role", "") or getattr(user, "role", "") or PUBLIC
