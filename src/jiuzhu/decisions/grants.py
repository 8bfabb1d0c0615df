"""Grant control (发放有据, DOMAIN §7): every yuan a unit grants is the rule's yuan, or a
second person signed it.

``grant_control`` is called by ``intake.handling.referral_grant`` (through intake's port,
``jiuzhu.intake.ports``) while it holds the referral's lock: it works out the rule's amount for
the facts on file (the default), checks the officer's amount against it and against the
temporary-assistance tiers (``policy.grants.check_grant``), and either lets the grant go on (the
returned ``GrantPlan``) or records a ``GrantRequest`` held for a second signature — then nothing
is owed and nothing is paid. ``grant_sign`` (the approver; a joint decision with the members
present above the county tier) grants the referral and creates the entitlement in the same
transaction; ``grant_return`` sends it back to the officer.

Concurrency: both take the referral's row lock first (``select_for_update``; SQLite's
IMMEDIATE transaction serialises writers), then the request's, and check the state: of two
approvers signing at once the second finds it signed and is refused (``grant_not_pending``).
The database allows one pending request per referral.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from jiuzhu.common import clock, scope, values
from jiuzhu.common import masking as m
from jiuzhu.common.errors import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.common.roles import role_of
from jiuzhu.common.tx import racing_write
from jiuzhu.intake.ports import GrantPlan
from jiuzhu.policy import grants as rules
from jiuzhu.policy.rules.base import add_months_clamped
from jiuzhu.registry.models import User

from .frames import household_facts
from .grant_limits import check_medical_cap
from .models import Entitlement, EntitlementPeriod, GrantRequest
from .relatives import relatives_of

# The approval level each handling role signs at alone (DOMAIN §7: town caseworker ≤ 3 ×,
# county civil affairs ≤ 6 ×); a department officer grants at the first level.
ROLE_LEVEL = {m.TOWN_CASEWORKER: rules.OFFICER, m.DEPARTMENT_OFFICER: rules.OFFICER, m.APPROVER: rules.COUNTY}
RUNNING = (Entitlement.ACTIVE, Entitlement.GRADUAL_EXIT)


def rule_amount(*, household, service_code: str, on: date, policy) -> rules.RuleAmount:
    """The rules' amount for ``service_code`` on the household's facts on file ``on``."""
    from jiuzhu.intake import catalogue

    try:
        facts = household_facts(household, on)
    except Exception as exc:  # facts the rules refuse (InvalidFacts): nothing pre-checked
        return rules.RuleAmount(None, None, None, (f"政策规则未能测算：{getattr(exc, 'message', exc)}",))
    if facts is None:
        return rules.RuleAmount(None, None, None)
    if service_code.startswith("temporary_") and getattr(facts, "temporary", None) is None:
        # no temporary need on file: the amount is the need the unit finds, within the tiers
        return rules.RuleAmount(
            None, None, "once", ("家庭未登记临时困难及所需金额，按经办单位核定的实际需要给予",)
        )
    eligible, amount, period, reasons = catalogue.precheck(facts, on, policy, [service_code]).get(
        service_code, (None, None, None, [])
    )
    return rules.RuleAmount(eligible, amount, period, tuple(reasons))


def running(*, household, on: date):
    """The household's active entitlements that still run in ``on``'s month or later, whatever
    path created them. One-off grants count only in their own month."""
    month = on.replace(day=1)
    return (
        Entitlement.objects.filter(household=household, status__in=RUNNING)
        .filter(Q(end_month__isnull=True) | Q(end_month__gte=month))
        .exclude(Q(amount_period=EntitlementPeriod.ONCE) & Q(start_month__lt=month))
    )


def receiving(*, household, service_code: str, on: date, exclude_referral=None):
    """The household's running entitlements of ``service_code`` ("already receiving")."""
    qs = running(household=household, on=on).filter(service_code=service_code)
    if exclude_referral is not None:
        qs = qs.exclude(referral=exclude_referral)
    return qs


def last_same_cause(*, household, cause: str, on: date) -> date | None:
    """The last day the household got temporary aid (an entitlement of the temporary category,
    or emergency aid first) for ``cause`` on or before ``on``."""
    from jiuzhu.intake.models import EmergencyAid

    days = [
        timezone.localdate(at)
        for at in Entitlement.objects.filter(
            household=household, category="temporary", cause=cause
        ).values_list("created_at", flat=True)
    ]
    days += list(
        EmergencyAid.objects.filter(household=household, cause=cause).values_list("granted_on", flat=True)
    )
    days = [d for d in days if d <= on]
    return max(days) if days else None


def valid_report(*, household, on: date):
    """The household's latest verification report (original or served to a unit) valid on
    ``on``: read on or before it and not yet expired."""
    from jiuzhu.verification.models import VerificationReport

    return (
        VerificationReport.objects.filter(household=household, as_of__lte=on, valid_until__gte=on)
        .order_by("-as_of", "-id")
        .first()
    )


def needs_verification(policy, service_code: str) -> bool:
    from jiuzhu.intake import catalogue

    try:
        return catalogue.service(policy, service_code).needs_verification
    except NotFound:
        return False


def check_verified(*, household, service_code: str, service_name: str, on: date, policy):
    """DOMAIN §7 "Verification before decisions": a service the catalogue marks as needing
    verification (核对) is granted only with a valid report on file for the household.
    Returns the report (None for a service that needs none)."""
    if not needs_verification(policy, service_code):
        return None
    report = valid_report(household=household, on=on)
    if report is None:
        raise IllegalTransition(
            f"“{service_name}”须先经家庭经济状况核对：该家庭没有 {on.isoformat()} 仍有效的核对报告，"
            "请先申请核对，出具报告后再给予",
            field="verification",
            code="verification_report_required",
        )
    return report


def check_same_cause(*, household, cause: str, on: date, policy) -> None:
    """社会救助暂行办法 第四十九条 (demo): the same cause at most once in 12 months per household,
    counted with month-end clamping (aid on 2024-02-29 allows the cause again from 2025-02-28)."""
    if not cause:
        return
    last = last_same_cause(household=household, cause=cause, on=on)
    if last is None:
        return
    from jiuzhu.intake import catalogue

    months = catalogue.same_cause_months(policy, on)
    again = add_months_clamped(last, months)
    if on < again:
        raise IllegalTransition(
            f"该家庭已于 {last.isoformat()} 因同一事由获得临时救助，{months}个月内不再给予"
            f"（{again.isoformat()} 起可再次申请）",
            field="cause",
            code="same_cause_within_12_months",
            last=last.isoformat(),
            again=again.isoformat(),
        )


def _tier_inputs(policy, household, on: date):

    standard = Decimal(parameter(policy, "dibao.standard", on, area=household.area))
    multiples = parameter(policy, "temporary.multiple", on)
    return standard, multiples


def grant_control(
    r,
    *,
    actor: User,
    amount,
    period: str | None,
    start_month: date,
    reason: str,
    today: date,
    policy,
    up_to_top_tier: bool = False,
) -> GrantPlan:
    """Decide a unit's grant on referral ``r`` (locked by the caller). ``amount`` None means the
    rule's amount. Raises for a grant nobody may make; returns a plan with ``held`` set when
    the grant waits for a second signature.

    Temporary assistance has no grant above the top tier (DOMAIN §7): such an amount is
    refused (``above_top_tier``), unless ``up_to_top_tier`` says the amount is the need found
    — then the top tier is held for the joint decision and the rest is referred to charity
    (recorded on the request as ``need_amount``)."""
    amount = values.money(amount, field="amount", required=False, label="给予金额")
    reason = values.note(reason, field="note", label="理由")
    household = r.application.household
    if receiving(
        household=household, service_code=r.service_code, on=start_month, exclude_referral=r
    ).exists():
        raise IllegalTransition(
            f"该家庭已在享受“{r.service_name}”，不能重复给予", field="service", code="already_receiving"
        )
    if GrantRequest.objects.filter(referral=r, state=GrantRequest.PENDING).exists():
        raise Conflict("该事项已有待签批的给付，请等待签批结果", field="amount", code="grant_pending")
    if r.category == "temporary":
        check_same_cause(household=household, cause=r.cause, on=today, policy=policy)
    report = check_verified(
        household=household, service_code=r.service_code, service_name=r.service_name, on=today, policy=policy
    )
    rule = rule_amount(household=household, service_code=r.service_code, on=today, policy=policy)
    relatives = relatives_of(household)
    if amount is None:
        if rule.by_need or not rule.eligible:
            raise ValidationFailed(
                "规则未测算出金额，请填写给予金额并写明理由", field="amount", code="amount_required"
            )
        amount = rule.amount
    period = period or rule.period or "month"
    standard = multiples = split = None
    if r.category == "temporary":
        standard, multiples = _tier_inputs(policy, household, today)
        if up_to_top_tier:
            split = rules.top_tier_split(need=amount, standard=standard, multiples=multiples)
            if split is not None:
                amount = split.amount
    check = rules.check_grant(
        amount=amount,
        rule=rule,
        actor_level=ROLE_LEVEL.get(role_of(actor), rules.OFFICER),
        category=r.category,
        standard=standard,
        multiples=multiples,
        close_relative=bool(relatives),
        officer_limit=rules.officer_limit(policy, service_code=r.service_code, category=r.category, on=today),
    )
    if check.refused:
        extra = {"limit": f"{check.limit:.2f}"} if check.limit is not None else {}
        raise ValidationFailed(check.message, field="amount", code=check.refused, **extra)
    check_medical_cap(
        policy,
        service_code=r.service_code,
        person=r.application.applicant,
        amount=amount,
        start_month=start_month,
    )
    if split is not None:
        check.why.insert(0, split.why)
    if check.reason_required and len(reason.strip()) < 4:
        raise ValidationFailed(
            "给予金额与规则测算金额不同，须写明理由（不少于4个字）：" + "；".join(check.why),
            field="note",
            code="reason_required",
        )
    rule_figure = None if rule.by_need else (rule.amount if rule.eligible else Decimal("0.00"))
    if not check.held:
        return GrantPlan(amount=amount, period=period, rule_amount=rule_figure)
    held = GrantRequest.objects.create(
        referral=r,
        household=household,
        service_code=r.service_code,
        service_name=r.service_name,
        category=r.category,
        unit=r.unit,
        amount=amount,
        amount_period=period,
        start_month=start_month,
        rule_amount=rule_figure,
        rule_eligible=rule.eligible,
        need_amount=split.need if split else None,
        level=check.level,
        reason=reason.strip(),
        why=check.why,
        close_relative=bool(relatives),
        relatives=relatives,
        made_by=actor,
        made_on=today,
    )
    from jiuzhu.intake.services import event

    event(
        r.application,
        "grant_held",
        actor=actor,
        referral=r,
        note=reason,
        data={
            "amount": f"{amount:.2f}",
            "level": check.level,
            "request": held.pk,
            "rest_to_charity": f"{split.rest:.2f}" if split else None,
            "verification_report": report.pk if report else None,
        },
    )
    return GrantPlan(amount=amount, period=period, rule_amount=rule_figure, held=held)


def _lock(request_id: int):
    from jiuzhu.intake.models import Referral

    try:
        req = GrantRequest.objects.get(pk=request_id)
    except GrantRequest.DoesNotExist:
        raise NotFound("待签批给付不存在", field="request") from None
    r = Referral.objects.select_for_update().select_related("application", "unit").get(pk=req.referral_id)
    req = GrantRequest.objects.select_for_update().get(pk=request_id)
    if req.state != GrantRequest.PENDING:
        raise IllegalTransition(
            f"该给付已{req.get_state_display()}，不能再签批", field="request", code="grant_not_pending"
        )
    return r, req


def _check_signer(actor: User, req: GrantRequest) -> None:
    scope.require(actor, "grant.sign", unit=req.unit)
    if actor.pk == req.made_by_id:
        raise PermissionDenied("提请人不能签批本人提请的给付（须另一人签批）", code="same_person")
    if any(x.get("staff") == actor.pk for x in req.relatives):
        raise PermissionDenied(
            "工作人员不能签批给予本人近亲属（或本人家庭）的救助", code="relative_of_signer"
        )


def joint_min_members(policy, on: date) -> int:
    return int(parameter(policy, "temporary.joint_min_members", on))


@racing_write
def grant_sign(
    *,
    actor: User,
    request: GrantRequest | int,
    note: str = "",
    joint_met_on: date | None = None,
    joint_members=(),
    joint_minutes: str = "",
    today: date | None = None,
) -> GrantRequest:
    """The second signature: the referral is granted and the entitlement created now (paid
    from its start month by the next roll). Above the county tier the joint decision must be
    recorded: the meeting's date, at least ``temporary.joint_min_members`` members present
    (name and unit) and the minutes."""
    from jiuzhu.intake.handling import do_grant
    from jiuzhu.intake.models import Referral
    from jiuzhu.policy.selectors import current_policy

    today = today or clock.today()
    r, req = _lock(request.pk if isinstance(request, GrantRequest) else int(request))
    _check_signer(actor, req)
    note = values.note(note, field="note", label="签批意见")
    if req.level == GrantRequest.JOINT:
        members = values.names(joint_members, field="joint_members", max_length=100, label="出席成员")
        joint_minutes = values.note(joint_minutes, field="joint_minutes", label="会议纪要")
        need = joint_min_members(current_policy(), today)
        if joint_met_on is None or joint_met_on == "":
            raise ValidationFailed(
                "请填写“一事一议”会议日期", field="joint_met_on", code="joint_date_required"
            )
        joint_met_on = values.past_date(joint_met_on, field="joint_met_on", label="会议日期")
        if len(set(members)) < need:
            raise ValidationFailed(
                f"“一事一议”须记录出席成员（至少{need}人）",
                field="joint_members",
                code="joint_members_required",
            )
        if len(joint_minutes) < 4:
            raise ValidationFailed("请填写会议纪要", field="joint_minutes", code="joint_minutes_required")
        req.joint_met_on, req.joint_members, req.joint_minutes = joint_met_on, members, joint_minutes
    # settlements or other grants may have used the year's medical cap while this one waited
    check_medical_cap(
        current_policy(),
        service_code=req.service_code,
        person=r.application.applicant,
        amount=req.amount,
        start_month=req.start_month,
        exclude_request=req,
    )
    if r.state != Referral.IN_PROGRESS:
        raise IllegalTransition(
            f"该事项当前状态为“{r.get_state_display()}”，不能签批给付",
            field="request",
            code="referral_closed",
        )
    do_grant(
        r,
        actor=actor,
        amount=req.amount,
        period=req.amount_period,
        start_month=req.start_month,
        # above the top tier: the chain and the entitlement say where the rest went
        note=req.reason if req.need_amount is None else f"{req.reason}；{req.why[0]}",
        today=today,
        rule_amount=req.rule_amount,
        signed_by=actor,
    )
    req.state, req.signed_by, req.signed_on, req.sign_note = GrantRequest.SIGNED, actor, today, note
    req.entitlement = Entitlement.objects.filter(referral=r).order_by("-id").first()
    req.save()
    return req


@transaction.atomic
def grant_return(
    *, actor: User, request: GrantRequest | int, note: str, today: date | None = None
) -> GrantRequest:
    """Send a held grant back: nothing is granted; the officer may grant the rule's amount,
    make a new request or refuse."""
    from jiuzhu.intake.services import event

    note = values.note(note, field="note", label="退回理由")
    if len(note) < 4:
        raise ValidationFailed("退回须写明理由", field="note", code="reason_required")
    r, req = _lock(request.pk if isinstance(request, GrantRequest) else int(request))
    _check_signer(actor, req)
    req.state, req.signed_by, req.signed_on, req.sign_note = (
        GrantRequest.REJECTED,
        actor,
        today or clock.today(),
        note,
    )
    req.save()
    event(r.application, "grant_returned", actor=actor, referral=r, note=note, data={"request": req.pk})
    return req


def pending_for(referral) -> GrantRequest | None:
    return GrantRequest.objects.filter(referral=referral, state=GrantRequest.PENDING).first()
