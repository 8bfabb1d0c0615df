"""One household, one assistance chain (DOMAIN §6): every request, referral, verification,
decision, entitlement, payment, alert and charity referral of a household on one time line.

Each installed area contributes through ``jiuzhu.<app>.selectors.chain_entries(*, household,
role)``, returning ``ChainEntry`` items (or dicts with the same keys). Entries carry no personal
data beyond what the role may see on the household page itself; the areas mask what they show.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime

from django.utils import timezone

from jiuzhu.common.discovery import installed_modules

from .models import User


@dataclass(frozen=True)
class ChainEntry:
    at: datetime | date
    area: str  # short Chinese label of the area: 受理, 核对, 审核确认, 发放, 查重查漏, 社会力量
    title: str
    detail: str = ""
    unit: str = ""
    url: str = ""

    @property
    def moment(self) -> datetime:
        """A comparable instant (dates count as the start of their day)."""
        at = self.at
        if isinstance(at, datetime):
            return at if timezone.is_aware(at) else timezone.make_aware(at)
        return timezone.make_aware(datetime(at.year, at.month, at.day))


def _providers():
    for module in installed_modules("selectors").values():
        provider = getattr(module, "chain_entries", None)
        if provider is not None:
            yield provider


# Links into areas whose pages the scope table guards: shown only to roles that may open them
# (the role-level rule, for callers without an actor).
LINK_ACTIONS = {"/payments/": "payment.read", "/verification/": "verification.read_report"}


def _may_open(url: str, role: str) -> bool:
    from jiuzhu.common import scope

    for prefix, action in LINK_ACTIONS.items():
        if url.startswith(prefix):
            return scope.SCOPE.get((role, action), scope.NONE) != scope.NONE
    return True


# --- per record: the same check the linked page makes (scope table rows) ------------------------
# Each area declares, next to its ``chain_entries``, ``CHAIN_LINKS``: url name ->
# check(actor, household, **url kwargs), True when that page would open for the actor.


def _change(actor: User, household, pk):
    from jiuzhu.common import scope

    return scope.allows(actor, "change.read", household=household)


def _link_checks() -> dict:
    checks = {"caseload:change": _change}
    for module in installed_modules("selectors").values():
        checks.update(getattr(module, "CHAIN_LINKS", {}))
    return checks


def _link_for(actor: User, household, url: str, seen: dict) -> str:
    """``url`` if ``actor`` may open it; "" when the page would refuse him (or is unknown)."""
    from django.urls import Resolver404, resolve

    if url not in seen:
        try:
            match = resolve(url)
        except Resolver404:
            seen[url] = False
        else:
            check = _link_checks().get(match.view_name)
            seen[url] = check is not None and bool(check(actor, household, **match.kwargs))
    return url if seen[url] else ""


def assistance_chain(
    *, household, role: str, actor: User | None = None, limit: int = 300
) -> list[ChainEntry]:
    """The household's chain, newest first. With ``actor`` every link is kept only when the
    page it leads to would open for him (the areas' ``CHAIN_LINKS``: an officer of another unit or town
    sees the step but no link to what is not his); without, by role (``LINK_ACTIONS``)."""
    out: list[ChainEntry] = []
    seen: dict[str, bool] = {}
    for provider in _providers():
        for e in provider(household=household, role=role):
            e = e if isinstance(e, ChainEntry) else ChainEntry(**e)
            if e.url:
                allowed = _link_for(actor, household, e.url, seen) if actor is not None else e.url
                if not allowed or not _may_open(e.url, role):
                    e = replace(e, url="")
            out.append(replace(e, at=timezone.localtime(e.moment)))  # dates shown as their day's start
    out.sort(key=lambda e: e.moment, reverse=True)
    return out[:limit]
