"""Demo data for medical assistance: the city's medical-insurance fund as an institution
payee, and the demo year's premium subsidy remitted to it (prepared by the
medical-insurance bureau's officer, approved by a civil-affairs approver, paid in January); then
two hospitals and one one-stop settlement file of stays of dibao and tekun members (validated,
settled, each hospital's transfer approved and paid). Idempotent: the year's transfer is created
once, and the settlement file once."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions.entitlements import add_months, month_start, owed_in
from jiuzhu.payments import institutions
from jiuzhu.registry.demo_staff import demo_scaled, maker_and_checker
from jiuzhu.registry.models import Person, Unit

from . import settlement
from .models import SettlementFile
from .services import GROUPS, premium_transfer_create

HOSPITALS = (
    ("HOSP-DEMO-1", "示范市人民医院", "622700000000000011"),
    ("HOSP-DEMO-2", "示范市中医院", "622700000000000012"),
)
SETTLEMENT_FILE = "示范市医保中心一站式结算明细.xlsx"
STAYS = 60  # stays in the default demo's settlement file (fewer in a smaller demo)


def seed(*, policy, today: date) -> str | None:
    unit = Unit.objects.filter(code="medical_insurance").first()
    if unit is None:
        return None
    # the demo's own logins: the bureau's officer prepares, a civil-affairs approver signs
    staff = maker_and_checker(unit)
    if staff is None:
        return None
    maker, checker = staff
    fund = institutions.institution_register(
        actor=maker,
        code="MIF-DEMO",
        name="示范市医疗保障基金",
        kind=institutions.Institution.MEDICAL_FUND,
        unit=unit,
        bank_name="示范市工商银行",
        holder_name="示范市医疗保障基金专户",
        account="955880000000000001",
    )
    try:
        t = premium_transfer_create(actor=maker, fund=fund, year=today.year, policy=policy)
    except ValidationFailed as exc:
        return f"医疗救助：未拨付资助参保（{exc}）"
    t = institutions.transfer_approve(actor=checker, transfer=t)
    t = institutions.transfer_paid(actor=checker, transfer=t, paid_on=date(today.year, 1, 20))
    line = f"医疗救助：{today.year}年资助参保拨付医保基金 {t.lines_count} 人 {t.amount} 元"
    return line + "；" + _settlements(maker, checker, unit, today)


def _settlements(maker, checker, unit, today: date) -> str:
    done = SettlementFile.objects.filter(filename=SETTLEMENT_FILE, state=SettlementFile.State.APPLIED).first()
    if done is not None:
        return f"一站式结算已结算 {done.result.get('stays', 0)} 人次 {done.result.get('assistance', 0)} 元"
    for code, name, account in HOSPITALS:
        institutions.institution_register(
            actor=maker,
            code=code,
            name=name,
            kind=institutions.Institution.HOSPITAL,
            unit=unit,
            bank_name="示范市建设银行",
            holder_name=name,
            account=account,
        )
    # stays discharged last month by members of households in dibao or tekun that month
    month = add_months(month_start(today), -1)
    homes = list(
        owed_in(month)
        .filter(service_code__in=GROUPS)
        .order_by("household_id")
        .values_list("household_id", flat=True)
        .distinct()[: demo_scaled(STAYS)]
    )
    persons = Person.objects.filter(household_id__in=homes, deceased_on__isnull=True).order_by(
        "household_id", "pk"
    )
    rows: list[dict[str, str]] = []
    seen: set[int] = set()
    for p in persons:
        if p.household_id in seen:
            continue
        seen.add(p.household_id)
        i = len(rows)
        oop = Decimal(800 + (i * 937) % 9000)
        admitted = month + timedelta(days=i % 20)
        rows.append(
            {
                "姓名": p.name,
                "身份证号码": p.id_number,
                "医疗机构编码": HOSPITALS[i % 2][0],
                "入院日期": admitted.isoformat(),
                "出院日期": (admitted + timedelta(days=3 + i % 7)).isoformat(),
                "医疗总费用": str(oop * 4),
                "基本医保支付": str(oop * 2),
                "大病保险支付": str(oop // 2),
                "政策范围内个人自付": str(oop),
            }
        )
    if not rows:
        return "一站式结算：上月没有低保、特困对象"
    f = settlement.file_validate(
        actor=maker, unit=unit, data=settlement.workbook(rows), filename=SETTLEMENT_FILE
    )
    result = settlement.file_apply(actor=maker, sfile=f)
    for pk in result["transfers"]:
        institutions.transfer_approve(actor=checker, transfer=pk)
        institutions.transfer_paid(
            actor=checker, transfer=pk, paid_on=min(today, month_start(today) + timedelta(days=9))
        )
    return f"一站式结算 {result['stays']} 人次，拨付医疗机构 {result['assistance']} 元"
