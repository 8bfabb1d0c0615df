"""Generating a month's payment rolls, set-based.

``rolls_generate(month=)`` makes one roll per service and paying unit from the entitlements
owed for the month, in a few statements per roll (INSERT … SELECT from the entitlements), then
adds the adjustments for periods already locked (back pay 补发 / recovery 追回), the retries of
failed lines that were fixed, and holds (deceased, no bank account) as set-based UPDATEs.

Rolls that were already reviewed or approved are left exactly as they are: generating a month
again changes nothing in them (the database allows one regular line per payee, service and
period). A draft roll is rebuilt from the current entitlements, so what is reviewed is never stale.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Count, Exists, F, Max, OuterRef, Q, Sum, Value
from django.db.models import fields as f

from jiuzhu.common.money import money
from jiuzhu.decisions.entitlements import add_months, month_start, owed_in
from jiuzhu.decisions.models import Entitlement
from jiuzhu.registry.models import Person, User

from .models import (
    BankAccount,
    InstitutionTransfer,
    PaymentLine,
    PaymentRoll,
    RollEvent,
    RollEventKind,
    TransferLine,
)

# Adjustments look back this many months of locked rolls.
ADJUST_LOOKBACK_MONTHS = 12
ROLLS_LOCK = 7_318_001  # the advisory lock key of roll generation (PostgreSQL)
LINE_COLUMNS = (  # the order _regular_lines selects them in
    "payee_id",
    "roll_id",
    "entitlement_id",
    "household_id",
    "town_id",
    "unit_id",
    "service_code",
    "category",
    "period",
    "kind",
    "amount",
    "state",
    "hold_reason",
    "reason",
    "fail_reason",
    "fixed_note",
)


def owed(month: date):
    """Entitlements owed for ``month`` (a one-off stopped before its month owes nothing)."""
    m = month_start(month)
    return owed_in(m).exclude(Q(end_month__isnull=False) & Q(end_month__lt=F("start_month")))


def insert_select(table: str, columns: tuple[str, ...], queryset) -> int:
    """``INSERT INTO table (columns) SELECT …`` from a values() queryset whose selected
    columns are in the same order. One statement, no rows through Python."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)
        return cursor.rowcount


def _drop_lines(drafts: list[PaymentRoll]) -> None:
    """Remove the lines of draft rolls before they are rebuilt, in one statement per 500 rolls.
    A draft line is referenced by nothing (the ledger and retries point at lines of locked
    rolls), and the rebuild is recorded as the roll's ``generated`` event, so the per-row
    delete signals (a history row per line) are skipped: 100,000 of them would take minutes."""
    ids = [r.pk for r in drafts]
    table = PaymentLine._meta.db_table
    with connection.cursor() as cursor:
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            cursor.execute(f"DELETE FROM {table} WHERE roll_id IN ({', '.join(['%s'] * len(chunk))})", chunk)


def _regular_lines(roll: PaymentRoll) -> int:
    m = roll.month
    # paid already as a regular line, or as back pay by a later roll (a month generated late)
    already = PaymentLine.objects.filter(
        kind__in=(PaymentLine.REGULAR, PaymentLine.BACK_PAY),
        payee_id=OuterRef("payee_id"),
        service_code=roll.service_code,
        period=m,
    )
    # paid for this service and month through an institution (centralised support paid to
    # the support institution): the institution's transfer holds the person's line
    to_institution = TransferLine.objects.filter(
        person_id=OuterRef("payee_id"),
        transfer__service_code=roll.service_code,
        transfer__period=m,
        transfer__key__startswith=InstitutionTransfer.IN_PLACE_OF_ROLL,
    )
    qs = (
        owed(m)
        .filter(service_code=roll.service_code, unit_id=roll.unit_id)
        .exclude(Exists(already))
        .exclude(Exists(to_institution))
        .values("payee_id")
        .annotate(
            c_roll=Value(roll.pk, output_field=f.BigIntegerField()),
            c_ent=Max("id"),
            c_household=Max("household_id"),
            c_town=Max("household__town_id"),
            c_unit=Value(roll.unit_id, output_field=f.BigIntegerField()),
            c_service=Value(roll.service_code, output_field=f.CharField()),
            c_category=Value(roll.category, output_field=f.CharField()),
            c_period=Value(m, output_field=f.DateField()),
            c_kind=Value(PaymentLine.REGULAR, output_field=f.CharField()),
            c_amount=Sum("amount"),
            c_state=Value(PaymentLine.PENDING, output_field=f.CharField()),
            c_hold=Value("", output_field=f.CharField()),
            c_reason=Value("", output_field=f.CharField()),
            c_fail=Value("", output_field=f.CharField()),
            c_fixed=Value("", output_field=f.CharField()),
        )
        .order_by()
    )
    return insert_select(PaymentLine._meta.db_table, LINE_COLUMNS, qs)


def deceased_ids(person_ids, before: date) -> set[int]:
    """Of ``person_ids``, those dead before ``before``: by the registry, or by a death in the
    verification data (the deaths source), matched on the ID number."""
    from jiuzhu.verification.models import SourceRecord

    ids = list(person_ids)
    if not ids:
        return set()
    records = SourceRecord.objects.filter(item="death", id_valid=True, record_date__lt=before)
    dead = set()
    for i in range(0, len(ids), 5000):
        chunk = ids[i : i + 5000]
        dead |= set(
            Person.objects.filter(pk__in=chunk)
            .filter(Q(deceased_on__lt=before) | Q(id_number__in=records.values("id_key")))
            .values_list("pk", flat=True)
        )
    return dead


def closed_periods(roll: PaymentRoll) -> list[date]:
    """The earlier months (within the look-back) whose payment is closed for ``roll``'s service
    and unit: its own roll of that month is locked, or it had none while the month's run was
    closed (some roll of that month locked) — e.g. the service's first grant, signed after its
    start month's roll had closed: the missed months are paid as back pay."""
    start = add_months(roll.month, -ADJUST_LOOKBACK_MONTHS)
    window = PaymentRoll.objects.filter(month__gte=start, month__lt=roll.month)
    own = window.filter(service_code=roll.service_code, unit_id=roll.unit_id)
    locked_own = set(own.filter(state__in=PaymentRoll.LOCKED).values_list("month", flat=True))
    any_own = set(own.values_list("month", flat=True))
    run_closed = set(window.filter(state__in=PaymentRoll.LOCKED).values_list("month", flat=True))
    return sorted(locked_own | (run_closed - any_own))


def _adjustments(roll: PaymentRoll) -> list[PaymentLine]:
    """Back pay or recovery for each payee whose amount owed for a closed earlier period now
    differs from what that period's lines settled (``closed_periods``)."""
    periods = closed_periods(roll)
    out = []
    for period in sorted(periods):
        owed_rows: dict[int, Mapping[str, Any]] = {
            r["payee_id"]: r
            for r in owed(period)
            .filter(service_code=roll.service_code, unit_id=roll.unit_id)
            .values("payee_id")
            .annotate(total=Sum("amount"), ent=Max("id"))
        }
        settled_rows: dict[int, Mapping[str, Any]] = {
            r["payee_id"]: r
            for r in PaymentLine.objects.filter(
                service_code=roll.service_code,
                unit_id=roll.unit_id,
                period=period,
                kind__in=(PaymentLine.REGULAR, PaymentLine.BACK_PAY, PaymentLine.RECOVERY),
            )
            .exclude(state=PaymentLine.HELD, hold_reason__in=(PaymentLine.DECEASED, PaymentLine.DEATH_RECORD))
            .values("payee_id")
            .annotate(total=Sum("amount"), ent=Max("entitlement_id"))
        }
        diffs = {}
        for pid in owed_rows.keys() | settled_rows.keys():
            o = money(owed_rows.get(pid, {}).get("total") or 0)
            s = money(settled_rows.get(pid, {}).get("total") or 0)
            if o != s:
                ent_id = (owed_rows.get(pid) or settled_rows[pid])["ent"]
                if o < s and pid in settled_rows:
                    ent_id = settled_rows[pid]["ent"]  # recovery follows what was paid
                diffs[pid] = (o, s, ent_id)
        if not diffs:
            continue
        dead = deceased_ids([p for p, (o, s, _) in diffs.items() if o > s], add_months(period, 1))
        ents = Entitlement.objects.in_bulk([e for _, _, e in diffs.values()])
        towns = dict(Person.objects.filter(pk__in=diffs.keys()).values_list("pk", "household__town_id"))
        for pid, (o, s, ent_id) in diffs.items():
            if o > s and pid in dead:
                continue  # nothing is paid after death; the held line is flagged instead
            ent = ents[ent_id]
            diff = o - s
            back = diff > 0
            why = (ent.reason if back else (ent.ended_reason or ent.reason)) or ent.origin
            reason = f"{period:%Y年%m月}应发{o}元，已发{s}元，{'补发' if back else '追回'}{abs(diff)}元" + (
                f"：{why}" if why else ""
            )
            out.append(
                PaymentLine(
                    roll=roll,
                    entitlement_id=ent_id,
                    payee_id=pid,
                    household_id=ent.household_id,
                    town_id=towns[pid],
                    unit_id=roll.unit_id,
                    service_code=roll.service_code,
                    category=roll.category,
                    period=period,
                    kind=PaymentLine.BACK_PAY if back else PaymentLine.RECOVERY,
                    amount=diff,
                    reason=reason[:300],
                )
            )
    return out


def _retries(roll: PaymentRoll) -> list[PaymentLine]:
    """Failed lines the caseworker fixed, and lines held for want of an account that now has
    one, from earlier locked rolls of the same service and unit."""
    has_account = Exists(BankAccount.objects.filter(person_id=OuterRef("payee_id")))
    qs = (
        PaymentLine.objects.filter(
            roll__service_code=roll.service_code,
            roll__unit_id=roll.unit_id,
            roll__month__lt=roll.month,
            roll__state__in=PaymentRoll.LOCKED,
            retried_by__isnull=True,
        )
        .filter(
            Q(state=PaymentLine.FAILED, fixed_at__isnull=False)
            | (Q(state=PaymentLine.HELD, hold_reason=PaymentLine.NO_ACCOUNT) & Q(has_account))
        )
        .order_by("id")
    )
    out = []
    for ln in qs:
        why = f"重发{ln.roll.month:%Y年%m月}名册未到账款项" + (
            f"（原因：{ln.fail_reason}）" if ln.fail_reason else ""
        )
        out.append(
            PaymentLine(
                roll=roll,
                entitlement_id=ln.entitlement_id,
                payee_id=ln.payee_id,
                household_id=ln.household_id,
                town_id=ln.town_id,
                unit_id=ln.unit_id,
                service_code=ln.service_code,
                category=ln.category,
                period=ln.period,
                kind=PaymentLine.RETRY,
                amount=ln.amount,
                retry_of=ln,
                reason=why[:300],
            )
        )
    return out


def _hold(rolls: list[PaymentRoll], before: date) -> None:
    """Hold out of the bank file the lines of deceased payees and of payees without an account."""
    from jiuzhu.verification.models import SourceRecord

    lines = PaymentLine.objects.filter(roll__in=rolls, state=PaymentLine.PENDING, amount__gt=0)
    lines.filter(payee__deceased_on__lt=before).update(
        state=PaymentLine.HELD, hold_reason=PaymentLine.DECEASED
    )
    deaths = SourceRecord.objects.filter(item="death", id_valid=True, record_date__lt=before).values("id_key")
    lines.filter(payee__id_number__in=deaths).update(
        state=PaymentLine.HELD, hold_reason=PaymentLine.DEATH_RECORD
    )
    lines.exclude(Exists(BankAccount.objects.filter(person_id=OuterRef("payee_id")))).update(
        state=PaymentLine.HELD, hold_reason=PaymentLine.NO_ACCOUNT
    )


def _serialise() -> None:
    """One generation at a time: two generations of different months at once (each locks only
    its own month's rolls) would both see a closed period unsettled and both add its back pay.
    PostgreSQL: a transaction-scoped advisory lock, so the second waits and then reads the
    first's lines; SQLite's IMMEDIATE transactions already serialise writers."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ROLLS_LOCK])


def roll_totals(roll: PaymentRoll) -> PaymentRoll:
    """What goes to the bank (pending positive lines) and what is held."""
    agg = roll.lines.aggregate(
        n=Count("id", filter=Q(state=PaymentLine.PENDING, amount__gt=0)),
        total=Sum("amount", filter=Q(state=PaymentLine.PENDING, amount__gt=0)),
        held=Count("id", filter=Q(state=PaymentLine.HELD)),
    )
    roll.lines_count = agg["n"] or 0
    roll.total = agg["total"] or Decimal("0.00")
    roll.held_count = agg["held"] or 0
    return roll


def build(*, month: date, services: list[str] | None = None, actor: User | None = None) -> dict:
    """The body of ``services.rolls_generate`` (called inside its transaction)."""
    _serialise()
    m = month_start(month)
    nxt = add_months(m, 1)
    base = owed(m)
    if services:
        base = base.filter(service_code__in=services)
    keys = {
        (r["service_code"], r["unit_id"]): r["category"]
        for r in base.values("service_code", "unit_id", "category").distinct()
    }
    # rolls with something to adjust or retry although nothing is owed this month: services
    # with a locked roll in the look-back, and grants that started in it (a one-off signed
    # after its month closed is paid as back pay)
    since = add_months(m, -ADJUST_LOOKBACK_MONTHS)
    locked = PaymentRoll.objects.filter(state__in=PaymentRoll.LOCKED, month__lt=m, month__gte=since)
    started = Entitlement.objects.filter(start_month__lt=m, start_month__gte=since)
    if services:
        locked = locked.filter(service_code__in=services)
        started = started.filter(service_code__in=services)
    for r in locked.values("service_code", "unit_id", "category").distinct():
        keys.setdefault((r["service_code"], r["unit_id"]), r["category"])
    for r in started.values("service_code", "unit_id", "category").distinct().order_by():
        keys.setdefault((r["service_code"], r["unit_id"]), r["category"])
    existing = {
        (r.service_code, r.unit_id): r
        for r in PaymentRoll.objects.select_for_update().filter(
            month=m, **({"service_code__in": services} if services else {})
        )
    }
    new = [
        PaymentRoll(month=m, service_code=s, unit_id=u, category=c)
        for (s, u), c in keys.items()
        if (s, u) not in existing
    ]
    PaymentRoll.objects.bulk_create(new, ignore_conflicts=True)
    drafts = list(
        PaymentRoll.objects.select_for_update().filter(
            month=m, state=PaymentRoll.DRAFT, **({"service_code__in": services} if services else {})
        )
    )
    _drop_lines(drafts)
    counts: defaultdict[str, int] = defaultdict(int)
    for roll in drafts:
        counts["regular"] += _regular_lines(roll)
        extra = _adjustments(roll) + _retries(roll)
        PaymentLine.objects.bulk_create(extra)
        for ln in extra:
            counts[ln.kind] += 1
    _hold(drafts, nxt)
    kept = []
    for roll in drafts:
        if not roll.lines.exists():
            roll.delete()
            continue
        roll_totals(roll)
        roll.save(update_fields=["lines_count", "total", "held_count"])
        RollEvent.objects.create(
            roll=roll,
            kind=RollEventKind.GENERATED,
            actor=actor if getattr(actor, "pk", None) else None,
            data={"lines": roll.lines_count, "total": str(roll.total), "held": roll.held_count},
        )
        kept.append(roll)
    counts["rolls"] = len(kept)
    counts["untouched"] = len([r for r in existing.values() if r.state != PaymentRoll.DRAFT])
    return dict(counts)
