"""The decision workflow (审核确认) for dibao and extreme poverty (最低生活保障审核确认办法;
特困人员认定办法): open from an intake referral at the town → investigation by at least two
staff → initial opinion with the rules' result frozen → public notice (``notices``) →
objections handled → approval or refusal by an approver → letter → entitlement, and the result
fed back to intake (the window, the applicant's tracking page, the household's chain).

Every write is one transaction with keyword-only arguments. ``_lock`` takes the case's row
lock (SELECT … FOR UPDATE) before the state is checked, so two approvers acting at once cannot
both decide: the second sees the first one's result and is refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import Conflict, IllegalTransition, NotFound, ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.common.selectors import deadline
from jiuzhu.common.tx import bump, check_version, lock, racing_write
from jiuzhu.intake import handling
from jiuzhu.intake.models import Referral
from jiuzhu.intake.services import event
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Person, User

from . import letters, notices, snapshot
from .entitlements import add_months, entitlement_grant
from .grants import valid_report
from .models import (
    Case,
    EntitlementPeriod,
    ExtensionGround,
    Investigation,
    InvestigationKind,
    Letter,
    Objection,
)
from .scope import is_decision_service

MIN_STAFF = 2  # 最低生活保障审核确认办法 第十五条: at least two staff


def _limit(policy, on: date, step: str) -> int:
    return int(parameter(policy, "dibao.time_limits", on, step=step))


def ensure_caseworker(actor: User, case_town_id: int) -> None:
    """Scope table ``case.work``: the caseworker of the case's own town."""
    scope.require(actor, "case.work", town=case_town_id)


def ensure_approver(actor: User) -> None:
    """Scope table ``case.approve``."""
    scope.require(actor, "case.approve")


def _lock(case: Case | int, version: int | None = None) -> Case:
    c = lock(
        Case.objects.select_related("household", "town"), case, missing="审核确认案件不存在", field="case"
    )
    check_version(c, version, message="该案件已被他人处理，请刷新后重试")
    return c


def _expect(c: Case, *states: str, action: str) -> None:
    if c.state not in states:
        raise IllegalTransition(
            f"案件当前为“{c.get_state_display()}”，不能{action}",
            field="case",
            code="wrong_state",
            state=c.state,
        )


def milestone(c: Case, kind: str, *, actor: User | None, note: str, data: dict | None = None) -> None:
    """An intake event on the case's application, so the window, the applicant and the
    household's chain see the step."""
    if c.referral is not None:
        r = c.referral
        event(r.application, kind, actor=actor, referral=r, note=note, data=data or {})


def _relatives(household) -> list[dict]:
    from .relatives import relatives_of

    return relatives_of(household)


# --- open ---------------------------------------------------------------------------------------


@transaction.atomic
def case_open(*, actor: User, referral: Referral | int, today: date | None = None) -> Case:
    """The town caseworker takes up a dibao/extreme-poverty referral of a household of his
    town. The 30-working-day limit runs from the day the window accepted the application."""
    today = today or clock.today()
    pk = referral.pk if isinstance(referral, Referral) else int(referral)
    r = Referral.objects.select_for_update().select_related("application__household").filter(pk=pk).first()
    if r is None:
        raise NotFound("分办事项不存在", field="referral")
    hh = r.application.household
    ensure_caseworker(actor, hh.town_id)
    if not is_decision_service(r.service_code):
        raise ValidationFailed(
            f"“{r.service_name}”不需审核确认", field="referral", code="not_decision_service"
        )
    if Case.objects.filter(referral=r).exists():
        raise Conflict("该事项已启动审核确认", field="referral", code="case_exists")
    if r.state not in Referral.OPEN_STATES:
        raise IllegalTransition("该分办事项已办结", field="referral", code="referral_closed")
    policy = current_policy()
    received = r.application.received_on
    limit = _limit(policy, received, "total")
    due = deadline(received, limit)
    relatives = _relatives(hh)
    c = Case.objects.create(
        household=hh,
        referral=r,
        service_code=r.service_code,
        service_name=r.service_name,
        category=r.category,
        town=hh.town,
        received_on=received,
        opened_on=today,
        opened_by=actor,
        limit_days=limit,
        due_on=due.due,
        due_warning="；".join(due.warnings)[:300],
        close_relative=bool(relatives),
        relatives=relatives,
    )
    if r.state == Referral.REFERRED:
        handling.do_accept(r, actor=actor, note="镇街启动审核确认")
    handling.do_set_due(r, due_on=c.due_on, reason="按审核确认办理时限计算", actor=actor)
    note = f"启动审核确认，须于 {c.due_on.isoformat()} 前办结"
    if relatives:
        note += "；该家庭有工作人员近亲属备案，须审批人单独签批"
    milestone(c, "decision_opened", actor=actor, note=note, data={"case": c.pk})
    return c


# --- investigation ------------------------------------------------------------------------------


@transaction.atomic
def investigation_record(
    *, actor: User, case: Case | int, kind: str, done_on: date, staff_names: list[str], findings: str
) -> Investigation:
    c = _lock(case)
    if kind not in InvestigationKind.values:
        raise ValidationFailed(f"未知的调查方式：{kind}", field="kind", code="unknown_kind")
    if kind == Investigation.COUNTY_VISIT:
        ensure_approver(actor)
    else:
        ensure_caseworker(actor, c.town_id)
    _expect(c, *Case.OPEN_STATES, action="登记调查")
    names = values.names(staff_names, field="staff_names", label="调查人员")
    if len(set(names)) < MIN_STAFF:
        raise ValidationFailed(
            "调查核实须由2名以上工作人员进行，请填写全部调查人员",
            field="staff_names",
            code="two_staff_required",
        )
    findings = values.note(findings, field="findings", label="调查情况", required=True)
    done_on = values.past_date(done_on, field="done_on", label="调查日期")
    inv = Investigation.objects.create(
        case=c, kind=kind, done_on=done_on, staff_names=names, findings=findings, recorded_by=actor
    )
    bump(c)
    milestone(c, "decision_investigated", actor=actor, note=f"{inv.get_kind_display()}（{'、'.join(names)}）")
    return inv


# --- initial opinion ----------------------------------------------------------------------------


@transaction.atomic
def opinion_give(
    *, actor: User, case: Case | int, recommend: str, note: str = "", today: date | None = None, version=None
) -> Case:
    """The town's initial opinion (初审意见). The rules run on the registry as it is today and
    their result is frozen on the case with the facts, the review cycle and the verification
    report (when one exists). Approve → public notice; refuse → to the approver."""
    today = today or clock.today()
    c = _lock(case, version)
    ensure_caseworker(actor, c.town_id)
    _expect(c, Case.INVESTIGATING, action="提出初审意见")
    if recommend not in ("approve", "refuse"):
        raise ValidationFailed("初审意见应为同意或不同意", field="recommend", code="invalid")
    done = set(c.investigations.values_list("kind", flat=True))
    missing = [
        label for k, label in InvestigationKind.choices if k in Investigation.REQUIRED and k not in done
    ]
    if missing:
        raise ValidationFailed(
            f"尚未完成：{'、'.join(missing)}", field="investigations", code="investigation_incomplete"
        )
    note = values.note(note, field="note", label="初审说明")
    policy = current_policy()
    facts, result = snapshot.take(c.household, c.service_code, today, policy)
    if recommend == "approve" and not result["eligible"]:
        raise ValidationFailed(
            "按政策规则测算该家庭不符合条件，不能提出同意意见", field="recommend", code="rules_not_eligible"
        )
    if recommend == "refuse" and not note and result["eligible"]:
        raise ValidationFailed(
            "规则测算符合条件而提出不同意意见的，须写明理由", field="note", code="required"
        )
    from jiuzhu.verification.models import VerificationReport

    report = (
        VerificationReport.objects.filter(household=c.household, service_code=c.service_code)
        .order_by("-issued_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    relatives = _relatives(c.household)  # declared since the case was opened count too
    bump(
        c,
        close_relative=c.close_relative or bool(relatives),
        relatives=relatives or c.relatives,
        opinion=recommend,
        opinion_note=note,
        opinion_on=today,
        opinion_by=actor,
        facts=facts,
        result=result,
        verification_report_id=report,
        amount=Decimal(result["amount"]) if result["eligible"] else None,
    )
    text = "同意" if recommend == "approve" else "不同意"
    milestone(c, "decision_opinion", actor=actor, note=f"镇街初审意见：{text}。{note}".strip())
    if recommend == "approve":
        notices.publish(case=c, actor=actor, today=today)
        bump(c, state=Case.NOTICE)
    else:
        bump(c, state=Case.DECISION)
    return c


# --- deadline extension -------------------------------------------------------------------------


@transaction.atomic
def deadline_extend(*, actor: User, case: Case | int, ground: str, note: str = "") -> Case:
    """Extend the limit to 45 working days on a recorded ground (DOMAIN §3)."""
    c = _lock(case)
    if not scope.allows(actor, "case.approve"):
        ensure_caseworker(actor, c.town_id)
    _expect(c, *Case.OPEN_STATES, action="延长期限")
    return extend(c, ground=ground, note=values.note(note, field="note", label="延长说明"), actor=actor)


def extend(c: Case, *, ground: str, note: str, actor: User | None) -> Case:
    """(Inside a locked transaction.) No-op when the case was already extended."""
    if ground not in ExtensionGround.values:
        raise ValidationFailed("延长办理期限须有法定情形", field="ground", code="extension_ground_required")
    if c.extension_ground:
        return c
    limit = _limit(current_policy(), c.received_on, "total_extended")
    due = deadline(c.received_on, limit)
    bump(c, extension_ground=ground, extension_note=(note or "").strip(), limit_days=limit, due_on=due.due)
    label = ExtensionGround(ground).label
    if c.referral_id:
        r = Referral.objects.select_for_update().get(pk=c.referral_id)
        if r.state in Referral.OPEN_STATES:
            handling.do_set_due(r, due_on=c.due_on, reason=f"审核确认期限延长（{label}）", actor=actor)
    milestone(c, "decision_extended", actor=actor, note=f"办理期限延长至 {c.due_on.isoformat()}（{label}）")
    return c


# --- close relatives ----------------------------------------------------------------------------


@transaction.atomic
def relative_signoff(*, actor: User, case: Case | int, note: str, today: date | None = None) -> Case:
    """The approver's explicit sign-off for a close relative of staff, after the county's
    own home visit is recorded (最低生活保障审核确认办法 第二十条)."""
    today = today or clock.today()
    c = _lock(case)
    ensure_approver(actor)
    if not c.close_relative:
        raise ValidationFailed("该家庭无近亲属备案，无需单独签批", field="case", code="not_close_relative")
    _expect(c, *Case.OPEN_STATES, action="签批")
    if not c.investigations.filter(kind=Investigation.COUNTY_VISIT).exists():
        raise ValidationFailed(
            "近亲属申请须先由县级民政部门入户核查", field="investigations", code="county_visit_required"
        )
    note = values.note(note, field="note", label="签批意见", required=True)
    bump(c, relative_signoff_by=actor, relative_signoff_on=today, relative_signoff_note=note)
    milestone(c, "decision_relative_signoff", actor=actor, note="审批人对近亲属申请单独签批")
    return c


# --- decision -----------------------------------------------------------------------------------


def _check_decidable(c: Case, today: date) -> int:
    """Everything a decision (approval or refusal) needs; returns the verification report's id."""
    if c.notices.filter(objections__state=Objection.OPEN).exists():
        raise IllegalTransition("公示异议尚未处理完毕", field="case", code="objection_open")
    if c.close_relative and c.relative_signoff_by_id is None:
        raise IllegalTransition(
            "该家庭有工作人员近亲属备案，须审批人单独签批", field="case", code="relative_signoff_required"
        )
    return check_verified(c, today)


def check_verified(c: Case, today: date) -> int:
    """DOMAIN §7 "Verification before decisions" (最低生活保障审核确认办法 第十七条; 特困人员认定办法
    第十二条): dibao and extreme-poverty cases are approved or refused only with a finished
    verification (核对) report on file for the household, still valid on the day of the decision.
    Returns its id (frozen on the case with the decision)."""
    report = valid_report(household=c.household, on=today)
    if report is None:
        raise IllegalTransition(
            f"该家庭没有 {today.isoformat()} 仍有效的家庭经济状况核对报告，不能作出{c.service_name}审批决定；"
            "请先申请核对，核对报告出具后再审批",
            field="verification",
            code="verification_report_required",
        )
    return report.pk


def _check_county_sample(c: Case, policy, today: date) -> None:
    """特困人员认定办法 第十六条: the county checks at least 30 % of extreme-poverty cases
    itself (tekun.county_sample_rate). An approval that would bring this year's share of
    county-checked approvals below the rate needs the county's own visit first."""
    if c.category != "extreme_poverty" or c.investigations.filter(kind=Investigation.COUNTY_VISIT).exists():
        return
    rate = Decimal(parameter(policy, "tekun.county_sample_rate", today))
    year = Case.objects.filter(category="extreme_poverty", state=Case.APPROVED, decided_on__year=today.year)
    checked = year.filter(investigations__kind=Investigation.COUNTY_VISIT).distinct().count()
    if Decimal(checked) < rate * (year.count() + 1):
        raise IllegalTransition(
            f"本年度县级核查的特困人员认定比例须不低于{rate * 100:.0f}%，请先登记县级入户核查",
            field="investigations",
            code="county_check_required",
        )


def _refresh_from_notice(c: Case, today: date) -> None:
    """A notice whose last day has passed moves the case on to the approver."""
    if c.state == Case.NOTICE:
        running = notices.current(c)
        if running is not None and running.ends_on < today:
            bump(c, state=Case.DECISION)


def _members(c: Case) -> list[Person]:
    ids = c.result.get("members") or []
    people = list(Person.objects.filter(pk__in=ids).order_by("id"))
    return people or snapshot.living_members(c.household, c.opinion_on or c.opened_on)


def _payee(c: Case, members: list[Person]) -> Person:
    applicant_id = c.referral.application.applicant_id if c.referral is not None else None
    for p in members:
        if p.pk == applicant_id:
            return p
    return members[0]


def payee_of(c: Case) -> Person:
    """Who the entitlement will be paid to if ``c`` is approved: the applicant when he is
    covered, else the first covered member."""
    return _payee(c, _members(c))


def has_account(person: Person) -> bool:
    """Has ``person`` a confirmed bank account (the only kind a roll pays; a change still
    waiting for its second person does not count)?"""
    return Person.objects.filter(pk=person.pk, bank_account__isnull=False).exists()


def _authority(actor: User) -> str:
    return getattr(actor.unit, "name", "") or "民政部门"


@racing_write
def case_approve(
    *,
    actor: User,
    case: Case | int,
    note: str = "",
    today: date | None = None,
    version=None,
    without_account: bool = False,
) -> Case:
    """Approve: entitlement for the whole covered household with the rules' amount from the
    month after approval, next review after the service's cycle; letter; feedback to intake.

    The payee should have a confirmed bank account by now (captured at the window or on the
    case page, confirmed by a second person), else the first roll holds his money. The right
    to assistance does not depend on it, so the approver may still approve without one, but
    only by saying so (``without_account``); otherwise the approval is refused with
    ``payee_account_missing`` and nothing is written."""
    today = today or clock.today()
    c = _lock(case, version)
    ensure_approver(actor)
    note = values.note(note, field="note", label="审批意见")
    _refresh_from_notice(c, today)
    if c.state == Case.NOTICE:
        raise IllegalTransition("公示期未满，不能审批", field="case", code="notice_running")
    _expect(c, Case.DECISION, action="批准")
    report_id = _check_decidable(c, today)
    if c.opinion != "approve" or not c.result.get("eligible"):
        raise IllegalTransition(
            "镇街初审意见为不同意或规则测算不符合条件", field="case", code="rules_not_eligible"
        )
    policy = current_policy()
    _check_county_sample(c, policy, today)
    members = _members(c)
    payee = _payee(c, members)
    if not without_account and not has_account(payee):
        raise ValidationFailed(
            "本案领取人尚无经复核的收款银行账户，批准后首月发放将被暂停。请先登记并复核账户，"
            "或勾选“尚无收款账户，仍予批准”后再批准",
            field="without_account",
            code="payee_account_missing",
        )
    start = add_months(today, 1)
    review_on = add_months(start, int(c.result.get("review_months") or 12))
    amount = Decimal(c.result["amount"])
    referral = None
    if c.referral_id:
        referral = Referral.objects.select_for_update().get(pk=c.referral_id)
        if referral.state not in Referral.OPEN_STATES:
            raise IllegalTransition("对应的分办事项已办结", field="referral", code="referral_closed")
    ent = entitlement_grant(
        household=c.household,
        payee=payee,
        members=members,
        service_code=c.service_code,
        amount=amount,
        amount_period=EntitlementPeriod.MONTH,
        start_month=start,
        next_review_on=review_on,
        actor=actor,
        policy=policy,
        referral=referral,
        origin=f"审核确认 #{c.pk}",
        reason=(note or "审批同意").strip(),
        rule_amount=amount,  # the rules' amount frozen at the initial opinion
    )
    bump(
        c,
        state=Case.APPROVED,
        decided_on=today,
        decided_by=actor,
        decision_note=(note or "").strip(),
        amount=amount,
        start_month=start,
        entitlement=ent,
        verification_report_id=report_id,
    )
    letter = letters.issue(
        kind=Letter.APPROVAL,
        household=c.household,
        case=c,
        actor=actor,
        today=today,
        content={
            "title": f"{c.service_name}批准决定书",
            "addressee": payee.name,
            "opening": f"你（户）申请的{c.service_name}，经调查核实、公示和审核，符合条件，决定予以批准。",
            "amount": f"{amount:.2f}",
            "start_month": start.isoformat()[:7],
            "members": [p.name for p in members],
            "next_review_on": review_on.isoformat(),
            "basis": c.result.get("basis", ""),
            "reasons": [r for r in c.result.get("reasons", []) if r["passed"]],
            "authority": _authority(actor),
        },
    )
    if referral is not None:
        handling.do_grant(
            referral,
            actor=actor,
            amount=amount,
            period="month",
            start_month=start,
            note=f"审核确认批准（{letter.number}）",
            today=today,
        )
    return c


@racing_write
def case_refuse(
    *,
    actor: User,
    case: Case | int,
    reasons: str = "",
    alternatives: list[str] | None = None,
    today: date | None = None,
    version=None,
) -> Case:
    """Refuse in writing: the reasons with the figures compared (the rules' failed criteria,
    and the approver's own), the rule, the alternatives and the appeal rights. A letter
    missing any of them is not issued (``letters.check_adverse``)."""
    today = today or clock.today()
    c = _lock(case, version)
    ensure_approver(actor)
    reasons = values.note(reasons, field="reasons", label="不予批准理由")
    alternatives = [
        values.text(x, field="alternatives", max_length=200, label="其他救助途径")
        for x in alternatives or []
        if x
    ]
    _refresh_from_notice(c, today)
    if c.state == Case.NOTICE:
        raise IllegalTransition("公示期未满，不能审批", field="case", code="notice_running")
    _expect(c, Case.DECISION, action="作出不予批准决定")
    report_id = _check_decidable(c, today)
    policy = current_policy()
    failed = snapshot.failed_reasons(c.result)
    extra = reasons
    listed = list(failed)
    if c.opinion_note and c.opinion == "refuse":
        listed.append(
            {"rule": "town_opinion", "basis": "镇街调查核实", "passed": False, "detail": c.opinion_note}
        )
    if extra:
        listed.append({"rule": "approver", "basis": "审核确认", "passed": False, "detail": extra})
    bases = list(dict.fromkeys([c.result.get("basis", "")] + [r["basis"] for r in failed]))
    hh_members = snapshot.living_members(c.household, today)
    addressee = c.referral.application.applicant.name if c.referral is not None else hh_members[0].name
    content: dict[str, Any] = {
        "title": f"{c.service_name}不予批准决定书",
        "addressee": addressee,
        "opening": f"你（户）申请的{c.service_name}，经调查核实和审核，不符合条件，决定不予批准。",
        "reasons": listed,
        "basis": "；".join(b for b in bases if b),
        "alternatives": letters.alternatives(c.result, policy, alternatives),
        "appeal": letters.appeal_rights(policy, today, authority=_authority(actor)),
        "authority": _authority(actor),
    }
    letter = letters.issue(
        kind=Letter.REFUSAL, household=c.household, case=c, actor=actor, today=today, content=content
    )
    bump(
        c,
        state=Case.REFUSED,
        decided_on=today,
        decided_by=actor,
        decision_note=extra,
        verification_report_id=report_id,
    )
    if c.referral_id:
        r = Referral.objects.select_for_update().get(pk=c.referral_id)
        if r.state in Referral.OPEN_STATES:
            handling.do_refuse(
                r,
                actor=actor,
                reasons="；".join(x["detail"] for x in listed)[:2000],
                basis=content["basis"],
                alternatives="；".join(a["text"] for a in content["alternatives"]),
                today=today,
            )
        milestone(c, "decision_letter", actor=actor, note=f"送达不予批准决定书 {letter.number}")
    return c
