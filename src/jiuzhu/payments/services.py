"""Payments writes: generate, review and approve rolls; bank accounts; fixes of failed lines;
recoveries; budgets. Bank files are in ``bankfiles``.

Who may do what is the scope table (``jiuzhu.common.scope``, actions ``payment.*`` and
``bank_account.*``): rolls are prepared by civil affairs (approver role) city-wide and by each
paying department for its own services; a town caseworker prepares nothing but fixes the
failed lines of his town; a bank account is changed by the payee's own town or the paying unit,
and the change waits for a second person's confirmation before any roll uses it.

Every service is one transaction with keyword-only arguments. State changes that may race
(approve, export, import) follow the check/do pattern: the roll is locked with SELECT … FOR
UPDATE, its state checked, and a second click finds the work done and changes nothing. On
SQLite (IMMEDIATE transactions) a writer that cannot get the lock in time gets ``Conflict``
(code ``busy``), never a half-done write.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.money import money
from jiuzhu.common.tx import racing_write
from jiuzhu.registry.models import Person, Unit, User

from . import crypto, rolls
from .models import (
    BankAccount,
    BankAccountChange,
    Budget,
    LedgerEntry,
    PaymentLine,
    PaymentRoll,
    RollEvent,
    RollEventKind,
)

ACCOUNT_RE = re.compile(r"^\d{12,30}$")


def can(user, action: str) -> bool:
    """May ``user``'s role do ``action`` at all (buttons on the screens)."""
    return scope.scope_of(user, action) != scope.NONE


racing = racing_write(busy="另一位工作人员正在处理同一名册，请刷新后重试")


def lock_roll(roll) -> PaymentRoll:
    pk = getattr(roll, "pk", roll)
    r = PaymentRoll.objects.select_for_update().filter(pk=pk).first()
    if r is None:
        raise NotFound("发放名册不存在", field="roll", code="roll_not_found")
    return r


def event(
    roll: PaymentRoll, kind: RollEventKind, actor: User | None = None, note: str = "", **data
) -> RollEvent:
    return RollEvent.objects.create(
        roll=roll, kind=kind, actor=actor if getattr(actor, "pk", None) else None, note=note[:300], data=data
    )


# --- rolls -------------------------------------------------------------------------------


@racing
def rolls_generate(*, month: date, actor: User | None = None, services: list[str] | None = None) -> dict:
    """Generate (or rebuild the drafts of) the rolls of ``month``; reviewed and locked rolls are
    left alone. Returns counts: rolls, regular, back_pay, recovery, retry, untouched."""
    if actor is not None:
        if scope.require(actor, "payment.prepare") == scope.UNIT:
            # a department prepares the rolls of its own services only
            from jiuzhu.policy.selectors import current_policy

            own = [s.code for s in current_policy().services_of_unit(getattr(actor.unit, "code", ""))]
            services = [s for s in (services or own) if s in own]
            if not services:
                raise PermissionDenied(
                    "本单位没有需要发放的救助事项", field="services", code="no_own_services"
                )
    return rolls.build(month=month, services=services, actor=actor)


@racing
def roll_review(*, actor: User, roll) -> PaymentRoll:
    """The preparer has checked the lines: the roll goes to the approver (a second click
    changes nothing)."""
    r = lock_roll(roll)
    scope.require(actor, "payment.prepare", unit=r.unit_id)
    if r.state != PaymentRoll.DRAFT:
        return r
    r.state, r.reviewed_by, r.reviewed_at = PaymentRoll.REVIEWED, actor, clock.now()
    r.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    event(r, RollEventKind.REVIEWED, actor)
    return r


def budget_check(roll: PaymentRoll) -> dict:
    """The roll's year budget for its unit and service, what the ledger has already paid, what
    approved rolls not yet returned commit, and whether this roll would overrun it."""
    year = roll.month.year
    b = Budget.objects.filter(year=year, unit_id=roll.unit_id, service_code=roll.service_code).first()
    budget = b.amount if b else Decimal("0.00")
    paid = LedgerEntry.objects.filter(
        year=year, unit_id=roll.unit_id, service_code=roll.service_code
    ).aggregate(s=Sum("amount"))["s"] or Decimal("0.00")
    committed = PaymentRoll.objects.filter(
        month__year=year,
        unit_id=roll.unit_id,
        service_code=roll.service_code,
        state__in=(PaymentRoll.APPROVED, PaymentRoll.EXPORTED),
    ).exclude(pk=roll.pk).aggregate(s=Sum("total"))["s"] or Decimal("0.00")
    this_roll = Decimal("0.00") if roll.state == PaymentRoll.CLOSED else roll.total  # closed: in the ledger
    after = paid + committed + this_roll
    return {
        "year": year,
        "has_budget": b is not None,
        "budget": money(budget),
        "paid": money(paid),
        "committed": money(committed),
        "this_roll": money(this_roll),
        "after": money(after),
        "overrun": money(after - budget) if after > budget else Decimal("0.00"),
    }


@racing
def roll_approve(*, actor: User, roll, confirm_overrun: bool = False, note: str = "") -> PaymentRoll:
    """Approve and lock a reviewed roll. Holds SELECT … FOR UPDATE on the roll: of two
    concurrent approvals one approves, the other finds it approved and changes nothing. A roll
    that would take its unit and service over the year's budget is refused unless the
    approver confirms the overrun explicitly (``confirm_overrun``), with a note."""
    scope.require(actor, "payment.approve")
    note = values.text(note, field="note", max_length=200, required=False, multiline=True, label="超预算理由")
    r = lock_roll(roll)
    if r.locked:
        return r
    if r.state != PaymentRoll.REVIEWED:
        raise IllegalTransition("名册须先经审核才能审批", field="state", code="not_reviewed")
    check = budget_check(r)
    if check["overrun"] > 0 or not check["has_budget"]:
        what = (
            f"超出{check['year']}年度预算{check['overrun']}元（预算{check['budget']}元，已发放{check['paid']}元，"
            f"已审批待发{check['committed']}元，本名册{check['this_roll']}元）"
            if check["has_budget"]
            else f"{check['year']}年度未编列该事项预算"
        )
        if not confirm_overrun:
            raise ValidationFailed(
                f"本名册{what}，须审批人明确确认后方可审批",
                field="confirm_overrun",
                code="budget_overrun",
                overrun=str(check["overrun"]),
            )
        if not note:
            raise ValidationFailed("确认超预算须写明理由", field="note", code="overrun_note_required")
        r.overrun_confirmed, r.overrun_note = True, f"{what}；{note}"[:300]
    r.state, r.approved_by, r.approved_at = PaymentRoll.APPROVED, actor, clock.now()
    r.save(update_fields=["state", "approved_by", "approved_at", "overrun_confirmed", "overrun_note"])
    event(r, RollEventKind.APPROVED, actor, note=r.overrun_note, total=str(r.total), lines=r.lines_count)
    return r


@racing
def roll_return_to_draft(*, actor: User, roll, reason: str) -> PaymentRoll:
    """A reviewed roll sent back for correction (before approval only)."""
    reason = values.note(reason, field="reason", label="退回理由")
    if not reason:
        raise ValidationFailed("退回须写明理由", field="reason", code="reason_required")
    r = lock_roll(roll)
    if not scope.allows(actor, "payment.approve"):
        scope.require(actor, "payment.prepare", unit=r.unit_id)
    if r.state != PaymentRoll.REVIEWED:
        raise IllegalTransition("只有已审核、未审批的名册可以退回", field="state", code="not_reviewed")
    r.state = PaymentRoll.DRAFT
    r.save(update_fields=["state"])
    event(r, RollEventKind.RETURNED_TO_DRAFT, actor, note=reason)
    return r


# --- bank accounts and failed lines ----------------------------------------------------


def _account_scope(actor: User, action: str, person: Person) -> None:
    """The payee's own town, or a unit paying him (``bank_account.*`` in the scope table)."""
    scope.require(actor, action, household=person.household)


@transaction.atomic
def bank_account_set(
    *, actor: User, person, number: str, bank_name: str, holder_name: str = ""
) -> BankAccountChange:
    """Ask for a payee's new account (encrypted at rest). Nothing is paid to it until another
    person confirms it (``bank_account_confirm``); a change still waiting for the same payee
    is superseded. The payee row is locked, so two changes for one payee never both wait."""
    person = (
        Person.objects.select_for_update()
        .select_related("household")
        .filter(pk=getattr(person, "pk", person))
        .first()
    )
    if person is None:
        raise NotFound("人员不存在", field="person", code="person_not_found")
    _account_scope(actor, "bank_account.change", person)
    number = re.sub(r"[\s-]", "", number or "")
    if not ACCOUNT_RE.match(number):
        raise ValidationFailed("银行账号应为12至30位数字", field="number", code="bad_account")
    bank_name = values.text(bank_name, field="bank_name", max_length=100, required=False, label="开户行")
    holder_name = values.text(holder_name, field="holder_name", max_length=50, required=False, label="户名")
    if not bank_name:
        raise ValidationFailed("请填写开户行", field="bank_name", code="bank_required")
    BankAccountChange.objects.filter(person=person, state=BankAccountChange.PENDING).update(
        state=BankAccountChange.SUPERSEDED, decided_at=clock.now()
    )
    current = BankAccount.objects.filter(person=person).first()
    return BankAccountChange.objects.create(
        person=person,
        household=person.household,
        bank_name=bank_name,
        holder_name=holder_name or person.name[:50],
        number_encrypted=crypto.encrypt(number),
        tail=number[-4:],
        previous_tail=current.tail if current else "",
        requested_by=actor,
    )


def _lock_change(change) -> BankAccountChange:
    c = (
        BankAccountChange.objects.select_for_update()
        .select_related("person__household")
        .filter(pk=getattr(change, "pk", change))
        .first()
    )
    if c is None:
        raise NotFound("银行账户变更不存在", field="change", code="change_not_found")
    return c


@transaction.atomic
def bank_account_confirm(*, actor: User, change) -> BankAccount:
    """A second person confirms a waiting change: it becomes the payee's account, and his lines
    that failed or were held for want of an account go into the next roll. Locks the change:
    of two confirmations one applies it, the other finds it done."""
    c = _lock_change(change)
    _account_scope(actor, "bank_account.confirm", c.person)
    if c.state == BankAccountChange.CONFIRMED:
        return c.person.bank_account
    if c.state != BankAccountChange.PENDING:
        raise IllegalTransition(
            f"该变更{c.get_state_display()}，不能再复核", field="state", code="change_not_pending"
        )
    if c.requested_by_id == getattr(actor, "pk", None):
        raise PermissionDenied(
            "银行账户变更须由另一名工作人员复核", field="change", code="second_person_required"
        )
    acct, _ = BankAccount.objects.update_or_create(
        person=c.person,
        defaults={
            "bank_name": c.bank_name,
            "holder_name": c.holder_name,
            "number_encrypted": c.number_encrypted,
            "tail": c.tail,
            "updated_by": actor,
        },
    )
    c.state, c.decided_by, c.decided_at = BankAccountChange.CONFIRMED, actor, clock.now()
    c.save(update_fields=["state", "decided_by", "decided_at"])
    for ln in PaymentLine.objects.filter(payee=c.person, state=PaymentLine.FAILED, fixed_at__isnull=True):
        ln.fixed_at, ln.fixed_note = clock.now(), "已更新银行账户"
        ln.save(update_fields=["fixed_at", "fixed_note"])
    return acct


@transaction.atomic
def bank_account_reject(*, actor: User, change, note: str) -> BankAccountChange:
    """The second person refuses a waiting change (the payee keeps his account)."""
    c = _lock_change(change)
    _account_scope(actor, "bank_account.confirm", c.person)
    note = values.text(note, field="note", max_length=200, required=False, multiline=True, label="退回理由")
    if not note:
        raise ValidationFailed("请写明退回理由", field="note", code="note_required")
    if c.state != BankAccountChange.PENDING:
        raise IllegalTransition(
            f"该变更{c.get_state_display()}，不能再复核", field="state", code="change_not_pending"
        )
    c.state, c.decided_by, c.decided_at, c.note = (
        BankAccountChange.REJECTED,
        actor,
        clock.now(),
        note,
    )
    c.save(update_fields=["state", "decided_by", "decided_at", "note"])
    return c


@transaction.atomic
def line_mark_fixed(*, actor: User, line, note: str) -> PaymentLine:
    """The caseworker has dealt with a failed line (e.g. account unfrozen): retry it next roll."""
    note = values.text(note, field="note", max_length=200, required=False, multiline=True, label="处理情况")
    if not note:
        raise ValidationFailed("请写明处理情况", field="note", code="note_required")
    ln = PaymentLine.objects.select_for_update().filter(pk=getattr(line, "pk", line)).first()
    if ln is None:
        raise NotFound("发放明细不存在", field="line", code="line_not_found")
    scope.require(actor, "payment.fix_line", town=ln.town_id, unit=ln.unit_id)
    if ln.state != PaymentLine.FAILED:
        raise IllegalTransition("只有发放失败的明细需要处理", field="state", code="not_failed")
    if ln.fixed_at is None:
        ln.fixed_at, ln.fixed_note = clock.now(), note
        ln.save(update_fields=["fixed_at", "fixed_note"])
    return ln


@transaction.atomic
def recovery_record(*, actor: User, line, on: date | None = None, note: str = "") -> PaymentLine:
    """An overpayment has been recovered (追回): the line is settled and the ledger credited."""
    note = values.text(note, field="note", max_length=200, required=False, multiline=True, label="说明")
    if on is not None:
        on = values.past_date(on, field="on", label="追回日期")
    ln = (
        PaymentLine.objects.select_for_update()
        .select_related("roll")
        .filter(pk=getattr(line, "pk", line))
        .first()
    )
    if ln is None or ln.kind != PaymentLine.RECOVERY:
        raise NotFound("追回明细不存在", field="line", code="line_not_found")
    scope.require(actor, "payment.fix_line", town=ln.town_id, unit=ln.unit_id)
    if ln.state == PaymentLine.RECOVERED:
        return ln
    if not ln.roll.locked:
        raise IllegalTransition("名册审批后才能登记追回", field="state", code="roll_not_approved")
    on = on or clock.today()
    ln.state, ln.paid_on, ln.fixed_note = PaymentLine.RECOVERED, on, note
    ln.save(update_fields=["state", "paid_on", "fixed_note"])
    LedgerEntry.objects.create(
        line=ln,
        year=ln.roll.month.year,
        month=ln.roll.month,
        unit_id=ln.unit_id,
        service_code=ln.service_code,
        category=ln.category,
        town_id=ln.town_id,
        amount=ln.amount,
        posted_on=on,
    )
    return ln


# --- budgets -----------------------------------------------------------------------------


# A yearly budget line of a city's unit may pass one payment's bound (values.MONEY_MAX).
BUDGET_MAX = Decimal("100000000000.00")


def _amount(value, field: str) -> Decimal:
    return values.money(value, field=field, label="预算金额", maximum=BUDGET_MAX)


@transaction.atomic
def budgets_sync(*, policy) -> int:
    """Create the budgets the policy file declares (``budgets: {year: {unit: {service:
    amount}}}``) that are not yet in the database; budgets edited in the app are kept.
    The whole file is checked first: an unknown unit or service, or a bad amount, refuses it."""
    raw = policy.extra.get("budgets") or {}
    if not isinstance(raw, dict):
        raise ValidationFailed("政策文件 budgets 应为映射", field="budgets", code="bad_budgets")
    units = {u.code: u for u in Unit.objects.all()}
    rows = []
    for year, per_unit in raw.items():
        if not str(year).isdigit() or not isinstance(per_unit, dict):
            raise ValidationFailed(f"预算年度无效：{year}", field="budgets", code="bad_budgets")
        for unit_code, per_service in per_unit.items():
            if unit_code not in units:
                raise ValidationFailed(
                    f"预算单位不存在：{unit_code}", field=f"budgets.{year}", code="unknown_unit"
                )
            for code, amount in (per_service or {}).items():
                try:
                    spec = policy.service(code)
                except Exception:
                    raise ValidationFailed(
                        f"预算事项不存在：{code}", field=f"budgets.{year}.{unit_code}", code="unknown_service"
                    ) from None
                a = _amount(amount, f"budgets.{year}.{unit_code}.{code}")
                rows.append(
                    Budget(
                        year=int(year),
                        unit=units[unit_code],
                        service_code=code,
                        category=spec.category,
                        amount=a,
                    )
                )
    have = set(Budget.objects.values_list("year", "unit_id", "service_code"))
    new = [b for b in rows if (b.year, b.unit.pk, b.service_code) not in have]
    Budget.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


@transaction.atomic
def budget_set(*, actor: User, year: int, unit, service_code: str, amount, policy=None) -> Budget:
    scope.require(actor, "payment.budget")
    if policy is None:
        from jiuzhu.policy.selectors import current_policy

        policy = current_policy()
    try:
        spec = policy.service(service_code)
    except Exception:
        raise ValidationFailed(
            f"救助事项不存在：{service_code}", field="service_code", code="unknown_service"
        ) from None
    unit = Unit.objects.filter(code=unit).first() if isinstance(unit, str) else unit
    if unit is None:
        raise ValidationFailed("单位不存在", field="unit", code="unknown_unit")
    if not (2000 <= int(year) <= 2100):
        raise ValidationFailed("年度无效", field="year", code="bad_year")
    b, _ = Budget.objects.update_or_create(
        year=int(year),
        unit=unit,
        service_code=service_code,
        defaults={"amount": _amount(amount, "amount"), "category": spec.category, "source": "edited"},
    )
    return b
