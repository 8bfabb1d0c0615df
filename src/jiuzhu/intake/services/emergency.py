"""Emergency aid first (先行救助): granted at the window before the full check, filed later."""

from __future__ import annotations

from datetime import date

from jiuzhu.common import clock, money, scope, values
from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.common.selectors import deadline
from jiuzhu.common.tx import bump, check_version, lock, racing_write
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import User

from .. import catalogue, selectors
from ..models import DESCRIPTION_MAX, Application, EmergencyAid
from ..ports import entitlements
from .base import close_if_done, event


def _emergency_entitlement(aid, *, application, actor: User, policy, today: date) -> None:
    """先行救助 is paid as a one-off entitlement of the emergency temporary-assistance service,
    owned by the town that paid it: the roll pays it, the fund ledger posts it and screening
    sees it like any grant (DOMAIN §7 "Lifecycle")."""
    codes = [s.code for s in catalogue.services(policy) if s.category == "temporary"]
    code = "temporary_emergency" if "temporary_emergency" in codes else (codes[0] if codes else None)
    if code is None:
        return
    entitlements().grant(
        household=application.household,
        payee=application.applicant,
        service_code=code,
        amount=aid.amount,
        amount_period="once",
        start_month=today.replace(day=1),
        actor=actor,
        policy=policy,
        unit=application.window,
        origin=f"先行救助 {application.tracking_code}",
        reason=aid.note or "先行救助",
        cause=aid.cause,
        # the words beside the cause: the window's, else the aid's own note
        cause_note=(application.emergency_cause_note if aid.cause == application.emergency_cause else "")
        or aid.note,
    )


@racing_write
def emergency_grant(
    *,
    actor: User,
    application: Application,
    amount=None,
    cause: str = "",
    note: str = "",
    today: date | None = None,
) -> EmergencyAid:
    """Staff of the receiving town's window (clerk or caseworker, scope row
    ``emergency.grant``) pay small emergency aid at once; the file is due within the policy's
    limit (demo: 10 working days).

    The amount is the rule's (``selectors.emergency_offer``: the temporary-assistance rule on
    the declared need, capped at the 先行救助 limit) when ``amount`` is not given — the
    window's one click; a typed amount may be lower, never above the rule's or the limit.
    ``cause`` defaults to the one declared with the request."""
    scope.require(actor, "emergency.grant", town=application.window_id)
    note = values.text(
        note, field="note", max_length=DESCRIPTION_MAX, required=False, multiline=True, label="情况说明"
    )
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.OPEN:
        raise IllegalTransition("该申请已办结，不能再先行救助", code="application_closed")
    if "emergency" not in application.needs:
        raise IllegalTransition("先行救助仅适用于申请了突发困难（急难）救助的情形", code="not_emergency")
    cause = cause or application.emergency_cause
    if cause not in dict(EmergencyAid.CAUSES):
        raise ValidationFailed("请选择急难原因", field="cause", code="required")
    today = today or clock.today()
    policy = current_policy()
    offer = selectors.emergency_offer(application, today=today, policy=policy)
    if amount is None or amount == "":
        if offer.amount is None:
            raise ValidationFailed(
                "规则未能算出先行救助金额（请登记急难所需金额）", field="amount", code="no_rule_amount"
            )
        amount = offer.amount
    amount = money.amount(amount)
    if offer.amount is not None and amount > offer.amount:
        raise ValidationFailed(
            f"先行救助金额不能超过规则核定的 {offer.amount:.2f} 元",
            field="amount",
            code="above_rule_amount",
            limit=f"{offer.amount:.2f}",
        )
    limit = offer.limit
    if amount > limit:
        raise ValidationFailed(
            f"先行救助金额不能超过 {limit:.2f} 元；更高金额请按临时救助程序审批",
            field="amount",
            code="over_emergency_limit",
            limit=f"{limit:.2f}",
        )
    # DOMAIN §3 Temporary: the same cause at most once in 12 months per household (month-end
    # clamping), counting aid first and temporary entitlements alike.
    entitlements().check_same_cause(household=application.household, cause=cause, on=today, policy=policy)
    due = deadline(today, catalogue.emergency_file_days(policy, today))
    aid = EmergencyAid.objects.create(
        application=application,
        household_id=application.household_id,
        cause=cause,
        amount=amount,
        note=note,
        granted_by=actor,
        granted_on=today,
        file_due_on=due.due,
    )
    _emergency_entitlement(aid, application=application, actor=actor, policy=policy, today=today)
    event(
        application,
        "emergency_granted",
        actor=actor,
        note=note,
        data={"amount": f"{amount:.2f}", "cause": cause, "file_due_on": due.due.isoformat()},
    )
    return aid


@racing_write
def emergency_complete(
    *, actor: User, aid: EmergencyAid, note: str = "", version: int | None = None, today: date | None = None
) -> EmergencyAid:
    """The file of an emergency aid is complete (recipient, cause, amount, signatures)."""
    aid = lock(
        EmergencyAid.objects.select_related("application"), aid, missing="先行救助记录不存在", field="aid"
    )
    scope.require(actor, "emergency.complete", town=aid.application.window_id)
    note = values.text(
        note, field="note", max_length=DESCRIPTION_MAX, required=False, multiline=True, label="说明"
    )
    check_version(aid, version, message="该记录已被他人更新，请刷新后重试")
    if aid.state != EmergencyAid.OPEN:
        raise IllegalTransition("该先行救助的手续已补齐", code="already_completed")
    completed_on = today or clock.today()
    bump(
        aid,
        state=EmergencyAid.COMPLETED,
        completed_on=completed_on,
        completed_by=actor,
        completion_note=note,
    )
    event(
        aid.application,
        "emergency_completed",
        actor=actor,
        note=note,
        data={"late": completed_on > aid.file_due_on},
    )
    close_if_done(aid.application, actor=actor)
    return aid
