"""Institution payees (收款机构): the medical-insurance fund, hospitals, schools, support
institutions (DOMAIN §7). Money for a person that an institution receives on the person's
behalf — a premium remitted to the fund, a hospital's advanced assistance share, a school's
term grants, centralised support — is paid to the institution's own account, never to a
person's bank account.

A **transfer** is one such payment with its lines (the persons it is for, each with its
amount; the lines add up to the transfer). It goes the way a roll does: created by the paying
unit from the rule's amounts (``transfer_create``), approved by a *second* person
(``transfer_approve``: the creator cannot approve his own transfer), confirmed paid by the
bank (``transfer_paid``), and only then posted to the fund ledger, where budgets, balances and
the demo's spending by unit read it beside the rolls' lines.

Concurrency: ``transfer_approve`` and ``transfer_paid`` are race-safe writes (``common.tx.racing_write``):
they lock the transfer (SELECT … FOR UPDATE) and check its state; a second click finds the work done
and changes nothing, or (SQLite, which refuses rather than waits) is told ``busy`` and writes nothing. A batch created
with a ``key`` (a settlement file, a term batch) is created once: the database refuses a second
transfer with the same key, and ``transfer_create`` returns the first.

Scope (``jiuzhu.common.scope``): ``institution.manage``, ``institution.read``, ``transfer.create``,
``transfer.approve``, ``transfer.reconcile`` — a department officer acts on the institutions
his unit owns (``unit`` scope), civil affairs' approvers city-wide.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import IntegrityError, transaction

from jiuzhu.common import clock, scope
from jiuzhu.common import values as checked
from jiuzhu.common.errors import IllegalTransition, NotFound, PermissionDenied, ValidationFailed
from jiuzhu.common.exports import safe_row
from jiuzhu.common.tx import lock, racing_write
from jiuzhu.registry.models import Person, Unit, User

from . import crypto
from .models import Institution, InstitutionKind, InstitutionTransfer, LedgerEntry, TransferLine

__all__ = [
    "Institution",
    "InstitutionTransfer",
    "TransferLine",
    "institution_register",
    "transfer_create",
    "transfer_approve",
    "transfer_paid",
    "transfer_bank_rows",
]

BUSY = "另一位工作人员正在处理该机构拨付，请刷新后查看"
ACCOUNT_RE = re.compile(r"^\d{12,30}$")


def _text(value, *, field: str, label: str, max_length: int) -> str:
    v = checked.text(value, field=field, max_length=max_length, label=label, required=False)
    if not v:
        raise ValidationFailed(f"请填写{label}", field=field, code="required")
    return v


@transaction.atomic
def institution_register(
    *,
    actor: User,
    code: str,
    name: str,
    kind: str,
    unit,
    bank_name: str,
    holder_name: str,
    account: str,
    town=None,
) -> Institution:
    """Register an institution payee of ``unit`` with its account (kept encrypted), or update
    the one with the same ``code`` (same owning unit only)."""
    unit_id = getattr(unit, "pk", unit)
    scope.require(actor, "institution.manage", unit=unit_id)
    code = _text(code, field="code", label="机构代码", max_length=40)
    if kind not in InstitutionKind.values:
        raise ValidationFailed(f"机构类型无效：{kind}", field="kind", code="bad_kind")
    number = re.sub(r"\s", "", str(account or ""))
    if not ACCOUNT_RE.match(number):
        raise ValidationFailed("银行账号应为12至30位数字", field="account", code="bad_account")
    if not Unit.objects.filter(pk=unit_id).exists():
        raise NotFound("主管单位不存在", field="unit", code="unit_not_found")
    values = {
        "name": _text(name, field="name", label="机构名称", max_length=100),
        "kind": kind,
        "unit_id": unit_id,
        "town_id": getattr(town, "pk", town),
        "bank_name": _text(bank_name, field="bank_name", label="开户行", max_length=100),
        "holder_name": _text(holder_name, field="holder_name", label="户名", max_length=100),
        "number_encrypted": crypto.encrypt(number),
        "tail": number[-4:],
    }
    existing = Institution.objects.select_for_update().filter(code=code).first()
    if existing is not None:
        if existing.unit_id != unit_id:
            raise ValidationFailed("该机构代码已由其他单位登记", field="code", code="code_taken")
        for k, v in values.items():
            setattr(existing, k, v)
        existing.save()
        return existing
    return Institution.objects.create(code=code, **values)


def _lines(lines: Iterable, amount: Decimal) -> list[TransferLine]:
    rows, seen, total = [], set(), Decimal("0.00")
    raw = list(lines)
    if not raw:
        raise ValidationFailed("机构拨付须附名单", field="lines", code="no_lines")
    ids = {getattr(r["person"], "pk", r["person"]) for r in raw}
    households = dict(Person.objects.filter(pk__in=ids).values_list("pk", "household_id"))
    for i, r in enumerate(raw):
        pid = getattr(r["person"], "pk", r["person"])
        if pid not in households:
            raise ValidationFailed(
                f"第{i + 1}行人员不存在", field=f"lines[{i}].person", code="person_not_found"
            )
        ref = checked.text(
            r.get("reference", ""),
            field=f"lines[{i}].reference",
            max_length=120,
            required=False,
            label="凭证号",
        )
        if (pid, ref) in seen:
            raise ValidationFailed(f"第{i + 1}行与前面的行重复", field=f"lines[{i}]", code="duplicate_line")
        seen.add((pid, ref))
        a = checked.money(r["amount"], field=f"lines[{i}].amount", label=f"第{i + 1}行金额")
        if a <= 0:
            raise ValidationFailed(f"第{i + 1}行金额应大于0", field=f"lines[{i}].amount", code="bad_amount")
        total += a
        rows.append(TransferLine(person_id=pid, household_id=households[pid], amount=a, reference=ref))
    if total != amount:
        raise ValidationFailed(
            f"名单合计{total}元与拨付金额{amount}元不一致", field="lines", code="lines_total_mismatch"
        )
    return rows


@transaction.atomic
def transfer_create(
    *,
    actor: User,
    institution,
    amount,
    purpose: str,
    period: date,
    lines: Iterable,
    note: str = "",
    key: str = "",
) -> InstitutionTransfer:
    """A transfer to ``institution`` for the catalogue service ``purpose`` (its budget line),
    for ``period`` (any day of the month; a yearly transfer uses its January), with ``lines``
    (dicts: ``person``, ``amount``, optional ``reference``) adding up to ``amount``. With a
    ``key`` the same batch is created once (a second call returns the first transfer)."""
    from jiuzhu.policy.selectors import current_policy

    inst = Institution.objects.filter(pk=getattr(institution, "pk", institution)).first()
    if inst is None:
        raise NotFound("收款机构不存在", field="institution", code="institution_not_found")
    scope.require(actor, "transfer.create", unit=inst.unit_id)
    if not inst.active:
        raise ValidationFailed("该机构已停用", field="institution", code="institution_inactive")
    if key:
        done = InstitutionTransfer.objects.filter(key=key).first()
        if done is not None:
            return done
    try:
        svc = current_policy().service(purpose)
    except LookupError:
        raise ValidationFailed(f"救助事项无效：{purpose}", field="purpose", code="unknown_service") from None
    amount = checked.money(amount, field="amount", label="拨付金额")
    note = checked.text(note, field="note", max_length=200, required=False, multiline=True, label="说明")
    if amount <= 0:
        raise ValidationFailed("拨付金额应大于0", field="amount", code="bad_amount")
    rows = _lines(lines, amount)
    try:
        with transaction.atomic():
            t = InstitutionTransfer.objects.create(
                institution=inst,
                unit_id=inst.unit_id,
                service_code=svc.code,
                category=svc.category,
                period=period.replace(day=1),
                amount=amount,
                lines_count=len(rows),
                note=note,
                key=key[:120],
                created_by=actor,
            )
    except IntegrityError:
        if key:  # the same batch, created meanwhile by another request
            return InstitutionTransfer.objects.get(key=key)
        raise
    for r in rows:
        r.transfer = t
    TransferLine.objects.bulk_create(rows, batch_size=5000)
    return t


def _lock(transfer) -> InstitutionTransfer:
    return lock(
        InstitutionTransfer, transfer, missing="机构拨付不存在", field="transfer", code="transfer_not_found"
    )


@racing_write(busy=BUSY)
def transfer_approve(*, actor: User, transfer) -> InstitutionTransfer:
    """A second person signs the transfer (maker-checker): its creator cannot."""
    t = _lock(transfer)
    scope.require(actor, "transfer.approve", unit=t.unit_id)
    if t.state != InstitutionTransfer.PENDING:
        return t
    if t.created_by_id == actor.pk:
        raise PermissionDenied("机构拨付须由生成人以外的另一人审批", field="actor", code="same_person")
    t.state, t.approved_by, t.approved_at = InstitutionTransfer.APPROVED, actor, clock.now()
    t.save(update_fields=["state", "approved_by", "approved_at"])
    return t


@racing_write(busy=BUSY)
def transfer_paid(*, actor: User, transfer, paid_on: date) -> InstitutionTransfer:
    """The bank confirmed the transfer: it is paid and posted to the fund ledger once."""
    paid_on = checked.past_date(paid_on, field="paid_on", label="到账日期")
    t = _lock(transfer)
    scope.require(actor, "transfer.reconcile", unit=t.unit_id)
    if t.state == InstitutionTransfer.PAID:
        return t
    if t.state != InstitutionTransfer.APPROVED:
        raise IllegalTransition("机构拨付审批后才能确认到账", field="state", code="transfer_not_approved")
    t.state, t.paid_on = InstitutionTransfer.PAID, paid_on
    t.save(update_fields=["state", "paid_on"])
    LedgerEntry.objects.create(
        transfer=t,
        year=t.period.year,
        month=t.period,
        unit_id=t.unit_id,
        service_code=t.service_code,
        category=t.category,
        town_id=t.institution.town_id,
        amount=t.amount,
        posted_on=paid_on,
    )
    return t


def transfer_bank_rows(transfer: InstitutionTransfer) -> list[list]:
    """The bank instruction for an approved transfer: one row to the institution's account
    (formula-safe cells)."""
    if transfer.state == InstitutionTransfer.PENDING:
        raise IllegalTransition("机构拨付审批后才能导出", field="state", code="transfer_not_approved")
    inst = transfer.institution
    return [
        ["户名", "开户行", "账号", "金额", "用途"],
        safe_row(
            [
                inst.holder_name,
                inst.bank_name,
                crypto.decrypt(inst.number_encrypted),
                transfer.amount,
                f"{transfer.period:%Y年%m月} {transfer.note or transfer.service_code}",
            ]
        ),
    ]
