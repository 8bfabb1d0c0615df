"""Proposals for the clerk: the services the household may get, by the rules' pre-check."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from jiuzhu.common import clock
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Household

from .. import catalogue
from ..models import AmountPeriod, Application, Referral
from ..ports import entitlements


def received_services(household: Household, *, on: date) -> set[str]:
    """Services the household already receives: active entitlements (whatever path created
    them: a decision, a unit's grant, an import) that still run in ``on``'s month or later, and
    granted referrals whose entitlement is not written yet. One-off grants count in their
    month only."""
    return entitlements().running_services(household, on=on) | set(
        Referral.objects.filter(
            application__household=household,
            state=Referral.GRANTED,
            amount_period__in=(AmountPeriod.MONTH, AmountPeriod.YEAR),
            entitlements__isnull=True,
        ).values_list("service_code", flat=True)
    )


def household_facts(household: Household, on: date):
    """The household's facts on file ``on`` in the form the policy rules take: the one
    registry facts reader (on the entitlement side, through ``ports``), programme facts included."""
    return entitlements().household_facts(household, on)


def proposals(
    application: Application, *, today: date | None = None, policy=None
) -> list[catalogue.Proposal]:
    """Every service of the catalogue, pre-checked by the rules with reasons, marked: asked
    for (its category answers a need), already received, cannot be combined with what the
    household receives. Needs first, then eligible ones, then the rest."""
    today = today or clock.today()
    policy = policy or current_policy()
    svcs = catalogue.services(policy)
    try:
        facts = household_facts(application.household, today)
    except JiuzhuError:  # facts the rules cannot take: refer without a pre-check
        facts = None
    checked = catalogue.precheck(facts, today, policy, [s.code for s in svcs]) if facts is not None else {}
    received = received_services(application.household, on=today)
    asked_categories = {c for n in application.needs for c in catalogue.NEED_CATEGORIES.get(n, ())}
    names = {s.code: s.name for s in svcs}
    out = []
    for s in svcs:
        eligible, amount, period, reasons = checked.get(
            s.code, (None, None, None, ["政策规则未作预审，由承办单位审核"])
        )
        conflicts = sorted(
            {c for c in s.exclusive_with if c in received}
            | {c for c in received if s.code in _exclusive(svcs, c)}
        )
        out.append(
            catalogue.Proposal(
                service=s,
                eligible=eligible,
                amount=amount,
                amount_period=period,
                reasons=list(reasons),
                asked=s.category in asked_categories,
                already_received=s.code in received,
                conflicts_with=[names.get(c, c) for c in conflicts],
            )
        )
    out.sort(key=lambda p: (not p.asked, p.eligible is not True, p.service.category, p.service.code))
    return out


@dataclass
class ProposalGroup:
    """The proposals of one need category (生活、医疗、教育、住房、就业、临时……)."""

    category: str
    label: str
    proposals: list = field(default_factory=list)

    @property
    def asked(self) -> bool:
        return any(p.asked for p in self.proposals)

    @property
    def likely(self) -> int:
        return sum(1 for p in self.proposals if p.eligible is True and not p.already_received)

    @property
    def open(self) -> bool:
        """Shown unfolded: the categories asked for, or with a service that likely fits."""
        return self.asked or self.likely > 0


def proposal_groups(proposals: list[catalogue.Proposal]) -> list[ProposalGroup]:
    """``proposals`` grouped by category, in the catalogue's order of categories, the categories
    asked for first, then those with services that likely fit; inside a group the proposals
    keep their order (asked and likely first)."""
    from jiuzhu.common.labels import label
    from jiuzhu.policy.schema import CATEGORIES

    order = list(CATEGORIES)
    groups: dict[str, ProposalGroup] = {}
    for p in proposals:
        c = p.service.category
        groups.setdefault(c, ProposalGroup(c, label("category", c))).proposals.append(p)
    return sorted(
        groups.values(),
        key=lambda g: (not g.asked, g.likely == 0, order.index(g.category) if g.category in order else 99),
    )


def _exclusive(svcs, code) -> tuple[str, ...]:
    for s in svcs:
        if s.code == code:
            return s.exclusive_with
    return ()
