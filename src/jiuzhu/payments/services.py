"""Payments writes: generate, review and approve rolls; bank accounts; fixes of failed lines;
recoveries; budgets. Bank files are in ``bankfiles``.

Every service is one transaction with keyword-only arguments. State changes that may race
(approve, export, import) follow the check/do pattern: the roll is locked with SELECT … FOR
UPDATE, its state checked, and a second click finds the work done and changes nothing. On
SQLite (IMMEDIATE transactions) a writer that cannot get the lock in time gets ``Conflict``
(code ``busy``), never a half-done write.
"""

from __future__ import annotations

import functools
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import OperationalError, transaction
from django.db.models import Sum
from django.utils import timezone

from jiuzhu.common import masking as m
from jiuzhu.common.errors import Conflict, IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.money import money
from jiuzhu.registry.models import Person, Unit

from . import crypto, rolls
from .models import BankAccount, Budget, LedgerEntry, PaymentLine, PaymentRoll, RollEvent

PREPARE_ROLES = frozenset({m.TOWN_CASEWORKER, m.DEPARTMENT_OFFICER, m.APPROVER, m.ADMIN})
APPROVE_ROLES = frozenset({m.APPROVER, m.ADMIN})
ACCOUNT_RE = re.compile(r"^\d{12,30}$")


def role_of(user) -> str:
    return getattr(user, "effective_role", "") or getattr(user, "role", "") if user else ""


def require(user, roles, what: str) -> None:
    if role_of(user) not in roles:
        raise PermissionDenied(f"您的角色无权{what}", field="role", code="forbidden_role")


def racing(fn):
    """One transaction; SQLite's "database is locked" becomes a clean ``Conflict``."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return fn(*args, **kwargs)
        except OperationalError as exc:
            if "locked" in str(exc):
                raise Conflict("另一位工作人员正在处理同一名册，请刷新后重试", code="busy") from exc
            raise

    return wrapper


def lock_roll(roll) -> PaymentRoll:
    pk = getattr(roll, "pk", roll)
    r = PaymentRoll.objects.select_for_update().filter(pk=pk).first()
    if r is None:
        raise NotFound("发放名册不存在", field="roll", code="roll_not_found")
    return r


def event(roll, kind, actor=None, note="", **data) -> RollEvent:
    return RollEvent.objects.create(
        roll=roll, kind=kind, actor=actor if getattr(actor, "pk", None) else None, note=note[:300], data=data
    )


# --- rolls -------------------------------------------------------------------------------


@racing
def rolls_generate(*, month: date, actor=None, services: list[str] | None = None) -> dict:
    """Generate (or rebuild the drafts of) the rolls of ``month``; reviewed and locked rolls are
    left alone. Returns counts: rolls, regular, back_pay, recovery, retry, untouched."""
    if actor is not None:
        require(actor, PREPARE_ROLES, "生成发放名册")
        if role_of(actor) == m.DEPARTMENT_OFFICER:
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
def roll_review(*, actor, roll) -> PaymentRoll:
    """The preparer has checked the lines: the roll goes to the approver (a second click
    changes nothing)."""
    require(actor, PREPARE_ROLES, "审核发放名册")
    r = lock_roll(roll)
    if role_of(actor) == m.DEPARTMENT_OFFICER and r.unit_id != actor.unit_id:
        raise PermissionDenied("只能审核本单位的发放名册", field="roll", code="not_own_unit")
    if r.state != PaymentRoll.DRAFT:
        return r
    r.state, r.reviewed_by, r.reviewed_at = PaymentRoll.REVIEWED, actor, timezone.now()
    r.save(update_fields=["state", "reviewed_by", "reviewed_at"])
    event(r, "reviewed", actor)
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
def roll_approve(*, actor, roll, confirm_overrun: bool = False, note: str = "") -> PaymentRoll:
    """Approve and lock a reviewed roll. Holds SELECT … FOR UPDATE on the roll: of two
    concurrent approvals one approves, the other finds it approved and changes nothing. A roll
    that would take its unit and service over the year's budget is refused unless the
    approver confirms the overrun explicitly (``confirm_overrun``), with a note."""
    require(actor, APPROVE_ROLES, "审批发放名册")
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
        if not note.strip():
            raise ValidationFailed("确认超预算须写明理由", field="note", code="overrun_note_required")
        r.overrun_confirmed, r.overrun_note = True, f"{what}；{note.strip()}"[:300]
    r.state, r.approved_by, r.approved_at = PaymentRoll.APPROVED, actor, timezone.now()
    r.save(update_fields=["state", "approved_by", "approved_at", "overrun_confirmed", "overrun_note"])
    event(r, "approved", actor, note=r.overrun_note, total=str(r.total), lines=r.lines_count)
    return r


@racing
def roll_return_to_draft(*, actor, roll, reason: str) -> PaymentRoll:
    """A reviewed roll sent back for correction (before approval only)."""
    require(actor, APPROVE_ROLES | PREPARE_ROLES, "退回发放名册")
    if not reason.strip():
        raise ValidationFailed("退回须写明理由", field="reason", code="reason_required")
    r = lock_roll(roll)
    if r.state != PaymentRoll.REVIEWED:
        raise IllegalTransition("只有已审核、未审批的名册可以退回", field="state", code="not_reviewed")
    r.state = PaymentRoll.DRAFT
    r.save(update_fields=["state"])
    event(r, "returned_to_draft", actor, note=reason)
    return r


# --- bank accounts and failed lines ----------------------------------------------------


@transaction.atomic
def bank_account_set(*, actor, person, number: str, bank_name: str, holder_name: str = "") -> BankAccount:
    """Record (or replace) a payee's account, encrypted at rest. Lines of this payee that
    failed or were held for want of an account are marked fixed: they go into the next roll."""
    require(actor, PREPARE_ROLES, "登记银行账户")
    person = Person.objects.filter(pk=getattr(person, "pk", person)).first()
    if person is None:
        raise NotFound("人员不存在", field="person", code="person_not_found")
    number = re.sub(r"[\s-]", "", number or "")
    if not ACCOUNT_RE.match(number):
        raise ValidationFailed("银行账号应为12至30位数字", field="number", code="bad_account")
    if not (bank_name or "").strip():
        raise ValidationFailed("请填写开户行", field="bank_name", code="bank_required")
    acct, _ = BankAccount.objects.update_or_create(
        person=person,
        defaults={
            "bank_name": bank_name.strip(),
            "holder_name": (holder_name or person.name).strip(),
            "number_encrypted": crypto.encrypt(number),
            "tail": number[-4:],
            "updated_by": actor,
        },
    )
    for ln in PaymentLine.objects.filter(payee=person, state=PaymentLine.FAILED, fixed_at__isnull=True):
        ln.fixed_at, ln.fixed_note = timezone.now(), "已更新银行账户"
        ln.save(update_fields=["fixed_at", "fixed_note"])
    return acct


@transaction.atomic
def line_mark_fixed(*, actor, line, note: str) -> PaymentLine:
    """The caseworker has dealt with a failed line (e.g. account unfrozen): retry it next roll."""
    require(actor, PREPARE_ROLES, "处理发放失败")
    if not note.strip():
        raise ValidationFailed("请写明处理情况", field="note", code="note_required")
    ln = PaymentLine.objects.select_for_update().filter(pk=getattr(line, "pk", line)).first()
    if ln is None:
        raise NotFound("发放明细不存在", field="line", code="line_not_found")
    if ln.state != PaymentLine.FAILED:
        raise IllegalTransition("只有发放失败的明细需要处理", field="state", code="not_failed")
    if ln.fixed_at is None:
        ln.fixed_at, ln.fixed_note = timezone.now(), note.strip()[:200]
        ln.save(update_fields=["fixed_at", "fixed_note"])
    return ln


@transaction.atomic
def recovery_record(*, actor, line, on: date | None = None, note: str = "") -> PaymentLine:
    """An overpayment has been recovered (追回): the line is settled and the ledger credited."""
    require(actor, PREPARE_ROLES, "登记追回")
    ln = (
        PaymentLine.objects.select_for_update()
        .select_related("roll")
        .filter(pk=getattr(line, "pk", line))
        .first()
    )
    if ln is None or ln.kind != PaymentLine.RECOVERY:
        raise NotFound("追回明细不存在", field="line", code="line_not_found")
    if ln.state == PaymentLine.RECOVERED:
        return ln
    if not ln.roll.locked:
        raise IllegalTransition("名册审批后才能登记追回", field="state", code="roll_not_approved")
    on = on or timezone.localdate()
    ln.state, ln.paid_on, ln.fixed_note = PaymentLine.RECOVERED, on, note[:200]
    ln.save(update_fields=["state", "paid_on", "fixed_note"])
    LedgerEntry.objects.create(
        line=ln, year=ln.roll.month.year, month=ln.roll.month, unit_id=ln.unit_id,
        service_code=ln.service_code, category=ln.category, town_id=ln.town_id, amount=ln.amount, posted_on=on,
    )  # fmt: skip
    return ln


# --- budgets -----------------------------------------------------------------------------


def _amount(value, field: str) -> Decimal:
    try:
        d = money(str(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationFailed(f"金额无效：{value}", field=field, code="bad_amount") from None
    if d < 0:
        raise ValidationFailed("预算不能为负数", field=field, code="negative_amount")
    return d


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
def budget_set(*, actor, year: int, unit, service_code: str, amount, policy=None) -> Budget:
    require(actor, APPROVE_ROLES, "编辑预算")
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
        year=int(year), unit=unit, service_code=service_code,
        defaults={"amount": _amount(amount, "amount"), "category": spec.category, "source": "edited"},
    )  # fmt: skip
    return b
