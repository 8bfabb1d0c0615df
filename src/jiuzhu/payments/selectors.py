"""Payments reads: rolls and their lines (masked by role), the caseworker's list of failed and
held lines, ledger balances by unit, service, category, town and month, the city split into
civil affairs and other departments, public aggregates, and ``kpi_funds`` for performance."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db.models import Count, Q, Sum

from jiuzhu.common import masking as m
from jiuzhu.common import scope
from jiuzhu.common.models import Job
from jiuzhu.common.money import money
from jiuzhu.common.roles import role_of
from jiuzhu.decisions.entitlements import add_months
from jiuzhu.policy.schema import CATEGORIES
from jiuzhu.registry.models import Unit, User

from . import crypto
from .models import BankAccount, BankAccountChange, Budget, LedgerEntry, PaymentLine, PaymentRoll

DIMENSIONS = {
    "unit": "unit__code",
    "service": "service_code",
    "category": "category",
    "town": "town__code",
    "month": "month",
}
DIMENSION_LABELS = {
    "unit": "发放单位",
    "service": "救助事项",
    "category": "类别",
    "town": "镇街",
    "month": "月份",
}
ZERO = Decimal("0.00")


RETURN_IMPORT = "payments.return_import"  # the kind of job that imports a bank return file


def return_differences(roll: PaymentRoll) -> list[dict] | None:
    """The differing lines of the latest bank return file refused for ``roll`` while it still
    waits for its return, read from that import job's record (``payments.background``)."""
    if roll.state != PaymentRoll.EXPORTED:
        return None
    last = Job.objects.filter(kind=RETURN_IMPORT, params__roll=roll.pk).order_by("-created_at", "-id").first()
    if last is None or last.state != Job.FAILED or not last.error:
        return None
    return last.error.get("differences") or None


def _service_names() -> dict[str, str]:
    from jiuzhu.policy.selectors import current_policy

    return {s.code: s.name for s in current_policy().services}


def _unit_names() -> dict[str, str]:
    return dict(Unit.objects.values_list("code", "name"))


def label(dim: str, key) -> str:
    if dim == "service":
        return _service_names().get(key, key)
    if dim in ("unit", "town"):
        return _unit_names().get(key, key)
    if dim == "category":
        return CATEGORIES.get(key, key)
    if dim == "month":
        return f"{key:%Y-%m}" if key else ""
    return str(key)


def _own(actor: User, action: str, qs, *, town_field: str | None = "town", unit_field: str = "unit"):
    """``qs`` narrowed to the actor's scope for ``action``: his town's (``town_field``) or his
    unit's (``unit_field``) rows; everything for city roles; nothing for the rest."""
    s = scope.scope_of(actor, action)
    if s == scope.CITY:
        return qs
    if s == scope.NONE or getattr(actor, "unit_id", None) is None:
        return qs.none()
    if s == scope.TOWN:
        return qs.filter(**{town_field: actor.unit_id}) if town_field else qs
    return qs.filter(**{unit_field: actor.unit_id})


def rolls_list(
    *,
    month: date | None = None,
    state: str | None = None,
    unit=None,
    limit: int = 200,
    actor: User | None = None,
):
    """Rolls of a month; with ``actor``, the rolls he may read (a department: its own; a town:
    every roll, whose lines it sees for its town only)."""
    qs = PaymentRoll.objects.select_related("unit")
    if actor is not None:
        qs = _own(actor, "payment.read", qs, town_field=None)
    if month:
        qs = qs.filter(month=month)
    if state:
        qs = qs.filter(state=state)
    if unit is not None:
        qs = qs.filter(unit=unit)
    return list(qs[:limit])


def roll_months() -> list[date]:
    return list(PaymentRoll.objects.order_by("-month").values_list("month", flat=True).distinct()[:24])


def line_row(ln: PaymentLine, role: str) -> dict:
    """One line as ``role`` may see it. An exported line shows the account sent to the bank
    (frozen on the line), others the payee's confirmed account."""
    acct = getattr(ln.payee, "bank_account", None)
    if ln.sent_account_encrypted:
        number, bank = crypto.decrypt(ln.sent_account_encrypted), ln.sent_bank_name
    else:
        number = crypto.decrypt(acct.number_encrypted) if acct is not None else ""
        bank = acct.bank_name if acct else ""
    return {
        "id": ln.pk,
        "name": m.present("name", ln.payee.name, role),
        "id_number": m.present("id_number", ln.payee.id_number, role),
        "account": m.present("bank_account", number, role) if number else "",
        "bank": bank,
        "household": ln.household.code,
        "town": ln.town.name,
        "period": ln.period,
        "kind": ln.get_kind_display(),
        "kind_code": ln.kind,
        "amount": ln.amount,
        "state": ln.get_state_display(),
        "state_code": ln.state,
        "hold": ln.get_hold_reason_display() if ln.hold_reason else "",
        "reason": ln.reason,
        "fail_reason": ln.fail_reason,
        "fixed": ln.fixed_at is not None,
        "entitlement": ln.entitlement_id,
        "origin": ln.entitlement.origin,
    }


def roll_lines(
    roll: PaymentRoll, *, role: str, limit: int = 500, only: str | None = None, actor: User | None = None
) -> list[dict]:
    """The roll's lines; with ``actor``, only those in his scope (a town: its own town's)."""
    qs = roll.lines.select_related("payee", "payee__bank_account", "household", "town", "entitlement")
    if actor is not None:
        qs = _own(actor, "payment.read", qs)
    if only == "attention":
        qs = qs.exclude(state=PaymentLine.PENDING, kind=PaymentLine.REGULAR)
    return [line_row(ln, role) for ln in qs.order_by("kind", "id")[:limit]]


def roll_summary(roll: PaymentRoll) -> dict:
    agg = roll.lines.aggregate(
        regular=Sum("amount", filter=Q(kind=PaymentLine.REGULAR, state=PaymentLine.PENDING)),
        back_pay=Sum("amount", filter=Q(kind=PaymentLine.BACK_PAY)),
        recovery=Sum("amount", filter=Q(kind=PaymentLine.RECOVERY)),
        retry=Sum("amount", filter=Q(kind=PaymentLine.RETRY)),
        held=Sum("amount", filter=Q(state=PaymentLine.HELD)),
        deceased=Count("id", filter=Q(hold_reason__in=(PaymentLine.DECEASED, PaymentLine.DEATH_RECORD))),
        no_account=Count("id", filter=Q(hold_reason=PaymentLine.NO_ACCOUNT)),
    )
    return {k: (money(v) if not isinstance(v, int) else v) if v is not None else ZERO for k, v in agg.items()}


def attention(*, town=None, unit=None, limit: int = 500, actor: User | None = None):
    """Lines the caseworker must deal with: failed at the bank and not yet fixed, held for want
    of an account, deceased payees flagged, recoveries to collect. With ``actor``: those of
    his town or unit (``payment.fix_line``)."""
    qs = PaymentLine.objects.filter(retried_by__isnull=True, roll__state__in=PaymentRoll.LOCKED).filter(
        Q(state=PaymentLine.FAILED)
        | Q(state=PaymentLine.HELD)
        | Q(kind=PaymentLine.RECOVERY, state=PaymentLine.PENDING)
    )
    if town is not None:
        qs = qs.filter(town=town)
    if unit is not None:
        qs = qs.filter(unit=unit)
    if actor is not None:
        qs = _own(actor, "payment.fix_line", qs)
    return qs.select_related(
        "payee", "payee__bank_account", "household", "town", "entitlement", "roll"
    ).order_by("fixed_at", "-roll__month", "id")[:limit]


def account_changes(*, actor: User, state: str = BankAccountChange.PENDING, limit: int = 200) -> list[dict]:
    """Bank-account changes the actor may confirm (his town's payees, his unit's payees), as
    he may see them: the new account's last four digits, who asked, and whether he may
    confirm it himself (not his own request)."""
    if scope.scope_of(actor, "bank_account.confirm") == scope.NONE:
        return []
    qs = BankAccountChange.objects.filter(state=state).select_related("person", "household", "requested_by")
    qs = scope.households_in_scope(actor, "bank_account.confirm", qs, path="household__")
    role = role_of(actor)
    return [
        {
            "id": c.pk,
            "household": c.household.code,
            "name": m.present("name", c.person.name, role),
            "bank": c.bank_name,
            "tail": c.tail,
            "previous_tail": c.previous_tail,
            "requested_by": str(c.requested_by),
            "requested_at": c.requested_at,
            "state": c.get_state_display(),
            "own_request": c.requested_by_id == actor.pk,
        }
        for c in qs[:limit]
    ]


def household_accounts(*, actor: User, household) -> list[dict] | None:
    """The bank account of each living member of ``household`` as ``actor`` may see it (bank,
    holder, last four digits), the change waiting for a second person, and what he may do:
    enter one (``bank_account.change``), confirm one he did not ask for
    (``bank_account.confirm``). ``None`` when he may not read the household's accounts."""
    if not scope.allows(actor, "bank_account.read", household=household):
        return None
    can_change = scope.allows(actor, "bank_account.change", household=household)
    can_confirm = scope.allows(actor, "bank_account.confirm", household=household)
    people = list(household.members.filter(deceased_on__isnull=True).order_by("id"))
    accounts = {a.person_id: a for a in BankAccount.objects.filter(person__in=people)}
    waiting = {
        c.person_id: c
        for c in BankAccountChange.objects.filter(
            person__in=people, state=BankAccountChange.PENDING
        ).select_related("requested_by")
    }
    role = scope.role_of(actor)
    out = []
    for p in people:
        a, c = accounts.get(p.pk), waiting.get(p.pk)
        out.append(
            {
                "person_id": p.pk,
                "name": m.present("name", p.name, role),
                "account": {"bank": a.bank_name, "holder": a.holder_name, "tail": a.tail} if a else None,
                "pending": {
                    "id": c.pk,
                    "bank": c.bank_name,
                    "tail": c.tail,
                    "requested_by": str(c.requested_by) if c.requested_by_id else "",
                    "may_confirm": can_confirm and c.requested_by_id != actor.pk,
                }
                if c
                else None,
                "can_change": can_change,
            }
        )
    return out


def balances(*, year: int, by: str, unit=None) -> list[dict]:
    """Budget, paid (ledger) and balance by one dimension (unit, service, category, town or
    month). Budgets exist per unit and service (and so per category); towns and months show
    what was paid only."""
    key = DIMENSIONS[by]
    ledger = LedgerEntry.objects.filter(year=year)
    budgets = Budget.objects.filter(year=year)
    if unit is not None:
        ledger, budgets = ledger.filter(unit=unit), budgets.filter(unit=unit)
    paid = {r[key]: r for r in ledger.values(key).annotate(paid=Sum("amount"), lines=Count("id")).order_by()}
    budget = {}
    if by in ("unit", "service", "category"):
        budget = dict(budgets.values_list(key).annotate(s=Sum("amount")).order_by())
    rows = []
    for k in sorted(set(paid) | set(budget), key=lambda x: (x is None, str(x))):
        b = money(budget.get(k) or 0)
        p = money((paid.get(k) or {}).get("paid") or 0)
        rows.append(
            {
                "key": k,
                "label": label(by, k),
                "budget": b,
                "paid": p,
                "lines": (paid.get(k) or {}).get("lines", 0),
                "balance": b - p if budget else None,
                "rate": (p / b * 100).quantize(Decimal("0.1")) if b else None,
            }
        )
    return rows


def city_split(*, year: int, lead_unit: str = "civil_affairs") -> dict:
    """The city total split into civil affairs (the lead unit and the towns' civil-affairs
    offices, whose 先行救助 reserves are civil affairs' money) and other departments."""

    def part(q):
        b = Budget.objects.filter(year=year).filter(q).aggregate(s=Sum("amount"))["s"]
        p = LedgerEntry.objects.filter(year=year).filter(q).aggregate(s=Sum("amount"))["s"]
        return {"budget": money(b or 0), "paid": money(p or 0)}

    civil_q = Q(unit__code=lead_unit) | Q(unit__kind=Unit.Kind.TOWN)
    civil = part(civil_q)
    others = part(~civil_q)
    total = {k: civil[k] + others[k] for k in civil}
    return {"civil_affairs": civil, "others": others, "total": total}


def public_figures(*, year: int) -> dict:
    """What the public may see: amounts and counts by category and month, no person."""
    ledger = LedgerEntry.objects.filter(year=year, amount__gt=0)
    by_cat = [
        {"label": CATEGORIES.get(r["category"], r["category"]), "paid": money(r["s"]), "people": r["n"]}
        for r in ledger.values("category")
        .annotate(s=Sum("amount"), n=Count("line__payee", distinct=True))
        .order_by("category")
    ]
    by_month = [
        {"label": f"{r['month']:%Y-%m}", "paid": money(r["s"])}
        for r in ledger.values("month").annotate(s=Sum("amount")).order_by("month")
    ]
    return {"year": year, "split": city_split(year=year), "by_category": by_cat, "by_month": by_month}


def kpi_funds(*, start: date, end: date, unit=None) -> dict:
    """Funds figures for lines of rolls whose month falls in ``start``–``end`` (inclusive):

    - ``budget`` (Decimal): the yearly budgets of the years the window touches (of ``unit``
      when given; a town has no budget of its own: 0)
    - ``paid`` (Decimal): amount posted to the ledger for those rolls (recoveries deducted)
    - ``paid_lines`` (int): lines paid
    - ``paid_on_time`` (int): lines paid by the end of their roll's month
    - ``paid_late`` (int): lines paid after the end of their roll's month
    - ``failed_lines`` (int): lines the bank returned as failed
    - ``held_lines`` (int): lines held out (deceased, no account)
    - ``recovery_due`` (Decimal): recoveries not yet collected (positive figure)
    - ``execution_rate`` (Decimal): paid / budget × 100, one decimal (0 without a budget)
    - ``on_time_rate`` (Decimal): paid_on_time / paid_lines × 100, one decimal (0 without lines)

    ``unit`` (a Unit or its code): a department filters by paying unit, a town by the payees'
    town."""
    if isinstance(unit, str):
        unit = Unit.objects.filter(code=unit).first()
    first, last = start.replace(day=1), end.replace(day=1)
    lines = PaymentLine.objects.filter(roll__month__gte=first, roll__month__lte=last)
    ledger = LedgerEntry.objects.filter(month__gte=first, month__lte=last)
    budgets = Budget.objects.filter(year__gte=start.year, year__lte=end.year)
    if unit is not None:
        if unit.kind == Unit.Kind.TOWN:
            lines, ledger, budgets = lines.filter(town=unit), ledger.filter(town=unit), budgets.none()
        else:
            lines, ledger, budgets = (
                lines.filter(unit=unit),
                ledger.filter(unit=unit),
                budgets.filter(unit=unit),
            )
    paid_lines = lines.filter(state=PaymentLine.PAID)
    on_time = 0
    late = 0
    for _month, n_on, n_all in _on_time_by_month(paid_lines):
        on_time += n_on
        late += n_all - n_on
    budget = money(budgets.aggregate(s=Sum("amount"))["s"] or 0)
    paid = money(ledger.aggregate(s=Sum("amount"))["s"] or 0)
    n_paid = on_time + late
    rec = lines.filter(kind=PaymentLine.RECOVERY, state=PaymentLine.PENDING).aggregate(s=Sum("amount"))["s"]
    return {
        "budget": budget,
        "paid": paid,
        "paid_lines": n_paid,
        "paid_on_time": on_time,
        "paid_late": late,
        "failed_lines": lines.filter(state=PaymentLine.FAILED).count(),
        "held_lines": lines.filter(state=PaymentLine.HELD).count(),
        "recovery_due": money(-(rec or 0)),
        "execution_rate": (paid / budget * 100).quantize(Decimal("0.1")) if budget else Decimal("0.0"),
        "on_time_rate": (Decimal(on_time) / n_paid * 100).quantize(Decimal("0.1"))
        if n_paid
        else Decimal("0.0"),
    }


def _on_time_by_month(paid_lines):
    for month in paid_lines.values_list("roll__month", flat=True).distinct().order_by():
        qs = paid_lines.filter(roll__month=month)
        n_all = qs.count()
        n_on = qs.filter(paid_on__lt=add_months(month, 1)).count()
        yield month, n_on, n_all


def chain_entries(*, household, role: str) -> list[dict]:
    """The household's payments on its assistance chain (registry.chain): one entry per line."""
    names = _service_names()
    out = []
    qs = (
        PaymentLine.objects.filter(household=household)
        .select_related("roll", "unit")
        .order_by("-roll__month", "id")
    )
    for c in BankAccountChange.objects.filter(household=household).select_related(
        "person", "requested_by", "decided_by"
    )[:50]:
        name = m.present("name", c.person.name, role)
        before = f"尾号{c.previous_tail}" if c.previous_tail else "无账户"
        out.append(
            {
                "at": c.requested_at,
                "area": "发放",
                "title": f"银行账户变更申请：{name} {before} → {c.bank_name} 尾号{c.tail}",
                "detail": f"经办人 {c.requested_by}",
                "unit": "",
            }
        )
        if c.decided_by_id:
            out.append(
                {
                    "at": c.decided_at,
                    "area": "发放",
                    "title": f"银行账户变更{c.get_state_display()}：{name} 尾号{c.tail}",
                    "detail": f"复核人 {c.decided_by}" + (f"；{c.note}" if c.note else ""),
                    "unit": "",
                }
            )
    for ln in qs[:200]:
        what = f"{ln.get_kind_display()} {names.get(ln.service_code, ln.service_code)} {ln.amount}元"
        detail = f"所属期 {ln.period:%Y-%m}，{ln.get_state_display()}"
        if ln.hold_reason:
            detail += f"（{ln.get_hold_reason_display()}）"
        if ln.fail_reason:
            detail += f"（{ln.fail_reason}）"
        if ln.kind in (PaymentLine.BACK_PAY, PaymentLine.RECOVERY) and ln.reason:
            detail += f"；{ln.reason}"
        out.append(
            {
                "at": ln.paid_on or ln.roll.month,
                "area": "发放",
                "title": f"{ln.roll.month:%Y年%m月}名册：{what}",
                "detail": detail,
                "unit": ln.unit.name,
                "url": f"/payments/roll/{ln.roll_id}/",
            }
        )
    return out


def paid_since(entitlement, from_month: date) -> Decimal:
    """What ``entitlement``'s lines paid for the months from ``from_month`` (paid, and paid then
    recovered: a fraud decision recovers what was obtained)."""
    total = PaymentLine.objects.filter(
        entitlement=entitlement,
        period__gte=from_month,
        state__in=(PaymentLine.PAID, PaymentLine.RECOVERED),
    ).aggregate(s=Sum("amount"))["s"]
    return Decimal(total or 0)


def _chain_roll(actor: User, household, pk):
    from jiuzhu.common import scope

    unit = PaymentRoll.objects.filter(pk=pk).values_list("unit_id", flat=True).first()
    return scope.allows(actor, "payment.read", unit=unit, household=household)


# registry.chain: a link to a roll is kept only when the roll page would open for the reader
CHAIN_LINKS = {"payments:roll": _chain_roll}
