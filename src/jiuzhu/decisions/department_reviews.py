"""Reviews of department entitlements (DOMAIN §7 "Lifecycle": department entitlements are
reviewed like dibao ones). Each education, housing, medical … entitlement granted without an
end carries ``next_review_on`` (``entitlements.lifecycle``: the service's ``review_months``);
when it comes, the owning unit's officer reviews it here: the rules run on the registry as it is
that day and decide — still eligible: it continues (at the rules' amount from next month
when that changed and no second person signed a different one) until the next review;
no longer eligible: it stops from next month with the failed criteria as the reason (and its
own dependants are flagged as on any stop). Dibao and extreme poverty have their own review
workflow (``reviews``).

One transaction per review; the entitlement row is locked first (SELECT … FOR UPDATE), so two
officers reviewing at once cannot both act: the second finds it reviewed or superseded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q

from jiuzhu.common import clock, scope
from jiuzhu.common.errors import IllegalTransition, NotFound, ValidationFailed
from jiuzhu.policy.selectors import current_policy

from . import snapshot
from .entitlements import add_months, entitlement_change, entitlement_stop, month_start
from .models import Entitlement
from .scope import DECISION_CATEGORIES


@dataclass
class ReviewOutcome:
    outcome: str  # continued | adjusted | stopped
    entitlement: Entitlement
    text: str


def due(*, unit, today: date):
    """Running department entitlements of ``unit`` whose review date has come, oldest first."""
    month = month_start(today)
    return (
        Entitlement.objects.filter(unit=unit, next_review_on__lte=today, next__isnull=True)
        .exclude(category__in=DECISION_CATEGORIES)
        .exclude(status=Entitlement.ENDED)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
        .select_related("household", "unit")
        .order_by("next_review_on", "id")
    )


@transaction.atomic
def department_review(*, actor, entitlement: Entitlement | int, today: date | None = None) -> ReviewOutcome:
    today = today or clock.today()
    pk = entitlement.pk if isinstance(entitlement, Entitlement) else int(entitlement)
    ent = Entitlement.objects.select_for_update().select_related("household", "unit").filter(pk=pk).first()
    if ent is None:
        raise NotFound("救助待遇不存在", field="entitlement")
    scope.require(actor, "entitlement.review", unit=ent.unit)
    if ent.category in DECISION_CATEGORIES:
        raise ValidationFailed(
            "低保、特困待遇按定期复核程序办理", field="entitlement", code="decision_review_workflow"
        )
    if ent.status == Entitlement.ENDED or hasattr(ent, "next"):
        raise IllegalTransition(
            "该待遇已终止或已变更，无需复核", field="entitlement", code="entitlement_ended"
        )
    if ent.next_review_on is None or ent.next_review_on > today:
        raise IllegalTransition("该待遇尚未到复核日期", field="entitlement", code="review_not_due")
    policy = current_policy()
    spec = policy.service(ent.service_code)
    _, result = snapshot.take(ent.household, ent.service_code, today, policy)
    start = add_months(today, 1)
    if not result.get("eligible"):
        failed = (
            "；".join(r["detail"] for r in snapshot.failed_reasons(result)) or "按政策规则测算不再符合条件"
        )
        ended = entitlement_stop(
            entitlement=ent, from_month=start, actor=actor, reason=f"复核不再符合条件：{failed}"
        )
        return ReviewOutcome("stopped", ended, f"复核不再符合条件，自 {start:%Y年%m月} 起停止：{failed}")
    review_on = add_months(today, spec.review_months or 12)
    rule = Decimal(result["amount"]) if result.get("amount") not in (None, "") else None
    if rule is not None and rule != ent.amount and ent.signed_by_id is None:
        new = entitlement_change(
            entitlement=ent,
            amount=rule,
            from_month=start,
            actor=actor,
            rule_amount=rule,
            reason="复核：按规则测算金额调整",
            next_review_on=review_on,
        )
        return ReviewOutcome("adjusted", new, f"复核符合条件，自 {start:%Y年%m月} 起按规则金额 {rule} 元发放")
    ent.next_review_on = review_on
    ent.save(update_fields=["next_review_on"])
    return ReviewOutcome("continued", ent, f"复核符合条件，继续享受，下次复核日期 {review_on.isoformat()}")
