"""Who may do what in verification (DOMAIN §1, §4; issue 4 §5): each decision is a row of the
scope table (``jiuzhu.common.scope``: verification.review / provide / source_export /
read_record), refused with ``role_not_allowed`` or ``out_of_scope``."""

from __future__ import annotations

from jiuzhu.common import scope
from jiuzhu.registry.models import Unit

from .sources import Source


def unit_code(user) -> str:
    return getattr(getattr(user, "unit", None), "code", "") or ""


def _source_unit(src: Source):
    """The data-source unit's row (the scope table judges a unit-scoped actor by it)."""
    return Unit.objects.filter(code=src.unit).values_list("pk", flat=True).first() or -1


def ensure_officer(user) -> None:
    scope.require(user, "verification.review")


def is_provider_of(user, src: Source) -> bool:
    return scope.allows(user, "verification.provide", unit=_source_unit(src))


def ensure_provider(user, src: Source) -> None:
    """Uploads and task answers: the data-source unit's own officers (scope table)."""
    scope.require(user, "verification.provide", unit=_source_unit(src))


def is_source_admin(user, src: Source) -> bool:
    """An administrator *of that source*: the admin role within the source's own unit. A city
    administrator elsewhere is not one (bank data leave the bank's hands only by the bank)."""
    return scope.allows(user, "verification.source_export", unit=_source_unit(src))


def ensure_source_admin(user, src: Source) -> None:
    scope.require(user, "verification.source_export", unit=_source_unit(src))


def sees_detail(user, request) -> bool:
    """Report detail (scope table ``verification.read_detail``): the verification centre city-wide;
    at the requesting town or unit only the handler who asked for it. Everyone else gets the
    pass/fail summary."""
    where = {"town": request.requesting_unit_id, "unit": request.requesting_unit_id}
    if not scope.allows(user, "verification.read_detail", **where):
        return False
    return scope.scope_of(user, "verification.read_detail") == scope.CITY or user.pk == request.handler_id


def ensure_may_read_record(user, src: Source) -> None:
    scope.require(user, "verification.read_record", unit=_source_unit(src))


def may_open_request(user, req) -> bool:
    """A verification request's page: the verification centre (``verification.review``), or the
    person who asked for it or handles it."""
    return scope.allows(user, "verification.review") or getattr(user, "pk", None) in (
        req.handler_id,
        req.requested_by_id,
    )
