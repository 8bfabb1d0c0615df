"""Demo data for medical assistance: the city's medical-insurance fund as an institution
payee, and the demo year's premium subsidy remitted to it (prepared by the
medical-insurance bureau's officer, approved by a civil-affairs approver, paid in January). Idempotent: the year's
transfer is created once."""

from __future__ import annotations

from datetime import date

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.payments import institutions
from jiuzhu.registry.models import Unit, User

from .services import premium_transfer_create


def seed(*, policy, today: date) -> str | None:
    unit = Unit.objects.filter(code="medical_insurance").first()
    if unit is None:
        return None
    # the demo's own logins: the bureau's officer prepares, a civil-affairs approver signs
    maker = User.objects.filter(role="department_officer", unit=unit).order_by("pk").first()
    checker = User.objects.filter(role="approver").order_by("pk").first()
    if maker is None or checker is None:
        return None
    fund = institutions.institution_register(
        actor=maker, code="MIF-DEMO", name="示范市医疗保障基金", kind=institutions.Institution.MEDICAL_FUND,
        unit=unit, bank_name="示范市工商银行", holder_name="示范市医疗保障基金专户", account="955880000000000001",
    )  # fmt: skip
    try:
        t = premium_transfer_create(actor=maker, fund=fund, year=today.year, policy=policy)
    except ValidationFailed as exc:
        return f"医疗救助：未拨付资助参保（{exc}）"
    t = institutions.transfer_approve(actor=checker, transfer=t)
    t = institutions.transfer_paid(actor=checker, transfer=t, paid_on=date(today.year, 1, 20))
    return f"医疗救助：{today.year}年资助参保拨付医保基金 {t.lines_count} 人 {t.amount} 元"
