"""Django-side access to the current policy file (``settings.POLICY_FILE``), cached per
file modification time so an edited file is picked up without a restart."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from .catalogue import Policy, load_policy

_cache: dict[str, tuple[float, Policy]] = {}


def current_policy() -> Policy:
    path = Path(settings.POLICY_FILE)
    mtime = path.stat().st_mtime
    hit = _cache.get(str(path))
    if hit and hit[0] == mtime:
        return hit[1]
    policy = load_policy(path)
    _cache[str(path)] = (mtime, policy)
    return policy
