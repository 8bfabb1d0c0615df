"""The services intake refers to, read from the city's policy file (``Policy.services``), and
the rules' pre-check (``jiuzhu.policy.rules.evaluate``), seen through one small interface so
the window screens, the API and the tests do not depend on the policy file's layout."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiuzhu.common.errors import JiuzhuError, NotFound
from jiuzhu.common.params import parameter

# Which service categories answer which need (DOMAIN §2).
NEED_CATEGORIES = {
    "living": ("minimum_living", "extreme_poverty"),
    "medical": ("medical",),
    "education": ("education",),
    "housing": ("housing",),
    "employment": ("employment",),
    "disaster": ("disaster",),
    "emergency": ("temporary", "social"),
}
# DOMAIN §3 Temporary: small emergency aid up to ¥2,000 may be paid first (demo value; the
# policy parameter wins when the file has one).
DEFAULT_LIMIT_DAYS = 20


@dataclass(frozen=True)
class ServiceInfo:
    code: str
    name: str
    category: str
    unit_code: str
    limit_days: int
    exclusive_with: tuple[str, ...] = ()
    needs_verification: bool = False
    basis: str = ""


@dataclass
class Proposal:
    """One service as proposed to the clerk: the rules' pre-check with its reasons, and the
    marks the clerk must see (already received, cannot be combined, not asked for)."""

    service: ServiceInfo
    eligible: bool | None  # None: the rules could not pre-check it
    amount: Decimal | None = None
    amount_period: str | None = None  # "month" | "year" | "once", as the rules say
    reasons: list[str] = field(default_factory=list)
    asked: bool = False
    already_received: bool = False
    conflicts_with: list[str] = field(default_factory=list)

    @property
    def recommended(self) -> bool:
        return bool(self.eligible) and not self.already_received and not self.conflicts_with

    def snapshot(self) -> dict:
        return {
            "eligible": self.eligible,
            "amount": None if self.amount is None else f"{self.amount:.2f}",
            "amount_period": self.amount_period,
            "reasons": list(self.reasons),
            "asked": self.asked,
            "already_received": self.already_received,
            "conflicts_with": list(self.conflicts_with),
        }


def _first(obj, *names, default=None):
    for n in names:
        value = obj.get(n) if isinstance(obj, dict) else getattr(obj, n, None)
        if value not in (None, ""):
            return value
    return default


def _info(spec) -> ServiceInfo:
    unit = _first(spec, "owner_unit", "owner", "unit", "unit_code", default="")
    unit = getattr(unit, "code", unit)
    exclusive = _first(spec, "exclusive_with", default=()) or ()
    return ServiceInfo(
        code=str(_first(spec, "code")),
        name=str(_first(spec, "name", default=_first(spec, "code"))),
        category=str(_first(spec, "category", default="")),
        unit_code=str(unit),
        limit_days=int(
            _first(spec, "limit_days", "handling_days", "time_limit", "limit", default=DEFAULT_LIMIT_DAYS)
        ),
        exclusive_with=tuple(str(x) for x in exclusive),
        needs_verification=bool(_first(spec, "needs_verification", "verification", default=False)),
        basis=str(_first(spec, "basis", "legal_basis", default="")),
    )


def services(policy) -> list[ServiceInfo]:
    specs = getattr(policy, "services", None)
    if specs is None:
        specs = policy.extra.get("services") if hasattr(policy, "extra") else None
    return [_info(s) for s in (specs or [])]


def service(policy, code: str) -> ServiceInfo:
    for s in services(policy):
        if s.code == code:
            return s
    raise NotFound(f"救助事项“{code}”不在本市政策文件中", field="service", code="unknown_service")


def emergency_limit(policy, on: date) -> Decimal:
    return Decimal(parameter(policy, "temporary.emergency_first_limit", on))


def same_cause_months(policy, on: date) -> int:
    return int(parameter(policy, "temporary.same_cause_months", on))


def emergency_file_days(policy, on: date) -> int:
    return int(parameter(policy, "temporary.emergency_file_days", on))


def _reason_text(reason) -> str:
    if isinstance(reason, str):
        return reason
    return str(_first(reason, "text", "message", "reason", default=reason))


def precheck(
    facts, as_of: date, policy, codes: list[str]
) -> dict[str, tuple[bool | None, Decimal | None, str | None, list]]:
    """``{service code: (eligible, amount, amount period, reasons)}`` from the rules."""
    from jiuzhu.policy import rules

    out: dict[str, tuple[bool | None, Decimal | None, str | None, list]] = {}
    try:
        results = rules.evaluate(facts, as_of, policy, services=codes)
    except (JiuzhuError, LookupError, ValueError) as exc:
        # a pre-check is advice: when the rules cannot run (e.g. no parameters in force on
        # that date) the clerk still refers, and sees why nothing was pre-checked
        note = f"政策规则未能预审：{getattr(exc, 'message', exc)}"
        return {c: (None, None, None, [note]) for c in codes}
    for r in results:
        code = getattr(r.service, "code", r.service)
        amount = r.monthly_amount
        out[str(code)] = (
            r.eligible,
            None if amount is None else Decimal(str(amount)),
            getattr(r, "amount_period", None),
            [_reason_text(x) for x in (r.reasons or [])],
        )
    return out
