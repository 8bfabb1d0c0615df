"""A unit's handling of a referral (协同办理): accept, ask for supplementary material (补正),
material arrives, transfer (转办), feedback (反馈: granted, refused, handed to a charity).

Each action is a ``check_``/``do_`` pair (STYLE: Zulip's actions). ``check_referral`` takes
the row lock (SELECT … FOR UPDATE on PostgreSQL; SQLite's IMMEDIATE transaction serialises
writers), then checks permission, the version the caller saw and the state. The ``do_``
functions must be called while holding that lock, in the same transaction: so of two officers
acting at once, the second sees the first one's result and is refused (``IllegalTransition``
or, when he sent the version he saw, ``Conflict``).
"""

from __future__ import annotations

from datetime import date

from jiuzhu.common import clock, money, scope, values
from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.common.selectors import deadline, holiday_table
from jiuzhu.common.tx import bump, check_version, lock, racing_write
from jiuzhu.common.workdays import workdays_between
from jiuzhu.policy.selectors import current_policy
from jiuzhu.registry.models import Unit, User

from . import grant_checks
from .models import AmountPeriod, Referral
from .notify import notify
from .ports import entitlements
from .services import (
    close_if_done,
    ensure_window_of,
    event,
)

R = Referral
# action -> (states it may start from, label for messages)
TRANSITIONS = {
    "accept": ({R.REFERRED}, "签收"),
    "request_supplement": ({R.REFERRED, R.IN_PROGRESS}, "要求补正材料"),
    "receive_supplement": ({R.PAUSED}, "登记补正材料送达"),
    "transfer": ({R.REFERRED, R.IN_PROGRESS}, "转办"),
    "grant": ({R.IN_PROGRESS}, "反馈给予救助"),
    "refuse": ({R.IN_PROGRESS}, "反馈不予救助"),
    "charity": ({R.IN_PROGRESS}, "转介慈善力量"),
}
# Material may be brought to the window or straight to the unit.
WINDOW_ACTIONS = frozenset({"receive_supplement"})
# Dibao and extreme-poverty referrals are answered by a decision (the decisions app, which
# opens its case from the referral), never by the plain feedback: investigation, notice and
# the approver's sign-off come first. Which services those are is the policy file's
# (``ServiceSpec.by_decision``).
DECISION_ACTIONS = frozenset({"grant", "refuse"})


def _needs_decision(referral: Referral, action: str) -> bool:
    return action in DECISION_ACTIONS and current_policy().by_decision(referral.service_code)


def allowed_actions(referral: Referral, user) -> list[str]:
    """The actions ``user`` could take on ``referral`` now (for screens: show only these)."""
    out = []
    for action, (states, _) in TRANSITIONS.items():
        if referral.state not in states or _needs_decision(referral, action):
            continue
        try:
            _check_permission(referral, user, action)
        except PermissionDenied:
            continue
        out.append(action)
    return out


def _check_permission(referral: Referral, actor: User, action: str) -> None:
    if action in WINDOW_ACTIONS and actor.unit_id == referral.application.window_id:
        ensure_window_of(actor, referral.application)
        return
    scope.require(actor, "referral.handle")
    if not scope.allows(actor, "referral.handle", unit=referral.unit_id):
        raise scope.OutOfScope(f"该事项由{referral.unit.name}办理，不能代其他单位操作", field="unit")


def check_referral(*, actor: User, referral_id: int, action: str, version: int | None = None) -> Referral:
    """Lock the referral and check that ``actor`` may ``action`` it now. Must run inside the
    caller's transaction; returns the locked, fresh row."""
    r = lock(
        Referral.objects.select_related("application", "application__window", "unit"),
        referral_id,
        missing="分办事项不存在",
        field="referral",
    )
    states, label = TRANSITIONS[action]
    _check_permission(r, actor, action)
    if _needs_decision(r, action):
        raise IllegalTransition(
            f"“{r.service_name}”须经审核确认（调查、公示、审批）后作出决定，不能直接反馈",
            field="action",
            code="decision_required",
        )
    check_version(
        r, version, message=f"该事项已被他人处理（当前状态：{r.get_state_display()}），请刷新后重试"
    )
    if r.state not in states:
        if r.state not in Referral.OPEN_STATES:
            raise IllegalTransition(
                f"该事项已{r.get_state_display()}，已经结束，不能再{label}",
                code="referral_closed",
                state=r.state,
            )
        raise IllegalTransition(
            f"当前状态为“{r.get_state_display()}”，不能{label}", code=f"cannot_{action}", state=r.state
        )
    return r


def _close(r: Referral, state: str, actor: User, today: date, **fields) -> None:
    bump(r, state=state, closed_at=clock.now(), closed_on=today, closed_by=actor, flag="", **fields)


# --- accept --------------------------------------------------------------------------------


def do_accept(r: Referral, *, actor: User, note: str = "") -> Referral:
    bump(r, state=R.IN_PROGRESS, accepted_at=clock.now())
    event(r.application, "accepted", actor=actor, referral=r, note=note)
    return r


@racing_write
def referral_accept(
    *, actor: User, referral: Referral | int, version: int | None = None, note: str = ""
) -> Referral:
    note = values.note(note, field="note", label="签收说明")
    r = check_referral(actor=actor, referral_id=_pk(referral), action="accept", version=version)
    return do_accept(r, actor=actor, note=note)


# --- supplement (补正) ----------------------------------------------------------------------


def do_request_supplement(r: Referral, *, actor: User, missing: str, today: date) -> Referral:
    if r.accepted_at is None:
        r.accepted_at = clock.now()  # asking for material is taking the case up
    bump(r, state=R.PAUSED, paused_since=today, missing_material=missing)
    event(r.application, "supplement_requested", actor=actor, referral=r, note=missing)
    notify(
        key=f"supplement:{r.pk}:{r.version}",
        kind="supplement_requested",
        unit=r.application.window,
        application=r.application,
        referral=r,
        message=f"{r.unit.name}要求补正材料（{r.service_name}，查询码 {r.application.tracking_code}）：{missing}",
    )
    return r


@racing_write
def referral_request_supplement(
    *,
    actor: User,
    referral: Referral | int,
    missing: str,
    version: int | None = None,
    today: date | None = None,
) -> Referral:
    """Ask once for everything missing (一次性告知). The clock stops until it arrives."""
    missing = values.note(missing, field="missing", label="需补正材料")
    if not missing:
        raise ValidationFailed("请列明需要补正的全部材料", field="missing", code="required")
    r = check_referral(actor=actor, referral_id=_pk(referral), action="request_supplement", version=version)
    return do_request_supplement(r, actor=actor, missing=missing, today=today or clock.today())


def do_receive_supplement(r: Referral, *, actor: User, today: date, note: str = "", documents=()) -> Referral:
    """The clock resumes. The working days it stood still (after the day it stopped, up to and
    including the day the material came) move the due date by as many working days."""
    assert r.paused_since is not None  # only a referral waiting for material resumes
    table = holiday_table()
    paused = workdays_between(r.paused_since, today, table)
    new_due = deadline(r.due_on, paused, table)
    warning = "；".join(dict.fromkeys([w for w in (r.due_warning, *new_due.warnings) if w]))
    old_due = r.due_on
    bump(
        r,
        state=R.IN_PROGRESS,
        paused_since=None,
        paused_days=r.paused_days + paused,
        due_on=new_due.due,
        due_warning=warning[:300],
    )
    for d in documents:
        if d.application_id != r.application_id:
            raise ValidationFailed("补正材料不属于本申请", field="documents")
        if d.referral_id is None:
            d.referral = r
            d.save(update_fields=["referral"])
    event(
        r.application,
        "supplement_received",
        actor=actor,
        referral=r,
        note=note,
        data={
            "paused_days": paused,
            "old_due": old_due.isoformat(),
            "due_on": r.due_on.isoformat(),
            "documents": [d.pk for d in documents],
        },
    )
    notify(
        key=f"supplement_received:{r.pk}:{r.version}",
        kind="supplement_received",
        unit=r.unit,
        application=r.application,
        referral=r,
        message=f"补正材料已送达（{r.service_name}，查询码 {r.application.tracking_code}），"
        f"办理期限顺延至 {r.due_on.isoformat()}",
    )
    return r


@racing_write
def referral_receive_supplement(
    *,
    actor: User,
    referral: Referral | int,
    note: str = "",
    documents=(),
    version: int | None = None,
    today: date | None = None,
) -> Referral:
    note = values.note(note, field="note", label="补正说明")
    r = check_referral(actor=actor, referral_id=_pk(referral), action="receive_supplement", version=version)
    today = today or clock.today()
    assert r.paused_since is not None  # check_referral allowed receive_supplement: it is paused
    if today < r.paused_since:
        raise ValidationFailed("送达日期不能早于补正开始日期", field="today")
    return do_receive_supplement(r, actor=actor, today=today, note=note, documents=list(documents))


# --- transfer (转办) ------------------------------------------------------------------------


def do_transfer(r: Referral, *, actor: User, to_unit: Unit, reason: str, today: date) -> Referral:
    _close(r, R.TRANSFERRED, actor, today, transfer_reason=reason)
    due = deadline(today, r.limit_days)
    nxt = Referral.objects.create(
        application=r.application,
        service_code=r.service_code,
        service_name=r.service_name,
        category=r.category,
        unit=to_unit,
        chain_root_id=r.chain_root_id or r.pk,
        transferred_from=r,
        leg=r.leg + 1,
        referred_on=today,
        limit_days=r.limit_days,
        due_on=due.due,
        due_warning="；".join(due.warnings)[:300],
        proposal=r.proposal,
        cause=r.cause,
        cause_note=r.cause_note,
    )
    event(
        r.application,
        "transferred",
        actor=actor,
        referral=r,
        note=reason,
        data={
            "from": r.unit.code,
            "to": to_unit.code,
            "new_referral": nxt.pk,
            "due_on": nxt.due_on.isoformat(),
        },
    )
    notify(
        key=f"referred:{nxt.pk}",
        kind="referred",
        unit=to_unit,
        application=r.application,
        referral=nxt,
        message=f"{r.unit.name}转来事项：{r.service_name}（查询码 {r.application.tracking_code}），"
        f"理由：{reason}；请于 {nxt.due_on.isoformat()} 前办结",
    )
    return nxt


@racing_write
def referral_transfer(
    *,
    actor: User,
    referral: Referral | int,
    to_unit: Unit | str,
    reason: str,
    version: int | None = None,
    today: date | None = None,
) -> Referral:
    """Transfer to another unit with a reason. The receiving unit gets a fresh limit; the old
    leg stays in the chain. Returns the new leg."""
    reason = values.note(reason, field="reason", label="转办理由")
    if not reason:
        raise ValidationFailed("转办须说明理由", field="reason", code="required")
    unit = to_unit if isinstance(to_unit, Unit) else Unit.objects.filter(code=to_unit).first()
    if unit is None:
        raise ValidationFailed("接收单位不存在", field="to_unit", code="unknown_unit")
    r = check_referral(actor=actor, referral_id=_pk(referral), action="transfer", version=version)
    if unit.pk == r.unit_id:
        raise IllegalTransition("不能转办给本单位", field="to_unit", code="transfer_to_same_unit")
    return do_transfer(r, actor=actor, to_unit=unit, reason=reason, today=today or clock.today())


# --- feedback (反馈) ------------------------------------------------------------------------


def _feedback_notice(r: Referral, text: str) -> None:
    notify(
        key=f"feedback:{r.pk}",
        kind="feedback",
        unit=r.application.window,
        application=r.application,
        referral=r,
        message=f"{r.unit.name}反馈（{r.service_name}，查询码 {r.application.tracking_code}）：{text}",
    )


def do_set_due(r: Referral, *, due_on: date, reason: str, actor: User | None = None) -> Referral:
    """A decision case runs the referral's clock (30 working days, 45 on a recorded ground):
    the referral is due when the case is, so the window and the supervisor see one date.
    Must be called holding the referral's lock."""
    if r.due_on == due_on:
        return r
    old = r.due_on
    bump(r, due_on=due_on, flag="")
    event(
        r.application,
        "due_changed",
        actor=actor,
        referral=r,
        note=reason,
        data={"old_due": old.isoformat(), "due_on": due_on.isoformat()},
    )
    return r


def _entitlement_for(
    r: Referral, *, actor: User, note: str, rule_amount=None, signed_by=None, today=None
) -> None:
    """The granted amount becomes an entitlement payments can pay (one-off and department
    grants), unless the referral already has one (a decision creates its own)."""
    side = entitlements()
    if side.has_entitlement(r):
        return
    # do_grant closed the referral as granted with its amount and first month
    assert r.amount is not None and r.start_month is not None
    app = r.application
    side.grant(
        household=app.household,
        payee=app.applicant,
        service_code=r.service_code,
        amount=r.amount,
        amount_period=r.amount_period,
        start_month=r.start_month,
        actor=actor,
        unit=r.unit,
        referral=r,
        origin=f"分办反馈 {app.tracking_code}",
        reason=note,
        rule_amount=rule_amount,
        signed_by=signed_by,
        signed_on=today if signed_by is not None else None,
        cause=r.cause,
        cause_note=r.cause_note,
    )


def do_grant(
    r,
    *,
    actor: User,
    amount,
    period: str,
    start_month: date,
    note: str,
    today: date,
    rule_amount=None,
    signed_by=None,
) -> Referral:
    grant_checks.run(service_code=r.service_code, household=r.application.household, on=start_month)
    _close(
        r, R.GRANTED, actor, today, amount=amount, amount_period=period, start_month=start_month, reasons=note
    )
    _entitlement_for(r, actor=actor, note=note, rule_amount=rule_amount, signed_by=signed_by, today=today)
    data = {"amount": f"{amount:.2f}", "period": period, "start_month": start_month.isoformat()[:7]}
    event(r.application, "granted", actor=actor, referral=r, note=note, data=data)
    _feedback_notice(
        r, f"给予救助 {amount:.2f} 元（{r.get_amount_period_display()}），自 {data['start_month']} 起"
    )
    close_if_done(r.application, actor=actor)
    return r


@racing_write
def referral_grant(
    *,
    actor: User,
    referral: Referral | int,
    amount=None,
    start_month: date,
    period: str | None = None,
    note: str = "",
    version: int | None = None,
    today: date | None = None,
    up_to_top_tier: bool = False,
) -> Referral:
    """Grant control (the entitlement side's, through ``ports``; DOMAIN §7): ``amount`` None
    is the rule's amount for the facts on file; another amount needs a written ``note``; one
    above the rule's or the officer's tier is held for a second signature (the referral stays
    in progress, nothing is paid; ``r.held_grant`` is the request). Temporary assistance above the top tier is refused,
    or with ``up_to_top_tier`` held at the top tier for the joint decision, the rest of the
    need referred to charity."""
    amount = None if amount in (None, "") else money.amount(amount)
    if period not in AmountPeriod.values and period is not None:
        raise ValidationFailed("金额周期无效", field="period")
    if start_month is None:
        raise ValidationFailed("请填写起始月份", field="start_month", code="required")
    start_month = start_month.replace(day=1)
    today = today or clock.today()
    note = values.note(note, field="note", label="理由")
    r = check_referral(actor=actor, referral_id=_pk(referral), action="grant", version=version)
    # the area's own refusals (housing: one exclusive option) before a grant is planned or held
    grant_checks.run(service_code=r.service_code, household=r.application.household, on=start_month)
    plan = entitlements().grant_control(
        r,
        actor=actor,
        amount=amount,
        period=period,
        start_month=start_month,
        reason=note,
        today=today,
        policy=current_policy(),
        up_to_top_tier=bool(up_to_top_tier),
    )
    r.held_grant = plan.held  # type: ignore[attr-defined]  # the held request for the caller, not a column
    if plan.held is not None:
        return r
    return do_grant(
        r,
        actor=actor,
        amount=plan.amount,
        period=plan.period,
        start_month=start_month,
        note=note,
        today=today,
        rule_amount=plan.rule_amount,
    )


def do_refuse(r, *, actor: User, reasons: str, basis: str, alternatives: str, today: date) -> Referral:
    _close(r, R.REFUSED, actor, today, reasons=reasons, basis=basis, alternatives=alternatives)
    event(
        r.application,
        "refused",
        actor=actor,
        referral=r,
        note=reasons,
        data={"basis": basis, "alternatives": alternatives},
    )
    _feedback_notice(r, f"不予救助。理由：{reasons}")
    close_if_done(r.application, actor=actor)
    return r


@racing_write
def referral_refuse(
    *,
    actor: User,
    referral: Referral | int,
    reasons: str,
    basis: str,
    alternatives: str,
    version: int | None = None,
    today: date | None = None,
) -> Referral:
    """A refusal states the reasons, the policy basis and the alternatives (DOMAIN: never a
    bare "no"); one without them is refused."""
    reasons = values.note(reasons, field="reasons", label="不予救助理由")
    basis = values.note(basis, field="basis", label="政策依据")
    alternatives = values.note(alternatives, field="alternatives", label="可申请的其他救助")
    if not reasons:
        raise ValidationFailed("不予救助须写明理由", field="reasons", code="refusal_reasons_required")
    if not basis:
        raise ValidationFailed(
            "不予救助须写明政策依据（文件及条款）", field="basis", code="refusal_basis_required"
        )
    if not alternatives:
        raise ValidationFailed(
            "不予救助须告知可申请的其他救助或慈善帮扶",
            field="alternatives",
            code="refusal_alternatives_required",
        )
    r = check_referral(actor=actor, referral_id=_pk(referral), action="refuse", version=version)
    return do_refuse(
        r,
        actor=actor,
        reasons=reasons,
        basis=basis,
        alternatives=alternatives,
        today=today or clock.today(),
    )


def do_charity(r, *, actor: User, charity_name: str, note: str, today: date) -> Referral:
    _close(r, R.CHARITY, actor, today, charity_name=charity_name, reasons=note)
    event(r.application, "charity", actor=actor, referral=r, note=note, data={"charity": charity_name})
    _feedback_notice(r, f"转介慈善力量：{charity_name}")
    close_if_done(r.application, actor=actor)
    return r


@racing_write
def referral_charity(
    *,
    actor: User,
    referral: Referral | int,
    charity_name: str,
    note: str = "",
    version: int | None = None,
    today: date | None = None,
) -> Referral:
    charity_name = values.text(
        charity_name, field="charity_name", max_length=100, required=False, label="慈善组织"
    )
    if not charity_name:
        raise ValidationFailed("请填写承接的慈善组织", field="charity_name", code="required")
    r = check_referral(actor=actor, referral_id=_pk(referral), action="charity", version=version)
    return do_charity(
        r,
        actor=actor,
        charity_name=charity_name,
        note=values.note(note, field="note", label="说明"),
        today=today or clock.today(),
    )


def _pk(referral) -> int:
    return referral.pk if isinstance(referral, Referral) else int(referral)
