"""Emergency aid first (先行救助): what the window may pay an urgent request at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiuzhu.common import clock
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Unit

from .. import catalogue
from ..models import Application, EmergencyAid
from ..ports import entitlements
from .proposals import household_facts


@dataclass(frozen=True)
class EmergencyOffer:
    """What the window may pay first (先行救助) for an urgent request: the temporary-assistance
    rule's amount on the declared need, capped at the 先行救助 limit (``amount`` is ``None``
    when no need is declared or the rule refuses), with the rule's reasons."""

    amount: Decimal | None
    limit: Decimal
    reasons: list = field(default_factory=list)


def emergency_offer(application: Application, *, today: date | None = None, policy=None) -> EmergencyOffer:
    import dataclasses

    from jiuzhu.policy.facts import TemporaryNeed

    today = today or clock.today()
    policy = policy or current_policy()
    limit = catalogue.emergency_limit(policy, today)
    need, cause = application.emergency_need, application.emergency_cause
    if need is None or not cause:
        return EmergencyOffer(None, limit, ["未登记急难所需金额"])
    try:
        facts = household_facts(application.household, today)
    except JiuzhuError as exc:
        return EmergencyOffer(None, limit, [f"家庭信息不全，规则未能计算：{getattr(exc, 'message', exc)}"])
    if facts is None:
        return EmergencyOffer(None, limit, ["规则未能计算"])
    last = entitlements().last_same_cause(household=application.household, cause=cause, on=today)
    facts = dataclasses.replace(
        facts, temporary=TemporaryNeed(kind="emergency", cause=cause, amount=need, last_same_cause_on=last)
    )
    eligible, amount, _period, reasons = catalogue.precheck(
        facts, today, policy, ["temporary_emergency"]
    ).get("temporary_emergency", (None, None, None, ["规则未能计算"]))
    if not eligible or amount is None:
        return EmergencyOffer(None, limit, list(reasons))
    return EmergencyOffer(min(amount, limit).quantize(Decimal("0.01")), limit, list(reasons))


def urgent_requests(*, window: Unit, today: date | None = None) -> list[tuple[Application, EmergencyOffer]]:
    """The window's open urgent requests (need ``emergency``) not yet paid first, each with the
    amount the rule offers: the window's one-click 先行救助."""
    today = today or clock.today()
    policy = current_policy()
    apps_ = (
        Application.objects.filter(window=window, status=Application.OPEN, emergency_aids__isnull=True)
        .exclude(emergency_cause="")
        .select_related("household", "applicant")
        .order_by("received_at", "id")
    )
    return [(a, emergency_offer(a, today=today, policy=policy)) for a in apps_ if "emergency" in a.needs]


def open_emergency_aids(*, window: Unit | None = None):
    qs = EmergencyAid.objects.filter(state=EmergencyAid.OPEN).select_related("application")
    if window is not None:
        qs = qs.filter(application__window=window)
    return list(qs.order_by("file_due_on", "id"))
