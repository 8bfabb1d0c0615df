"""The bank's payment file (export of an approved roll, CSV or Excel) and its return file
(回盘: each line paid or failed with a reason).

Export: approver or admin only (the file carries whole account numbers), logged as an access
to personal data. The first export freezes each line's confirmed account on the line
(``sent_*``); exporting again gives the same lines and changes nothing, and the return file
is compared with what was sent, even if the payee's account has changed since.

Import: the whole file is checked against the exported roll first — batch number, every line
present once, same account and amount, a result for each and a reason for each failure, totals
that add up. Any difference refuses the file with the lines that differ and nothing applied;
otherwise paid and failed lines are written set-based, paid lines post to the ledger and the
roll is closed. Importing the same file again returns the same result and changes nothing.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.db.models import F, OuterRef, Subquery, Value
from django.db.models import fields as f
from django.db.models.functions import Coalesce, ExtractYear
from openpyxl import load_workbook

from jiuzhu.common import clock, scope
from jiuzhu.common.errors import Conflict, IllegalTransition, ValidationFailed
from jiuzhu.common.exports import Sheet, write_csv, write_xlsx
from jiuzhu.common.money import money
from jiuzhu.common.services import log_access
from jiuzhu.registry.models import User

from . import crypto
from .models import BankAccount, LedgerEntry, PaymentLine, PaymentRoll, RollEventKind
from .rolls import insert_select
from .services import event, lock_roll, racing

EXPORT_HEADERS = ["批次号", "流水号", "户名", "身份证号码", "开户行", "账号", "金额", "用途"]
RETURN_HEADERS = ["批次号", "流水号", "账号", "金额", "结果", "失败原因"]
PAID, FAILED = "成功", "失败"
CHUNK = 5000


def freeze_accounts(roll) -> int:
    """Copy each bank-bound line's confirmed account onto the line, once (set-based): the file
    sent and the return compared with it use this copy, whatever the account becomes later."""
    acct = BankAccount.objects.filter(person_id=OuterRef("payee_id"))

    def copy(field):
        return Coalesce(Subquery(acct.values(field)[:1]), Value(""))

    return roll.lines.filter(state=PaymentLine.PENDING, amount__gt=0, sent_account_encrypted="").update(
        sent_account_encrypted=copy("number_encrypted"),
        sent_bank_name=copy("bank_name"),
        sent_holder_name=copy("holder_name"),
    )


def _exported_lines(roll):
    """(line id, amount, encrypted account, bank, holder, ID number) of the lines that go to
    the bank, with the account frozen on the line, as plain tuples (no model instances: a
    roll may have 100,000 lines)."""
    return (
        roll.lines.filter(state=PaymentLine.PENDING, amount__gt=0)
        .order_by("id")
        .values_list(
            "id",
            "amount",
            "sent_account_encrypted",
            "sent_bank_name",
            "sent_holder_name",
            "payee__id_number",
        )
    )


def _rows(roll) -> list[list[str]]:
    purpose = f"{roll.month:%Y年%m月}{roll.service_code}"
    return [
        [roll.batch_ref, str(pk), holder, id_number, bank, crypto.decrypt(token), f"{amount:.2f}", purpose]
        for pk, amount, token, bank, holder, id_number in _exported_lines(roll)
    ]


@racing
def roll_export(*, actor: User, roll, fmt: str = "csv") -> tuple[str, bytes]:
    """The bank payment file of an approved roll: ``(filename, content)``. The first export
    gives the roll its batch number and marks it exported; later exports repeat the file."""
    scope.require(actor, "payment.export")
    if fmt not in ("csv", "xlsx"):
        raise ValidationFailed("导出格式只能是 csv 或 xlsx", field="fmt", code="bad_format")
    r = lock_roll(roll)
    if not r.locked:
        raise IllegalTransition("名册审批后才能导出银行文件", field="state", code="roll_not_approved")
    first = not r.batch_ref
    if first:
        r.batch_ref = f"JZ{r.month:%Y%m}{r.pk:07d}"
    freeze_accounts(r)
    rows = _rows(r)
    content = write_csv(EXPORT_HEADERS, rows)
    if first:
        r.state, r.exported_at = PaymentRoll.EXPORTED, clock.now()
        r.export_sha256 = hashlib.sha256(content).hexdigest()
        r.save(update_fields=["batch_ref", "state", "exported_at", "export_sha256"])
        event(r, RollEventKind.EXPORTED, actor, lines=len(rows), total=str(r.total))
    log_access(
        user=actor,
        action="export",
        object_type="payment_roll",
        object_id=r.pk,
        purpose=f"银行发放文件 {r.batch_ref}",
    )
    if fmt == "xlsx":
        # the cells are text: account and ID numbers must not become numbers
        return f"{r.batch_ref}.xlsx", write_xlsx([Sheet(r.batch_ref, EXPORT_HEADERS, rows)])
    return f"{r.batch_ref}.csv", content


def return_template(roll, failures: dict[int, str] | None = None) -> bytes:
    """A return file as the bank would send it (for tests, the demo and the bench): every
    exported line paid, except ``failures`` {line id: reason}."""
    failures = failures or {}
    rows = [
        [
            roll.batch_ref,
            str(pk),
            crypto.decrypt(token),
            f"{amount:.2f}",
            FAILED if pk in failures else PAID,
            failures.get(pk, ""),
        ]
        for pk, amount, token, *_ in _exported_lines(roll)
    ]
    return write_csv(RETURN_HEADERS, rows)


def parse_return(data: bytes) -> list[dict]:
    """Rows of a return file (CSV in UTF-8 or GB18030, or Excel) keyed by the headers."""
    if data[:2] == b"PK":
        try:
            ws = load_workbook(io.BytesIO(data), read_only=True).active
            table = [["" if c is None else str(c) for c in row] for row in ws.iter_rows(values_only=True)]
        except Exception:
            raise ValidationFailed("无法读取 Excel 回盘文件", field="file", code="bad_file") from None
    else:
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(
                "回盘文件编码无法识别（应为 UTF-8 或 GB18030）", field="file", code="bad_encoding"
            )
        table = list(csv.reader(io.StringIO(text)))
    table = [r for r in table if any(c.strip() for c in r)]
    if not table:
        raise ValidationFailed("回盘文件为空", field="file", code="file_empty")
    head = [h.strip() for h in table[0]]
    missing = [h for h in RETURN_HEADERS if h not in head]
    if missing:
        raise ValidationFailed(f"回盘文件缺少列：{'、'.join(missing)}", field="file", code="missing_columns")
    return [
        {
            "row": i,
            **{h: (r[head.index(h)].strip() if head.index(h) < len(r) else "") for h in RETURN_HEADERS},
        }
        for i, r in enumerate(table[1:], start=2)
    ]


def _differences(roll, rows: list[dict]) -> list[dict]:
    expected = {pk: (crypto.decrypt(token), money(amount)) for pk, amount, token, *_ in _exported_lines(roll)}
    diffs, seen = [], set()

    def diff(row, line, what, want="", got=""):
        diffs.append({"row": row, "line": line, "problem": what, "expected": str(want), "got": str(got)})

    for r in rows:
        ref = r["流水号"]
        line = int(ref) if ref.isdigit() else None
        if r["批次号"] != roll.batch_ref:
            diff(r["row"], ref, "批次号不符", roll.batch_ref, r["批次号"])
        if line not in expected:
            diff(r["row"], ref, "名册中无此流水号")
            continue
        if line in seen:
            diff(r["row"], ref, "流水号重复")
            continue
        seen.add(line)
        acct, amount = expected[line]
        if r["账号"] != acct:
            diff(r["row"], ref, "账号不符", "****" + acct[-4:], "****" + r["账号"][-4:])
        try:
            got = Decimal(r["金额"])
        except InvalidOperation:
            got = None
        if got != amount:
            diff(r["row"], ref, "金额不符", amount, r["金额"])
        if r["结果"] not in (PAID, FAILED):
            diff(r["row"], ref, "结果应为“成功”或“失败”", "", r["结果"])
        elif r["结果"] == FAILED and not r["失败原因"]:
            diff(r["row"], ref, "失败须注明原因")
    for line in sorted(expected.keys() - seen):
        diff("", str(line), "回盘文件缺少该笔", expected[line][1], "")
    return diffs


def _update(ids: list[int], **values) -> None:
    for i in range(0, len(ids), CHUNK):
        PaymentLine.objects.filter(pk__in=ids[i : i + CHUNK]).update(**values)


def _result(r: PaymentRoll) -> dict:
    return {
        "roll": r.pk,
        "batch_ref": r.batch_ref,
        "paid": r.paid_count,
        "paid_total": r.paid_total,
        "failed": r.failed_count,
        "failed_total": r.failed_total,
        "total": r.total,
    }


@racing
def roll_return_import(*, actor: User, roll, data: bytes, paid_on=None) -> dict:
    """Apply the bank's return file to an exported roll (see the module docstring); paid lines
    are dated ``paid_on`` (default today). Raises ``ValidationFailed`` (code
    ``return_mismatch``, ``differences=[…]``) when it does not match."""
    digest = hashlib.sha256(data).hexdigest()
    r = lock_roll(roll)
    scope.require(actor, "payment.reconcile", unit=r.unit_id)
    if r.state == PaymentRoll.CLOSED:
        if r.return_sha256 == digest:
            return _result(r)  # the same file again: already applied
        raise Conflict("该名册已对账完毕，不能再导入其他回盘文件", field="file", code="already_reconciled")
    if r.state != PaymentRoll.EXPORTED:
        raise IllegalTransition("名册导出银行文件后才能导入回盘", field="state", code="not_exported")
    freeze_accounts(r)  # rolls exported before accounts were frozen on their lines
    rows = parse_return(data)
    diffs = _differences(r, rows)
    if diffs:
        raise ValidationFailed(
            f"回盘文件与名册不符（{len(diffs)}处），未作任何处理",
            field="file",
            code="return_mismatch",
            differences=diffs[:500],
            count=len(diffs),
        )
    today = paid_on or clock.today()
    paid = [int(x["流水号"]) for x in rows if x["结果"] == PAID]
    failed = defaultdict(list)
    for x in rows:
        if x["结果"] == FAILED:
            failed[x["失败原因"][:200]].append(int(x["流水号"]))
    # the file was checked to hold every exported line once: what did not fail was paid
    for reason, ids in failed.items():
        _update(ids, state=PaymentLine.FAILED, fail_reason=reason)
    r.lines.filter(state=PaymentLine.PENDING, amount__gt=0).update(state=PaymentLine.PAID, paid_on=today)
    post_paid(r, today)
    amounts = {int(x["流水号"]): Decimal(x["金额"]) for x in rows}
    r.paid_count, r.paid_total = len(paid), sum((amounts[i] for i in paid), Decimal("0.00"))
    r.failed_count = sum(len(v) for v in failed.values())
    r.failed_total = sum((amounts[i] for v in failed.values() for i in v), Decimal("0.00"))
    if r.paid_total + r.failed_total != r.total or r.paid_count + r.failed_count != r.lines_count:
        raise ValidationFailed("回盘合计与名册合计不平，未作任何处理", field="file", code="totals_differ")
    r.state, r.returned_at, r.return_sha256 = PaymentRoll.CLOSED, clock.now(), digest
    r.save(
        update_fields=[
            "state",
            "returned_at",
            "return_sha256",
            "paid_count",
            "paid_total",
            "failed_count",
            "failed_total",
        ]
    )
    event(
        r,
        RollEventKind.RETURNED,
        actor,
        paid=r.paid_count,
        failed=r.failed_count,
        paid_total=str(r.paid_total),
    )
    return _result(r)


def post_paid(roll: PaymentRoll, on) -> int:
    """Post every paid line of ``roll`` not yet in the ledger (one INSERT … SELECT)."""
    qs = (
        PaymentLine.objects.filter(roll=roll, state=PaymentLine.PAID, ledger_entry__isnull=True)
        .annotate(
            c_year=ExtractYear("roll__month"),
            c_month=F("roll__month"),
            c_posted=Value(on, output_field=f.DateField()),
        )
        .values_list(
            "id", "c_year", "c_month", "unit_id", "service_code", "category", "town_id", "amount", "c_posted"
        )
        .order_by()
    )
    cols = (
        "line_id",
        "year",
        "month",
        "unit_id",
        "service_code",
        "category",
        "town_id",
        "amount",
        "posted_on",
    )
    return insert_select(LedgerEntry._meta.db_table, cols, qs)
