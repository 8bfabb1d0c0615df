"""Fraud decisions (骗取, DOMAIN §7 "Fraud"; 社会救助暂行办法 第六十八条): assistance obtained by
false reporting, concealment or forgery is stopped, what was obtained is recovered, and a fine
of 1–3 × that amount may be imposed (``liability.fine_multiple``; a multiple outside the range
is refused). The letter states the facts, the amounts, the basis and the appeal rights.

``fraud_decide`` stops the entitlement from the month the fraud began: for every month since
then that a locked roll paid, the next roll of the paying unit carries a recovery line (追回,
``payments.rolls``); ``obtained`` is what the entitlement's lines paid from that month on.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import transaction

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import IllegalTransition, NotFound, ValidationFailed
from jiuzhu.common.labels import label
from jiuzhu.common.money import parse_decimal
from jiuzhu.common.params import parameter
from jiuzhu.policy import grants as rules
from jiuzhu.registry.models import User

from . import letters
from .entitlements import entitlement_stop, month_start
from .models import Entitlement, FraudDecision, LetterKind

BASIS = "《社会救助暂行办法》第六十八条"


# What an entitlement's lines paid is payments' to say. Payments sits above decisions (it pays
# entitlements), so it hands its reader in at start-up (PaymentsConfig.ready) instead of being
# imported from here.
PAID_SINCE: dict[str, Callable[[Entitlement, date], Decimal]] = {}


def register_paid_since(reader: Callable[[Entitlement, date], Decimal]) -> None:
    PAID_SINCE["payments"] = reader


def obtained_since(entitlement: Entitlement, from_month: date) -> Decimal:
    """What the entitlement's lines paid for the months from ``from_month`` (paid lines less
    what was already recovered)."""
    return Decimal(PAID_SINCE["payments"](entitlement, from_month)).quantize(Decimal("0.01"))


def _multiple(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return parse_decimal(value)
    except ValueError:
        raise ValidationFailed("罚款倍数无效", field="fine_multiple", code="bad_number") from None


@transaction.atomic
def fraud_decide(
    *,
    actor: User,
    entitlement: Entitlement | int,
    from_month: date,
    facts: str,
    fine_multiple=None,
    today: date | None = None,
) -> FraudDecision:
    """Record the decision: stop, recover, fine. Writes nothing when any part is refused."""
    from jiuzhu.policy.selectors import current_policy

    today = today or clock.today()
    pk = entitlement.pk if isinstance(entitlement, Entitlement) else int(entitlement)
    ent = Entitlement.objects.select_for_update().select_related("household", "unit").filter(pk=pk).first()
    if ent is None:
        raise NotFound("待遇不存在", field="entitlement")
    scope.require(actor, "fraud.decide", household=ent.household, unit=ent.unit)
    facts = values.note(facts, field="facts", label="查明的事实")
    if len(facts) < 4:
        raise ValidationFailed("须写明查明的骗取事实", field="facts", code="facts_required")
    if from_month is None:
        raise ValidationFailed("请填写骗取起始月份", field="from_month", code="required")
    from_month = month_start(from_month)
    if from_month < ent.start_month:
        raise ValidationFailed("骗取起始月份早于待遇起始月份", field="from_month", code="before_start")
    if from_month > today:
        raise ValidationFailed("骗取起始月份不能晚于本月", field="from_month", code="in_future")
    if ent.status == Entitlement.ENDED:
        raise IllegalTransition(
            "该待遇已终止，请对最新的待遇作出决定", field="entitlement", code="entitlement_ended"
        )
    obtained = obtained_since(ent, from_month)
    policy = current_policy()
    bounds = parameter(policy, "liability.fine_multiple", today)
    fine = rules.fraud_fine(
        obtained=obtained, multiple=_multiple(fine_multiple), low=bounds["min"], high=bounds["max"]
    )
    if fine.refused:
        raise ValidationFailed(fine.message, field="fine_multiple", code=fine.refused)
    reason = f"骗取救助：{facts}（{BASIS}）"
    entitlement_stop(entitlement=ent, from_month=from_month, actor=actor, reason=reason)
    multiple = _multiple(fine_multiple)
    service = label("service", ent.service_code)
    content = {
        "addressee": ent.payee.name,
        "opening": f"经查，{facts}。根据{BASIS}，决定如下：",
        "reasons": [{"detail": f"自 {from_month:%Y年%m月} 起停止发放“{service}”待遇"}],
        "recovery": f"{obtained:.2f}",
        "fine": f"{fine.fine:.2f}",
        "fine_multiple": None if multiple is None else f"{multiple:g}",
        "decisions": [
            f"自 {from_month:%Y年%m月} 起停止救助",
            f"责令退回骗取的救助资金 {obtained:.2f} 元",
            *([f"处骗取金额 {multiple:g} 倍罚款 {fine.fine:.2f} 元"] if multiple is not None else []),
        ],
        "basis": BASIS,
        "appeal": letters.appeal_rights(policy, today, authority="本机关"),
    }
    letter = letters.issue(
        kind=LetterKind.FRAUD, household=ent.household, content=content, actor=actor, today=today
    )
    decision = FraudDecision.objects.create(
        household=ent.household,
        entitlement=ent,
        from_month=from_month,
        facts=facts,
        obtained=obtained,
        fine_multiple=multiple,
        fine=fine.fine,
        letter=letter,
        decided_on=today,
        decided_by=actor,
    )
    return decision
