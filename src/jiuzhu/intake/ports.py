"""What intake asks of the entitlement side, through one port (docs/HELPERS.md, Session 10).

``decisions`` sits above ``intake``: a case is opened from a referral, and decisions imports
intake, never the other way. Yet a unit's grant on a referral creates an entitlement and runs
grant control, emergency aid first is paid as an entitlement, and the window's pre-check reads
what a household already receives and the facts the rules take (which count entitlements).
Those operations are declared here, once, as the ``Entitlements`` Protocol; ``decisions``
provides the implementation at start-up (``DecisionsConfig.ready`` →
``jiuzhu.decisions.intake_port``), and intake calls ``entitlements().<operation>(...)``.
Without decisions installed the call raises ``PortNotProvided`` naming what is missing.

Nothing else of decisions is intake's business: which services a decision answers is the
policy file's (``Policy.by_decision``), the officer's limit too (``policy.grants.officer_limit``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Protocol

from jiuzhu.common.ports import Port, PortNotProvided

if TYPE_CHECKING:
    from jiuzhu.policy.catalogue import Policy
    from jiuzhu.policy.facts import HouseholdFacts
    from jiuzhu.policy.grants import RuleAmount
    from jiuzhu.registry.models import Household, Person, Unit, User

    from .models import Referral

__all__ = ["Entitlements", "GrantPlan", "HeldGrant", "PortNotProvided", "entitlements", "provide"]


class HeldGrant(Protocol):
    """A unit's grant held for a second signature (decisions' ``GrantRequest``), as intake's
    referral page and API show it."""

    pk: int
    amount: Decimal
    level: str
    made_on: date
    need_amount: Decimal | None

    @property
    def rest_to_charity(self) -> Decimal | None: ...

    def get_level_display(self) -> str: ...


@dataclass(frozen=True)
class GrantPlan:
    """What grant control decided on a unit's grant: go on now (``held`` None) with these
    figures, or ``held`` for a second signature (then nothing is granted yet)."""

    amount: Decimal
    period: str
    rule_amount: Decimal | None
    held: HeldGrant | None = None


class Entitlements(Protocol):
    """The entitlement operations intake needs. Writes run in the caller's transaction."""

    def household_facts(self, household: Household | int, on: date) -> HouseholdFacts | None:
        """The household's facts on file ``on`` as the policy rules take them (the one registry
        facts reader, programme facts included; it counts the members already in
        extreme-poverty support and the last aid for a temporary need's cause). None when no
        member is alive and born by then."""
        ...

    def running_services(self, household: Household, *, on: date) -> set[str]:
        """Codes of the services the household has an active entitlement of that still runs in
        ``on``'s month or later, whatever path created it (a decision, a unit's grant, an
        import); a one-off grant counts in its own month only."""
        ...

    def has_entitlement(self, referral: Referral) -> bool:
        """Whether an entitlement was already written for ``referral`` (a decision writes its
        own)."""
        ...

    def grant(
        self,
        *,
        household: Household,
        payee: Person,
        service_code: str,
        amount: Decimal,
        amount_period: str,
        start_month: date,
        actor: User,
        unit: Unit,
        origin: str,
        reason: str,
        policy: Policy | None = None,
        referral: Referral | None = None,
        rule_amount: Decimal | None = None,
        signed_by: User | None = None,
        signed_on: date | None = None,
        cause: str = "",
        cause_note: str = "",
    ) -> None:
        """Write an entitlement payments will pay from ``start_month`` (its end or review date
        from the service's lifecycle). Bad input raises ``ValidationFailed`` (unknown service,
        negative amount, payee outside the household, unknown cause)."""
        ...

    def last_same_cause(self, *, household: Household | int, cause: str, on: date) -> date | None:
        """The last day on or before ``on`` the household got temporary aid (a temporary
        entitlement or emergency aid first) for ``cause``."""
        ...

    def check_same_cause(self, *, household: Household, cause: str, on: date, policy: Policy) -> None:
        """Refuse (``IllegalTransition``, code ``same_cause_within_12_months``) temporary aid for a
        cause the household got aid for within the policy's months (社会救助暂行办法 第四十九条)."""
        ...

    def grant_control(
        self,
        referral: Referral,
        *,
        actor: User,
        amount: Decimal | None,
        period: str | None,
        start_month: date,
        reason: str,
        today: date,
        policy: Policy,
        up_to_top_tier: bool = False,
    ) -> GrantPlan:
        """Decide a unit's grant on ``referral``, which the caller holds locked (DOMAIN §7):
        ``amount`` None is the rule's amount. Raises for a grant nobody may make (already
        receiving, one pending, same cause, no verification report, above a tier or a cap,
        no written reason); returns the plan, ``held`` set when it waits for a second
        signature (then the held request is recorded and nothing is granted)."""
        ...

    def pending_grant(self, referral: Referral) -> HeldGrant | None:
        """The grant of ``referral`` waiting for a second signature, if any."""
        ...

    def rule_amount(self, *, household: Household, service_code: str, on: date, policy: Policy) -> RuleAmount:
        """What the rules say for ``service_code`` on the household's facts on file ``on`` (the
        default amount of a unit's grant)."""
        ...


_PORT: Port[Entitlements] = Port("jiuzhu.intake.ports.Entitlements", provider="jiuzhu.decisions")


def provide(impl: Entitlements) -> None:
    """Called once by the entitlement side at start-up (``DecisionsConfig.ready``)."""
    _PORT.provide(impl)


def entitlements() -> Entitlements:
    """The entitlement side; ``PortNotProvided`` when no app provided it."""
    return _PORT.get()
