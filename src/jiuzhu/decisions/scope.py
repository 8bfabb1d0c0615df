"""Which services go through the decision workflow (审核确认): the services of the categories
minimum_living (低保) and extreme_poverty (特困供养) that pay money every month — derived from
the city's policy catalogue (``ServiceSpec.by_decision``), never listed in code. Their
referrals cannot be granted or refused with the plain referral feedback; only a decision
(``jiuzhu.decisions.cases``) answers them."""

from __future__ import annotations

from jiuzhu.policy.schema import DECISION_CATEGORIES, ServiceSpec

__all__ = ["DECISION_CATEGORIES", "decision_codes", "decision_services", "is_decision_service"]


def decision_services(policy) -> list[ServiceSpec]:
    """The ``ServiceSpec``s decided through this app (demo: dibao, dibao_single,
    tekun_dispersed, tekun_institutional)."""
    return policy.decision_services()


def decision_codes(policy) -> frozenset[str]:
    return frozenset(s.code for s in decision_services(policy))


def is_decision_service(code: str, policy=None) -> bool:
    if policy is None:
        from jiuzhu.policy.selectors import current_policy

        policy = current_policy()
    return policy.by_decision(code)
