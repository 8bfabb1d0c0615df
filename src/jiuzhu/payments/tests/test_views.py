"""The screens: a roll from generation to the bank's return through the browser forms, the
overrun confirmation, masking by role, the ledger with charts and its files, the public page."""

import io
from datetime import date
from decimal import Decimal

from openpyxl import load_workbook

from jiuzhu.common import jobs
from jiuzhu.payments import bankfiles, selectors
from jiuzhu.payments.models import BankAccountChange, Budget, LedgerEntry, PaymentLine, PaymentRoll


def _login(client, user):
    client.force_login(user)
    return client


def test_roll_through_the_screens(client, grant, actors, staff):
    ent = grant("欧阳小明", "950")
    grant("赵钱", "800")
    approver = actors["approver"]
    c = _login(client, approver)
    r = c.post("/payments/generate/", {"month": "2026-03"}, follow=True)
    assert "名册 1 本" in r.content.decode() and "<svg" in r.content.decode()
    roll = PaymentRoll.objects.get(month=date(2026, 3, 1), service_code="dibao")
    page = c.get(f"/payments/roll/{roll.pk}/").content.decode()
    number = f"62220000{ent.payee_id:011d}"
    assert "欧阳小明" in page and number in page and "最低生活保障" in page

    # a caseworker sees the account masked
    cw = _login(client.__class__(), actors["caseworker"])
    masked = cw.get(f"/payments/roll/{roll.pk}/").content.decode()
    assert number not in masked and "*" * 15 + number[-4:] in masked

    # budget nearly spent: the approval asks for an explicit confirmation
    Budget.objects.filter(year=2026, service_code="dibao").update(amount=Decimal("1000"))
    c.post(f"/payments/roll/{roll.pk}/review/")
    r = c.post(f"/payments/roll/{roll.pk}/approve/", {"next": f"/payments/roll/{roll.pk}/"}, follow=True)
    assert "超出2026年度预算750.00元" in r.content.decode()
    roll.refresh_from_db()
    assert roll.state == PaymentRoll.REVIEWED
    c.post(f"/payments/roll/{roll.pk}/approve/", {"confirm_overrun": "1", "note": "追加预算已报批"})
    roll.refresh_from_db()
    assert (
        roll.state == PaymentRoll.APPROVED
        and roll.overrun_confirmed
        and "追加预算已报批" in roll.overrun_note
    )
    c.post(
        "/payments/budgets/edit/",
        {"year": "2026", "unit": "civil_affairs", "service": "dibao", "amount": "28600000"},
    )
    assert Budget.objects.get(year=2026, service_code="dibao").amount == Decimal("28600000.00")

    r = c.post(f"/payments/roll/{roll.pk}/export/", {"fmt": "csv"})
    assert r["Content-Disposition"].endswith('.csv"') and number in r.content.decode("utf-8-sig")
    roll.refresh_from_db()
    line = roll.lines.get(payee_id=ent.payee_id)
    data = bankfiles.return_template(roll, {line.pk: "账号不存在"})
    from django.core.files.uploadedfile import SimpleUploadedFile

    wrong = data.replace(b"950.00", b"960.00")
    r = c.post(
        f"/payments/roll/{roll.pk}/return/",
        {"file": SimpleUploadedFile("r.csv", wrong), "next": f"/payments/roll/{roll.pk}/"},
    )
    assert r.status_code == 302 and r["Location"].startswith("/jobs/")
    assert jobs.work_off() == 1  # the worker reads and checks the file
    body = c.get(r["Location"]).content.decode()
    assert "回盘文件与名册不符" in body and f'href="/payments/roll/{roll.pk}/"' in body
    body = c.get(f"/payments/roll/{roll.pk}/").content.decode()  # the lines, from the job's record
    assert "回盘文件与名册不符的行" in body and "金额不符" in body
    other = _login(client.__class__(), approver)  # another session sees them too
    assert "金额不符" in other.get(f"/payments/roll/{roll.pk}/").content.decode()
    roll.refresh_from_db()
    assert roll.state == PaymentRoll.EXPORTED and not LedgerEntry.objects.filter(line__roll=roll).exists()

    r = c.post(f"/payments/roll/{roll.pk}/return/", {"file": SimpleUploadedFile("r.csv", data)})
    roll.refresh_from_db()
    assert roll.state == PaymentRoll.EXPORTED  # nothing applied until the worker runs
    assert jobs.work_off() == 1
    body = c.get(r["Location"]).content.decode()
    assert "回盘已导入：成功 1 笔" in body and f'href="/payments/roll/{roll.pk}/"' in body
    body = c.get(f"/payments/roll/{roll.pk}/").content.decode()
    assert "成功 1 笔" in body and "金额不符" not in body
    roll.refresh_from_db()
    assert roll.state == PaymentRoll.CLOSED and LedgerEntry.objects.filter(line__roll=roll).count() == 1
    # the same file again: the same answer, nothing changes
    r = c.post(f"/payments/roll/{roll.pk}/return/", {"file": SimpleUploadedFile("r.csv", data)})
    assert jobs.work_off() == 1
    assert "回盘已导入：成功 1 笔" in c.get(r["Location"]).content.decode()
    assert LedgerEntry.objects.filter(line__roll=roll).count() == 1
    assert roll.events.filter(kind="returned").count() == 1

    # the failed line is on the caseworker's list; a new account puts it back into April
    page = cw.get("/payments/attention/").content.decode()
    assert "账号不存在" in page
    cw.post(f"/payments/account/{ent.payee_id}/", {"bank_name": "建设银行", "number": "6217000000000000123"})
    change = BankAccountChange.objects.get(person_id=ent.payee_id, state="pending")
    assert "本人提交，须他人复核" in cw.get("/payments/attention/").content.decode()
    colleague = _login(client.__class__(), actors["colleague"])
    assert "尾号0123" in colleague.get("/payments/attention/").content.decode()
    colleague.post(f"/payments/account/change/{change.pk}/confirm/")
    c.post("/payments/generate/", {"month": "2026-04"})
    assert PaymentLine.objects.filter(roll__month=date(2026, 4, 1), kind=PaymentLine.RETRY).count() == 1

    ledger = c.get("/payments/ledger/?year=2026&by=town").content.decode()
    assert "<svg" in ledger and "城东街道" in ledger and "47355000.00" in ledger
    x = c.post("/payments/ledger/export", {"year": "2026", "fmt": "xlsx"})  # a background job
    p = c.post("/payments/ledger/export", {"year": "2026", "fmt": "pdf"})
    assert jobs.work_off() == 2
    workbook = c.get(x.url + "file").content
    assert workbook[:2] == b"PK" and c.get(p.url + "file").content[:5] == b"%PDF-"
    by_town = list(load_workbook(io.BytesIO(workbook))["按镇街"].iter_rows(values_only=True))
    paid = {row[0]: row[2] for row in by_town[1:]}
    expected = {r["label"]: r["paid"] for r in selectors.balances(year=2026, by="town")}
    assert paid == expected and all(isinstance(v, (int, float)) for v in paid.values())  # numbers, not text

    public = client.__class__().get("/payments/public/?year=2026").content.decode()
    assert "800.00" in public and "赵钱" not in public and "欧阳" not in public and number not in public
    assert "69804000.00" in public


def test_roles_without_payments_are_refused(client, staff):
    c = _login(client, staff("window_clerk"))
    assert c.get("/payments/").status_code == 403
