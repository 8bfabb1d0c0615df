"""A whole month: generate, review, approve, export, the bank's return with failures, the
caseworker's fix, and the next month's roll paying the fixed line again."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from jiuzhu.common.errors import IllegalTransition, ValidationFailed
from jiuzhu.payments import bankfiles, services
from jiuzhu.payments.models import LedgerEntry, PaymentLine, PaymentRoll

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def _approve(roll, actors):
    services.roll_review(actor=actors["payments"], roll=roll)
    return services.roll_approve(actor=actors["approver"], roll=roll)


def test_full_month_and_reroll(grant, actors, staff):
    a = grant("张三", "950")
    b = grant("李四", "1200")
    c = grant("王五", "600", service="housing_rent_subsidy")
    counts = services.rolls_generate(month=MARCH)
    assert counts["rolls"] == 2 and counts["regular"] == 3
    dibao = PaymentRoll.objects.get(month=MARCH, service_code="dibao")
    assert dibao.unit.code == "civil_affairs" and dibao.lines_count == 2 and dibao.total == Decimal("2150.00")
    assert services.rolls_generate(month=MARCH)["regular"] == 3  # draft rebuilt, same lines
    assert PaymentLine.objects.filter(roll__month=MARCH).count() == 3
    # the database itself refuses a second regular payment for the same payee, service and month
    # (even from another unit's roll)
    other = PaymentRoll.objects.create(
        month=MARCH, service_code="dibao", category="minimum_living", unit=c.unit
    )
    first = PaymentLine.objects.filter(roll=dibao).first()
    first.pk, first.roll = None, other
    with pytest.raises(IntegrityError), transaction.atomic():
        first.save()
    other.delete()

    with pytest.raises(IllegalTransition):
        services.roll_approve(actor=actors["approver"], roll=dibao)  # not reviewed yet
    approver = actors["approver"]
    dibao = _approve(dibao, actors)
    assert dibao.state == PaymentRoll.APPROVED and dibao.approved_by is not None
    # generating again after approval changes nothing
    services.rolls_generate(month=MARCH)
    assert PaymentRoll.objects.get(pk=dibao.pk).state == PaymentRoll.APPROVED
    assert PaymentLine.objects.filter(roll=dibao).count() == 2

    name, content = bankfiles.roll_export(actor=approver, roll=dibao)
    text = content.decode("utf-8-sig")
    assert name.endswith(".csv") and "张三" in text and f"62220000{a.payee_id:011d}" in text
    again = bankfiles.roll_export(actor=approver, roll=dibao)[1]
    assert again == content
    xname, xdata = bankfiles.roll_export(actor=approver, roll=dibao, fmt="xlsx")
    assert xname.endswith(".xlsx") and xdata[:2] == b"PK"

    dibao.refresh_from_db()
    line_b = PaymentLine.objects.get(roll=dibao, payee_id=b.payee_id)
    ret = bankfiles.return_template(dibao, failures={line_b.pk: "账户已冻结"})
    res = bankfiles.roll_return_import(actor=actors["payments"], roll=dibao, data=ret)
    assert res["paid"] == 1 and res["failed"] == 1
    assert res["paid_total"] + res["failed_total"] == dibao.total
    # the same return file again changes nothing
    assert bankfiles.roll_return_import(actor=actors["payments"], roll=dibao, data=ret) == res
    line_b.refresh_from_db()
    assert line_b.state == PaymentLine.FAILED and line_b.fail_reason == "账户已冻结"
    assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == Decimal("950.00")

    # April: the failed line is not retried until fixed
    services.rolls_generate(month=APRIL)
    april = PaymentRoll.objects.get(month=APRIL, service_code="dibao")
    assert not april.lines.filter(kind=PaymentLine.RETRY).exists()
    change = services.bank_account_set(
        actor=actors["caseworker"],
        person=line_b.payee,
        number="6228480000000000001",
        bank_name="农业银行",
    )
    services.bank_account_confirm(actor=actors["colleague"], change=change)
    services.rolls_generate(month=APRIL)
    retry = april.lines.get(kind=PaymentLine.RETRY)
    assert retry.payee_id == b.payee_id and retry.amount == Decimal("1200.00") and retry.period == MARCH
    assert retry.retry_of_id == line_b.pk
    april.refresh_from_db()
    assert april.total == Decimal("950.00") + Decimal("1200.00") + Decimal("1200.00")
    assert c.pk  # housing roll untouched by dibao steps
    # the household's assistance chain shows the failure and the retry
    from jiuzhu.payments.selectors import chain_entries

    entries = chain_entries(household=b.household, role="town_caseworker")
    assert any("账户已冻结" in e["detail"] for e in entries) and any("重发" in e["title"] for e in entries)


def test_mismatched_return_is_refused_with_lines(grant, actors, staff):
    grant("赵一", "950")
    grant("钱二", "800")
    services.rolls_generate(month=MARCH)
    roll = PaymentRoll.objects.get(month=MARCH, service_code="dibao")
    _approve(roll, actors)
    bankfiles.roll_export(actor=actors["approver"], roll=roll)
    roll.refresh_from_db()
    good = bankfiles.return_template(roll).decode("utf-8-sig").splitlines()
    first = good[1].split(",")
    first[3] = "9999.00"  # amount changed
    bad = "\r\n".join([good[0], ",".join(first), "JZX,123456,1,1.00,成功,"]).encode()
    with pytest.raises(ValidationFailed) as exc:
        bankfiles.roll_return_import(actor=actors["payments"], roll=roll, data=bad)
    problems = {d["problem"] for d in exc.value.params["differences"]}
    assert exc.value.code == "return_mismatch"
    assert {"金额不符", "名册中无此流水号", "回盘文件缺少该笔", "批次号不符"} <= problems
    roll.refresh_from_db()
    assert roll.state == PaymentRoll.EXPORTED
    assert not PaymentLine.objects.filter(roll=roll).exclude(state=PaymentLine.PENDING).exists()
    assert not LedgerEntry.objects.exists()
