"""The demo year's work at the departments and the towns (issue 17 item 7), done before the rolls
are generated so they pay it.

The size of the year is the demo's own: what civil affairs pays this year (the ledger so far and
the entitlements owed for the months before this one) against its budget gives the demo's scale,
and every other unit that pays a service is brought to its budget times that scale — so the
ledger spends the two parts of the city's budget (civil affairs ¥47.355M, the other departments
¥22.449M) in proportion, whatever the number of households. A unit whose programme demo already
spends that much gets nothing more.

The work goes the real way, on its own day of the year (``common.clock.on``): a household the
rules (batch path) find eligible for one of the unit's services applies at its town's window, the
clerk refers it, the unit's officer grants it under grant control (the rule's amount, or an
amount set by need with its reason, within the officer's limit; one above it waits for a second
signature and is not paid), starting the month after. Each town pays emergency aid first
(先行救助) from its reserve. Idempotent: marked by the applications' description."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import polars as pl
from django.db import transaction
from django.db.models import Sum

from jiuzhu.common import clock
from jiuzhu.common import masking as m
from jiuzhu.common.errors import JiuzhuError
from jiuzhu.common.selectors import holiday_table
from jiuzhu.common.workdays import add_workdays
from jiuzhu.decisions.entitlements import add_months, month_start, owed_in
from jiuzhu.decisions.frames import registry_frames
from jiuzhu.policy.batch import evaluate_batch
from jiuzhu.registry.models import Household, Unit, User

from .models import Budget, LedgerEntry

MARK = "年度救助申请（演示）"
EMERGENCY_MARK = "突发困难先行救助（演示）"
# what a household applies for at the window, by the service's category (else: basic living)
NEED = {"medical": "medical", "education": "education", "housing": "housing", "employment": "employment"}
NEED |= {"disaster": "disaster", "charity_medical": "medical", "disabled_rehab": "medical"}
NEED |= {"youth_education_aid": "education"}
# amounts set by need (the rule computes none): the unit's usual grant, within the officer's limit
BY_NEED = {
    "disabled_living_allowance": ("300", "month"),
    "disabled_rehab": ("6000", "once"),
    "worker_hardship": ("2000", "once"),
    "women_children_aid": ("2000", "once"),
    "youth_education_aid": ("2500", "once"),
    "charity_aid": ("3000", "once"),
    "charity_medical": ("6000", "once"),
    "medical_emergency": ("6000", "once"),
    "medical_first_treatment": ("5000", "once"),
    "medical_expense": ("8000", "once"),
    "disaster_winter": ("1500", "once"),
    "disaster_rebuild": ("20000", "once"),
    "housing_rural_repair": ("15000", "once"),
    "edu_university": ("5000", "once"),
    "employment_training": ("1500", "once"),
}
BY_NEED_REASON = "按实际需要核定（演示）"
EMERGENCY_NEED = Decimal("1500")
MAX_TRIES = 3  # households tried per grant made, before a service is given up
# paid to an institution or in kind, never granted to a household on a referral
NOT_GRANTED = {"medical_premium", "medical_first_treatment", "housing_public_rental", "employment_services"}
# units whose services read a member's medical costs (programme facts recorded at the window)
MEDICAL_UNITS = {"medical_insurance", "health", "charity_federation"}
MEDICAL_HOMES = 120  # dibao/tekun households whose medical costs are recorded in January


@dataclass
class Year:
    months: list[date]  # the months paid by the demo's rolls (January to last month)
    current: date

    def paid_months(self, start: date, period: str) -> int:
        n = sum(1 for x in self.months if x >= start)
        return n if period == "month" else (1 if n else 0)


def expected_by_unit(year: Year) -> dict[str, Decimal]:
    """What each unit will have paid this year once the rolls of the months before this one are
    paid: the ledger so far (institution transfers) and the entitlements owed for those months."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    rows = (
        LedgerEntry.objects.filter(year=year.current.year).values_list("unit__code").annotate(s=Sum("amount"))
    )
    for code, s in rows.order_by():
        out[code] += s or 0
    for month in year.months:
        for code, s in owed_in(month).values_list("unit__code").annotate(s=Sum("amount")).order_by():
            out[code] += s or 0
    return out


def targets(policy, year: Year) -> tuple[dict[str, Decimal], Decimal]:
    """Each paying unit's spending for the demo's scale, and the scale."""
    budgets: dict[str, Decimal] = defaultdict(Decimal)
    for code, s in (
        Budget.objects.filter(year=year.current.year)
        .values_list("unit__code")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        budgets[code] += s or 0
    spent = expected_by_unit(year)
    towns = {u.code for u in policy.towns}
    civil = {policy.city.lead_unit} | towns
    civil_budget = sum((budgets[c] for c in civil), Decimal(0))
    scale = sum((spent[c] for c in civil), Decimal(0)) / civil_budget if civil_budget else Decimal(0)
    gaps = {code: b * scale - spent[code] for code, b in budgets.items() if b > 0}
    return {c: g for c, g in gaps.items() if g > 0}, scale


def _day(year: Year, k: int, table) -> date:
    """The k-th grant's day: months in turn (never the last one paid, so the grant's first month
    is paid), a working day in the first weeks."""
    months = year.months[1:-1] or year.months  # January: the medical costs are recorded
    first = months[k % len(months)]
    return add_workdays(first, 1 + (k // len(months)) % 15, table).due


def _staff(role: str, unit: Unit) -> User | None:
    return User.objects.filter(role=role, unit=unit, is_active=True).order_by("pk").first()


def seed_year(*, policy, today: date) -> str | None:
    from jiuzhu.intake import handling
    from jiuzhu.intake import services as intake
    from jiuzhu.intake.models import Application
    from jiuzhu.verification.testing import verified

    if Application.objects.filter(description__in=(MARK, EMERGENCY_MARK)).exists():
        return None
    current = month_start(today)
    months = []
    month = date(today.year, 1, 1)
    while month < current:
        months.append(month)
        month = add_months(month, 1)
    if len(months) < 2:
        return None  # too early in the year for a year of work
    year = Year(months=months, current=current)
    gaps, scale = targets(policy, year)
    table = holiday_table()
    units = {u.code: u for u in Unit.objects.all()}
    towns = [s.code for s in policy.towns]
    clerks = {code: _staff(m.WINDOW_CLERK, units[code]) for code in towns if code in units}
    # emergency aid first at every town, from its reserve
    aid_count = 0
    for t_i, code in enumerate(towns):
        clerk = clerks.get(code)
        if clerk is None or gaps.get(code, 0) <= 0:
            continue
        homes = Household.objects.filter(town=units[code], members__isnull=False).distinct().order_by("-id")
        k = 0
        for hh in homes[: int(gaps[code] / EMERGENCY_NEED) * MAX_TRIES + MAX_TRIES]:
            if gaps[code] <= 0:
                break
            day = _day(year, t_i + 7 * k, table)
            try:
                with transaction.atomic(), clock.on(day):
                    app = intake.application_create(
                        actor=clerk,
                        household=hh,
                        needs=["emergency"],
                        description=EMERGENCY_MARK,
                        emergency_cause="accident",
                        emergency_cause_note="家庭成员意外受伤，急需医疗费用（演示）",
                        emergency_need=EMERGENCY_NEED,
                        today=day,
                    )
                    aid = intake.emergency_grant(actor=clerk, application=app, today=day)
                    intake.emergency_complete(actor=clerk, aid=aid, note="手续已补齐（演示）", today=day)
            except JiuzhuError:
                continue
            gaps[code] -= aid.amount
            aid_count += 1
            k += 1
    # the departments' services
    departments = [
        c for c in gaps if c in units and units[c].kind != Unit.Kind.TOWN and c != policy.city.lead_unit
    ]
    by_unit: dict[str, list] = defaultdict(list)
    for s in policy.services:
        if (
            s.owner_unit in departments
            and Budget.objects.filter(year=today.year, unit__code=s.owner_unit, service_code=s.code).exists()
        ):
            by_unit[s.owner_unit].append(s)
    if MEDICAL_UNITS & set(departments):
        _medical_costs(year, clerks, table)
    codes = [s.code for ss in by_unit.values() for s in ss if s.code not in NOT_GRANTED]
    eligible: dict[str, list[int]] = {}
    if codes:
        on = months[len(months) // 2]
        frames, _ = registry_frames(on)
        if len(frames):
            wide = evaluate_batch(frames, on, policy, codes)
            for code in codes:
                eligible[code] = wide.filter(pl.col(f"{code}_eligible"))["hh_id"].sort().to_list()
    granted: dict[str, int] = defaultdict(int)
    held = 0
    for u_i, code in enumerate(sorted(departments)):
        officer = _staff(m.DEPARTMENT_OFFICER, units[code])
        if officer is None:
            continue
        k = 0
        for spec in by_unit.get(code, []):
            if spec.code in NOT_GRANTED:
                continue
            home_ids = eligible.get(spec.code, [])
            tries = 0
            for hid in home_ids[u_i % 7 :] + home_ids[: u_i % 7]:
                if gaps[code] <= 0 or tries > MAX_TRIES * (k + 1):
                    break
                tries += 1
                hh = Household.objects.select_related("town").get(pk=hid)
                clerk = clerks.get(hh.town.code)
                if clerk is None:
                    continue
                day = _day(year, u_i + 5 * k, table)
                answered = add_workdays(day, 2, table).due  # the unit signs for it, then answers
                start = add_months(month_start(answered), 1)
                amount, period = BY_NEED.get(spec.code, (None, None))
                try:
                    with transaction.atomic(), clock.on(day):
                        app = intake.application_create(
                            actor=clerk,
                            household=hh,
                            needs=[NEED.get(spec.code) or NEED.get(spec.category) or "living"],
                            description=MARK,
                            today=day,
                        )
                        if spec.needs_verification:  # the household authorises the unit's 核对
                            for p in intake.adults(hh, day):
                                intake.authorisation_record(
                                    actor=clerk, application=app, person=p, signed_on=day, today=day
                                )
                        r = intake.refer(actor=clerk, application=app, service_codes=[spec.code], today=day)
                        handling.referral_accept(actor=officer, referral=r[0])
                    with transaction.atomic(), clock.on(answered):
                        if spec.needs_verification:
                            verified(hh, requester=officer, service_code=spec.code, today=answered)
                        r = _grant(handling, officer, r[0], amount, period, start, answered)
                except JiuzhuError:
                    continue
                k += 1
                if r.held_grant is not None:
                    held += 1
                    continue
                r.refresh_from_db()
                gaps[code] -= (r.amount or 0) * year.paid_months(start, r.amount_period or "once")
                granted[code] += 1
    names = {u.code: u.name for u in units.values()}
    parts = "，".join(f"{names[c]} {n} 件" for c, n in sorted(granted.items()))
    return (
        f"年度办理（按演示规模 {scale * 100:.2f}% 测算）：各镇街先行救助 {aid_count} 件；"
        f"各部门给予 {sum(granted.values())} 件（{parts}）" + (f"，待第二人签批 {held} 件" if held else "")
    )


def _medical_costs(year: Year, clerks: dict, table) -> None:
    """The members' out-of-pocket hospital costs of a few dibao/tekun households, recorded at
    the window in January (``registry.programme.fact_record``); every fourth could not pay
    its emergency treatment. The medical units' services read them."""
    from jiuzhu.registry.programme import fact_record

    homes = (
        owed_in(year.months[0])
        .filter(category__in=("minimum_living", "extreme_poverty"))
        .order_by("household_id")
        .values_list("household_id", "payee_id")
        .distinct()[:MEDICAL_HOMES]
    )
    households = Household.objects.select_related("town").in_bulk([h for h, _ in homes])
    for i, (hid, payee) in enumerate(homes):
        hh = households[hid]
        clerk = clerks.get(hh.town.code)
        person = hh.members.filter(pk=payee).first()
        if clerk is None or person is None:
            continue
        day = add_workdays(year.months[0], 1 + i % 15, table).due
        with transaction.atomic(), clock.on(day):
            fact_record(
                actor=clerk,
                household=hh,
                kind="medical_costs",
                person=person,
                data={
                    "out_of_pocket": str(3000 + (i * 1733) % 12000),
                    "paid_this_year": "0",
                    "emergency_unpaid": i % 4 == 0,
                },
            )


def _grant(handling, officer, r, amount, period, start, day):
    """The rule's amount where it computes one; else the unit's usual amount set by need."""
    try:
        with transaction.atomic():
            return handling.referral_grant(actor=officer, referral=r, start_month=start, today=day)
    except JiuzhuError as exc:
        if amount is None or exc.code not in ("amount_required", "reason_required"):
            raise
    return handling.referral_grant(
        actor=officer,
        referral=r,
        amount=amount,
        period=period,
        start_month=start,
        note=BY_NEED_REASON,
        today=day,
    )
