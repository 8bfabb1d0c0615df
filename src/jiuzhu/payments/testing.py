"""Helpers for payments' tests, the demo and the bench (no test-framework imports)."""

from __future__ import annotations

from .crypto import encrypt
from .models import BankAccount


def account_number(person_id: int) -> str:
    """A fictitious 19-digit account number for a person."""
    return f"6222{person_id:015d}"


def accounts_bulk(persons) -> int:
    """Give each of ``persons`` (id, name) without an account a fictitious one, in bulk."""
    have = set(BankAccount.objects.values_list("person_id", flat=True))
    rows = []
    for pid, name in persons:
        if pid in have:
            continue
        number = account_number(pid)
        rows.append(
            BankAccount(
                person_id=pid,
                bank_name="示范市农村商业银行",
                holder_name=name,
                number_encrypted=encrypt(number),
                tail=number[-4:],
            )
        )
    BankAccount.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    return len(rows)


def institution(
    *, actor, code: str, name: str, kind: str, unit, account: str, bank_name: str = "示范市农业银行"
):
    """An institution (a school, a support home, a hospital…) of ``unit`` registered by
    ``actor``, paid to ``account`` held in its own name."""
    from .institutions import institution_register

    return institution_register(
        actor=actor,
        code=code,
        name=name,
        kind=kind,
        unit=unit,
        bank_name=bank_name,
        holder_name=name,
        account=account,
    )


def pay_month(month, *, preparer, approver) -> None:
    """Every roll of ``month`` generated, reviewed by ``preparer``, approved and exported by
    ``approver`` and returned all paid by the bank: its paid lines are posted to the ledger
    (rolls already reconciled are left as they are)."""
    from . import bankfiles, services
    from .models import PaymentRoll

    services.rolls_generate(month=month)
    for roll in PaymentRoll.objects.filter(month=month).exclude(state=PaymentRoll.CLOSED):
        services.roll_review(actor=preparer, roll=roll)
        services.roll_approve(actor=approver, roll=roll)
        bankfiles.roll_export(actor=approver, roll=roll)
        roll.refresh_from_db()
        bankfiles.roll_return_import(actor=preparer, roll=roll, data=bankfiles.return_template(roll, None))
