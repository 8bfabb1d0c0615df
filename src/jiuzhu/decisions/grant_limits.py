"""Grant control's limits beside the rule's amount (DOMAIN §7 "Grant control", "Medical").

- ``officer_limit`` (pure, in ``policy.grants``): what an officer grants alone for a service
  (policy ``grant.officer_limit``, per service); above it the grant waits for a second
  signature. Temporary assistance is tiered by ``temporary.multiple`` instead.
- ``check_medical_cap``: medical assistance per person per year is capped (policy
  ``medical.annual_cap``, demo ¥60,000). The year's total counts what the one-stop
  settlements already paid the person (``jiuzhu.medical``, handed in at start-up because
  medical sits above decisions), the medical-expense entitlements granted to him that year
  and the grants still waiting for a signature; with this grant above the cap it is refused
  (``medical_yearly_cap``), the room left named in the message.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db.models import F, Q, Sum

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.money import CENT
from jiuzhu.common.params import parameter
from jiuzhu.policy.grants import yuan
from jiuzhu.registry.models import Person

from .models import Entitlement, GrantRequest

# The services the yearly cap counts: after-insurance medical costs (what the one-stop
# settlements pay, under the same service code).
MEDICAL_CAPPED = ("medical_expense",)

# person, year -> assistance the settlements paid (``medical.selectors.person_year_paid``)
_SETTLED: dict[str, Callable[..., Decimal | int]] = {}


def register_settled_reader(reader: Callable[..., Decimal | int]) -> None:
    _SETTLED["medical"] = reader


def medical_year_total(*, person, year: int, exclude_request=None) -> Decimal:
    """Medical assistance for ``person`` in ``year``: settled, granted and waiting."""
    settled = (
        Decimal(str(_SETTLED["medical"](person=person, year=year))) if "medical" in _SETTLED else Decimal(0)
    )
    granted = (
        Entitlement.objects.filter(payee=person, service_code__in=MEDICAL_CAPPED, start_month__year=year)
        .exclude(Q(end_month__isnull=False) & Q(end_month__lt=F("start_month")))  # stopped before paid
        .aggregate(s=Sum("amount"))["s"]
    ) or Decimal(0)
    waiting = GrantRequest.objects.filter(
        state=GrantRequest.PENDING,
        service_code__in=MEDICAL_CAPPED,
        referral__application__applicant=person,
        start_month__year=year,
    )
    if exclude_request is not None:
        waiting = waiting.exclude(pk=exclude_request.pk)
    held = waiting.aggregate(s=Sum("amount"))["s"] or Decimal(0)
    return (settled + granted + held).quantize(CENT)


def check_medical_cap(
    policy, *, service_code: str, person, amount: Decimal, start_month: date, exclude_request=None
) -> None:
    """Refuse a medical grant that would take ``person`` over the year's cap."""
    if service_code not in MEDICAL_CAPPED:
        return
    # two grants to one person at once: the second waits here and counts the first
    Person.objects.select_for_update().filter(pk=person.pk).first()
    cap = Decimal(str(parameter(policy, "medical.annual_cap", start_month))).quantize(CENT)
    year = start_month.year
    already = medical_year_total(person=person, year=year, exclude_request=exclude_request)
    if already + amount <= cap:
        return
    room = max(cap - already, Decimal("0.00"))
    raise ValidationFailed(
        f"医疗救助年度限额每人 {yuan(cap)}：受助人 {year} 年已救助 {yuan(already)}（含一站式结算、"
        f"已给予和待签批），本次 {yuan(amount)} 超出限额，今年尚可给予 {yuan(room)}",
        field="amount",
        code="medical_yearly_cap",
        remaining=f"{room:.2f}",
        cap=f"{cap:.2f}",
    )
