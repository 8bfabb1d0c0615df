"""The entitlement side of intake's port (``jiuzhu.intake.ports.Entitlements``): what intake,
below decisions, asks of entitlements and grant control. ``install()`` runs at start-up
(``DecisionsConfig.ready``); each method hands on to the function that does the work."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

from jiuzhu.intake import ports

from . import frames, grants
from .entitlements import entitlement_grant
from .models import Entitlement

if TYPE_CHECKING:
    from jiuzhu.intake.models import Referral
    from jiuzhu.policy.catalogue import Policy
    from jiuzhu.policy.facts import HouseholdFacts
    from jiuzhu.policy.grants import RuleAmount
    from jiuzhu.registry.models import Household, Person, Unit, User


class IntakeEntitlements:
    """``ports.Entitlements``, implemented by decisions (docstrings: on the Protocol)."""

    def household_facts(self, household: Household | int, on: date) -> HouseholdFacts | None:
        return frames.household_facts(household, on)

    def running_services(self, household: Household, *, on: date) -> set[str]:
        return set(grants.running(household=household, on=on).values_list("service_code", flat=True))

    def has_entitlement(self, referral: Referral) -> bool:
        return Entitlement.objects.filter(referral=referral).exists()

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
        entitlement_grant(
            household=household,
            payee=payee,
            service_code=service_code,
            amount=amount,
            amount_period=amount_period,
            start_month=start_month,
            actor=actor,
            unit=unit,
            origin=origin,
            reason=reason,
            policy=policy,
            referral=referral,
            rule_amount=rule_amount,
            signed_by=signed_by,
            signed_on=signed_on,
            cause=cause,
            cause_note=cause_note,
        )

    def last_same_cause(self, *, household: Household | int, cause: str, on: date) -> date | None:
        return grants.last_same_cause(household=household, cause=cause, on=on)

    def check_same_cause(self, *, household: Household, cause: str, on: date, policy: Policy) -> None:
        grants.check_same_cause(household=household, cause=cause, on=on, policy=policy)

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
    ) -> ports.GrantPlan:
        return grants.grant_control(
            referral,
            actor=actor,
            amount=amount,
            period=period,
            start_month=start_month,
            reason=reason,
            today=today,
            policy=policy,
            up_to_top_tier=up_to_top_tier,
        )

    def pending_grant(self, referral: Referral) -> ports.HeldGrant | None:
        return grants.pending_for(referral)

    def rule_amount(self, *, household: Household, service_code: str, on: date, policy: Policy) -> RuleAmount:
        return grants.rule_amount(household=household, service_code=service_code, on=on, policy=policy)


def install() -> None:
    """Fill intake's port in (the type checker holds ``IntakeEntitlements`` to the Protocol)."""
    ports.provide(IntakeEntitlements())
