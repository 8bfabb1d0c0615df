"""One-stop settlement: a hospital's file is validated (every bad row reported), the share is
computed by the rule (tekun 100 %, dibao 70 %, the yearly cap counted on what was settled),
paid to the hospital that advanced it after a second signature, and a stay is never paid twice."""

from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Sum

from jiuzhu.common import jobs
from jiuzhu.common.errors import IllegalTransition, PermissionDenied, ValidationFailed
from jiuzhu.decisions.entitlements import entitlement_grant
from jiuzhu.medical import settlement
from jiuzhu.medical.models import SettlementLine
from jiuzhu.payments import institutions
from jiuzhu.payments.models import InstitutionTransfer, LedgerEntry, PaymentLine

HEADER = ",".join(settlement.HEADERS)


def csv(*rows) -> bytes:
    return ("\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n").encode()


def stay(person, hospital, admitted, discharged, total, basic, critical, oop, name=None):
    return [
        name or person.name,
        person.id_number,
        hospital,
        admitted,
        discharged,
        total,
        basic,
        critical,
        oop,
    ]


@pytest.fixture
def world(units, staff, make_household, policy):
    officer = staff("department_officer", "medical_insurance")
    approver = staff("approver")
    hospitals = {
        code: institutions.institution_register(
            actor=officer,
            code=code,
            name=name,
            kind=institutions.Institution.HOSPITAL,
            unit=units["medical_insurance"],
            bank_name="示范市建设银行",
            holder_name=name,
            account=account,
        )
        for code, name, account in (
            ("H001", "示范市人民医院", "622700001111222201"),
            ("H002", "示范市中医院", "622700001111222202"),
        )
    }
    tekun = make_household(members=[{"name": "孤老甲", "birth": date(1940, 3, 3)}])
    dibao = make_household(
        members=[{"name": "低保乙", "birth": date(1975, 1, 1)}, {"name": "低保丙", "birth": date(2012, 5, 5)}]
    )
    plain = make_household(members=[{"name": "普通丁", "birth": date(1970, 4, 4)}])
    for hh, code in ((tekun, "tekun_dispersed"), (dibao, "dibao")):
        entitlement_grant(
            household=hh,
            payee=hh.members.order_by("pk").first(),
            service_code=code,
            amount="900",
            start_month=date(2026, 1, 1),
            actor=approver,
            policy=policy,
            reason="审批同意",
        )
    return {
        "officer": officer,
        "approver": approver,
        "hospitals": hospitals,
        "tekun": tekun.members.get(),
        "dibao": dibao.members.get(name="低保乙"),
        "child": dibao.members.get(name="低保丙"),
        "plain": plain.members.get(),
        "unit": units["medical_insurance"],
    }


def validate(w, data, name="结算.csv"):
    return settlement.file_validate(actor=w["officer"], unit=w["unit"], data=data, filename=name)


def test_share_and_cap_to_the_yuan_paid_to_the_hospital(world):
    w = world
    t, d = w["tekun"], w["dibao"]
    data = csv(
        stay(t, "H001", "2026-02-01", "2026-02-20", "90000", "30000", "10000", "50000"),
        stay(d, "H001", "2026-03-01", "2026-03-10", "40000", "15000", "5000", "20000"),
        stay(t, "H002", "2026-04-02", "2026-04-12", "30000", "10000", "5000", "15000"),
    )
    f = validate(w, data)
    assert f.errors == [] and len(f.rows) == 3
    result = settlement.file_apply(actor=w["officer"], sfile=f)
    assert result["stays"] == 3 and result["hospitals"] == 2 and result["capped"] == 1

    lines = {(ln.person_id, ln.hospital.code): ln for ln in SettlementLine.objects.select_related("hospital")}
    # tekun 100 %: 50,000 in full, then the yearly cap ¥60,000 leaves exactly 10,000 of 15,000
    assert lines[(t.pk, "H001")].assistance == Decimal("50000.00")
    assert (lines[(t.pk, "H002")].assistance, lines[(t.pk, "H002")].own_share) == (
        Decimal("10000.00"),
        Decimal("5000.00"),
    )
    # dibao 70 %: 14,000, the person keeps 6,000
    assert (lines[(d.pk, "H001")].assistance, lines[(d.pk, "H001")].own_share) == (
        Decimal("14000.00"),
        Decimal("6000.00"),
    )
    assert SettlementLine.objects.filter(person=t, year=2026).aggregate(s=Sum("assistance"))["s"] == 60000

    # one pending transfer per hospital, to the hospital: nothing to any person's bank account
    h1 = InstitutionTransfer.objects.get(institution=w["hospitals"]["H001"])
    h2 = InstitutionTransfer.objects.get(institution=w["hospitals"]["H002"])
    assert (h1.amount, h1.lines_count, h1.service_code) == (Decimal("64000.00"), 2, "medical_expense")
    assert (h2.amount, h1.state) == (Decimal("10000.00"), InstitutionTransfer.PENDING)
    assert not PaymentLine.objects.exists()
    with pytest.raises(PermissionDenied):  # the officer who settled cannot sign his own transfer
        institutions.transfer_approve(actor=w["officer"], transfer=h1)
    for tr in (h1, h2):
        institutions.transfer_approve(actor=w["approver"], transfer=tr)
        institutions.transfer_paid(actor=w["approver"], transfer=tr, paid_on=date(2026, 5, 10))
    paid = LedgerEntry.objects.filter(unit=w["unit"], service_code="medical_expense")
    assert paid.aggregate(s=Sum("amount"))["s"] == Decimal("74000.00")

    # the cap is reached: a later stay this year is settled with nothing to pay, and no transfer
    f2 = validate(w, csv(stay(t, "H001", "2026-06-01", "2026-06-05", "5000", "2000", "1000", "2000")))
    result = settlement.file_apply(actor=w["officer"], sfile=f2)
    line = SettlementLine.objects.get(source=f2)
    assert (line.assistance, line.own_share, line.transfer_id) == (Decimal("0.00"), Decimal("2000.00"), None)
    assert result["hospitals"] == 0 and InstitutionTransfer.objects.count() == 2


def test_importing_the_same_file_again_changes_nothing(world):
    w = world
    data = csv(
        stay(w["tekun"], "H001", "2026-02-01", "2026-02-20", "9000", "3000", "1000", "5000"),
        stay(w["child"], "H002", "2026-03-01", "2026-03-03", "3000", "1000", "500", "1000"),
    )
    first = validate(w, data)
    settlement.file_apply(actor=w["officer"], sfile=first)
    before = (
        SettlementLine.objects.count(),
        InstitutionTransfer.objects.count(),
        LedgerEntry.objects.count(),
    )
    amounts = sorted(InstitutionTransfer.objects.values_list("amount", flat=True))
    assert amounts == [Decimal("700.00"), Decimal("5000.00")]

    again = validate(w, data, name="结算（重报）.csv")
    assert again.rows == []
    assert [(e["row"], e["code"]) for e in again.errors] == [(2, "already_settled"), (3, "already_settled")]
    with pytest.raises(ValidationFailed) as err:
        settlement.file_apply(actor=w["officer"], sfile=again)
    assert err.value.code == "nothing_to_apply"
    with pytest.raises(IllegalTransition):  # the first file cannot be settled a second time either
        settlement.file_apply(actor=w["officer"], sfile=first)
    after = (SettlementLine.objects.count(), InstitutionTransfer.objects.count(), LedgerEntry.objects.count())
    assert after == before
    assert sorted(InstitutionTransfer.objects.values_list("amount", flat=True)) == amounts


def test_every_bad_row_is_reported_and_nothing_is_written(world):
    w = world
    t, d, p = w["tekun"], w["dibao"], w["plain"]
    data = csv(
        stay(t, "H009", "2026-02-01", "2026-02-20", "9000", "3000", "1000", "5000"),  # unknown hospital
        stay(p, "H001", "2026-02-01", "2026-02-20", "9000", "3000", "1000", "5000"),  # not dibao/tekun
        stay(d, "H001", "2026-02-01", "2026-02-20", "9000", "3000", "1000", "5000", name="王五"),
        stay(d, "H001", "2026-03-01", "2026-03-10", "9000", "3000", "1000", "6000"),  # parts > total
        stay(d, "H002", "2026-03-10", "2026-03-01", "9000", "3000", "1000", "5000"),  # out before in
        stay(d, "H002", "2026-04-01", "2026-04-09", "9000", "3000", "1000", "=1+1"),  # not a number
        stay(t, "H002", "2026-05-01", "2026-05-02", "900", "300", "100", "500"),  # good
        stay(t, "H002", "2026-05-01", "2026-05-03", "900", "300", "100", "500"),  # same stay again
    )
    f = validate(w, data)
    assert [(e["row"], e["column"], e["code"]) for e in f.errors] == [
        (2, "医疗机构编码", "hospital_unknown"),
        (3, "身份证号码", "not_target"),
        (4, "姓名", "name_mismatch"),
        (5, "政策范围内个人自付", "costs_exceed_total"),
        (6, "出院日期", "discharge_before_admission"),
        (7, "政策范围内个人自付", "invalid_amount"),
        (9, "入院日期", "duplicate_in_file"),
    ]
    assert "不属于医疗救助对象" in f.errors[1]["message"] and "（低保乙）" in f.errors[2]["message"]
    assert [r["row"] for r in f.rows] == [8] and f.rows[0]["assistance"] == "500.00"
    assert not SettlementLine.objects.exists() and not InstitutionTransfer.objects.exists()


def test_another_unit_cannot_import_settlements(world, staff):
    other = staff("department_officer", "education")
    with pytest.raises(PermissionDenied):
        settlement.file_validate(actor=other, unit=world["unit"], data=csv(), filename="x.csv")


def test_screens_upload_report_and_settle(world, client):
    w = world
    client.force_login(w["officer"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = csv(
        stay(w["dibao"], "H001", "2026-03-01", "2026-03-10", "40000", "15000", "5000", "20000"),
        stay(w["plain"], "H001", "2026-03-01", "2026-03-10", "4000", "1500", "500", "2000"),
    )
    resp = client.post("/medical/settlements/upload/", {"file": SimpleUploadedFile("三月.csv", data)})
    assert resp.status_code == 302 and resp["Location"].startswith("/jobs/")
    assert jobs.work_off() == 1  # the worker reads the file
    report = client.get(resp["Location"]).context["job"].result["url"]
    page = client.get(report).content.decode()
    assert "第 3 行" in page and "不属于医疗救助对象" in page and "¥14,000.00" in page
    resp = client.post(report + "apply/", follow=True)
    page = resp.content.decode()
    assert "已结算住院 1 人次" in page and "示范市人民医院" in page and "¥6,000.00" in page
    assert "低保对象" in page and "dibao" not in page  # the group as a label, never its code
