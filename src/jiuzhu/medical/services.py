"""Medical assistance writes (DOMAIN §7 医疗).

``premium_transfer_create``: the premium subsidy (资助参保) is remitted to the medical-insurance
fund as one transfer per year and scheme with its member list — never paid to the person. The
members are the persons of households with a dibao or tekun entitlement running in January of
the year; each line is the resident premium × the group's subsidy rate (policy parameters
``medical.resident_premium`` and ``medical.premium_subsidy_rate``). The transfer's key is the
year and scheme, so creating it twice is a no-op (``jiuzhu.payments.institutions``).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction

from jiuzhu.common import scope
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions.entitlements import owed_in
from jiuzhu.payments import institutions
from jiuzhu.registry.models import Person, User

from .models import SettlementLine

# the services whose recipients are assisted, and the group each gives (SettlementLine.Group)
GROUPS: dict[str, SettlementLine.Group] = {
    "dibao": SettlementLine.Group.DIBAO,
    "dibao_single": SettlementLine.Group.DIBAO,
    "tekun_dispersed": SettlementLine.Group.EXTREME_POVERTY,
    "tekun_institutional": SettlementLine.Group.EXTREME_POVERTY,
}
SCHEME = "resident"  # 城乡居民基本医疗保险


@transaction.atomic
def premium_transfer_create(*, actor: User, fund, year: int, policy):
    """One transfer to ``fund`` for ``year``'s resident premiums of the dibao and tekun members."""
    from datetime import date

    scope.require(actor, "transfer.create", unit=fund.unit_id)
    if fund.kind != institutions.Institution.MEDICAL_FUND:
        raise ValidationFailed("资助参保只能拨付给医疗保险基金", field="fund", code="not_a_fund")
    january = date(year, 1, 1)
    group_of: dict[int, SettlementLine.Group] = {}
    for hid, code in (
        owed_in(january).filter(service_code__in=GROUPS).values_list("household_id", "service_code")
    ):
        if (
            group_of.get(hid) != SettlementLine.Group.EXTREME_POVERTY
        ):  # tekun's rate where a household has both
            group_of[hid] = GROUPS[code]
    if not group_of:
        raise ValidationFailed(f"{year}年1月没有低保、特困对象", field="year", code="no_members")
    try:
        premium = Decimal(policy.param("medical.resident_premium", january))
    except LookupError:
        raise ValidationFailed(
            f"政策文件没有{year}年的个人缴费标准", field="year", code="no_premium"
        ) from None
    lines: list[dict[str, Any]] = []
    for pid, hid in Person.objects.filter(household_id__in=group_of, deceased_on__isnull=True).values_list(
        "pk", "household_id"
    ):
        rate = Decimal(policy.param("medical.premium_subsidy_rate", january, group=group_of[hid]))
        amount = (premium * rate).quantize(Decimal("0.01"), ROUND_HALF_UP)
        lines.append({"person": pid, "amount": amount, "reference": f"{year}-{SCHEME}"})
    return institutions.transfer_create(
        actor=actor,
        institution=fund,
        amount=sum((ln["amount"] for ln in lines), Decimal("0.00")),
        purpose="medical_premium",
        period=january,
        lines=lines,
        note=f"{year}年度城乡居民医保资助参保",
        key=f"medical_premium:{SCHEME}:{year}:{fund.pk}",
    )
