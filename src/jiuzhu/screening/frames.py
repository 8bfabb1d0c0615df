"""The database read into the engine's frames (``engine.Inputs``), set-based: one query per
table, values only, no model instances except for the few households the rules evaluate."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import polars as pl
from django.db.models import Count, Q, Sum
from django.utils import timezone

from jiuzhu.charity.selectors import cash_aid_rows
from jiuzhu.decisions.models import Case, Entitlement
from jiuzhu.policy import needs
from jiuzhu.registry.models import Household, IncomeItem, Person, StaffRelative, User
from jiuzhu.verification.models import SourceRecord

from .engine import Config, Inputs, add_months, month_start
from .models import DepartmentList, DepartmentListRow

COUNTED_INCOME = ("wages", "business", "property", "transfer")
COVERAGE_SAMPLE = 60  # households per town evaluated with the rules to estimate the low-income share


def _cents(v) -> int | None:
    return None if v is None else int(round(v * 100))


def persons_frame() -> pl.DataFrame:
    rows = Person.objects.values_list(
        "id", "id_number", "name", "birth_date", "household_id", "deceased_on", "id_upgraded"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "person_id": pl.Int64,
            "id_number": pl.String,
            "name": pl.String,
            "birth_date": pl.Date,
            "household_id": pl.Int64,
            "deceased_on": pl.Date,
            "id_upgraded": pl.Boolean,
        },
        orient="row",
    )


def households_frame(as_of: date) -> pl.DataFrame:
    living = Q(members__deceased_on__isnull=True) | Q(members__deceased_on__gt=as_of)
    rows = Household.objects.annotate(size=Count("members", filter=living)).values_list(
        "id", "town__code", "area", "size"
    )
    h = pl.DataFrame(
        list(rows),
        schema={"household_id": pl.Int64, "town": pl.String, "area": pl.String, "size": pl.Int64},
        orient="row",
    )
    since = as_of - timedelta(days=365)
    inc = (
        IncomeItem.objects.filter(kind__in=COUNTED_INCOME, period_end__gte=since, period_start__lte=as_of)
        .values("person__household_id")
        .annotate(total=Sum("monthly_amount"))
        .values_list("person__household_id", "total")
    )
    income = pl.DataFrame(
        [(hid, _cents(t)) for hid, t in inc],
        schema={"household_id": pl.Int64, "income": pl.Int64},
        orient="row",
    )
    return (
        h.join(income, on="household_id", how="left")
        .with_columns(
            pc_income=pl.when(pl.col("size") > 0).then(pl.col("income").fill_null(0) // pl.col("size"))
        )
        .drop("income")
    )


def _registered_entitlements() -> set[int]:
    """Entitlements whose decision recorded the close-relative registration (近亲属备案) and the
    approver's sign-off; an entitlement changed later keeps its first decision's record."""
    first = set(
        Case.objects.filter(close_relative=True, entitlement__isnull=False).values_list(
            "entitlement_id", flat=True
        )
    )
    out = set(first)
    frontier = first
    while frontier:  # follow changes (previous → next)
        frontier = (
            set(Entitlement.objects.filter(previous_id__in=frontier).values_list("id", flat=True)) - out
        )
        out |= frontier
    return out


def roster_frame(as_of: date) -> pl.DataFrame:
    """One line per entitlement and covered member, for entitlements overlapping the 12 months
    before ``as_of``."""
    window_start = add_months(month_start(as_of), -11)
    ents = Entitlement.objects.filter(start_month__lte=as_of).filter(
        Q(end_month__isnull=True) | Q(end_month__gte=window_start)
    )
    through = Entitlement.members.through
    members = through.objects.filter(entitlement__in=ents).values_list("entitlement_id", "person_id")
    m = pl.DataFrame(list(members), schema={"line_id": pl.Int64, "person_id": pl.Int64}, orient="row")
    rows = ents.values_list(
        "id",
        "payee_id",
        "household_id",
        "service_code",
        "category",
        "unit__code",
        "amount",
        "amount_period",
        "start_month",
        "end_month",
        "cause",
        "cause_note",
        "rule_amount",
        "signed_by_id",
        "status",
        "created_at",
    )
    e = pl.DataFrame(
        [
            (
                *r[:6],
                _cents(r[6]),
                *r[7:12],
                _cents(r[12]),
                r[13] is not None,
                r[14],
                timezone.localdate(r[15]),
            )
            for r in rows
        ],
        schema={
            "line_id": pl.Int64,
            "payee_id": pl.Int64,
            "household_id": pl.Int64,
            "service": pl.String,
            "category": pl.String,
            "unit": pl.String,
            "amount": pl.Int64,
            "period": pl.String,
            "start": pl.Date,
            "end": pl.Date,
            "cause": pl.String,  # temporary aid: the cause's code (intake.models.Cause)
            "cause_note": pl.String,  # the officer's words beside it
            "rule_amount": pl.Int64,  # grant control: the rules' amount when granted (cents)
            "signed": pl.Boolean,  # a second person signed an amount other than the rule's
            "status": pl.String,
            "granted_on": pl.Date,
        },
        orient="row",
    )
    # temporary aid's cause: its code, so two wordings of one cause are one cause
    e = e.with_columns(
        cause=pl.when((pl.col("category") == "temporary") & (pl.col("cause") != "")).then("cause")
    )
    covered = e.join(m, on="line_id", how="left").with_columns(person_id=pl.coalesce("person_id", "payee_id"))
    registered = _registered_entitlements()
    return covered.drop("payee_id").with_columns(
        relative_registered=pl.col("line_id").is_in(list(registered))
    )


def lists_frame() -> pl.DataFrame:
    rows = DepartmentListRow.objects.filter(dept_list__state=DepartmentList.APPLIED).values_list(
        "id", "dept_list__kind", "name", "id_number", "birth_date"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "row_id": pl.Int64,
            "kind": pl.String,
            "name": pl.String,
            "id_number": pl.String,
            "birth_date": pl.Date,
        },
        orient="row",
    )


def relatives_frame() -> pl.DataFrame:
    rows = StaffRelative.objects.values_list(
        "id", "name", "id_number", "declarant_name", "declarant_post", "relation", "unit__code", "id_upgraded"
    )
    return pl.DataFrame(
        list(rows),
        schema={
            "rel_id": pl.Int64,
            "name": pl.String,
            "id_number": pl.String,
            "declarant": pl.String,
            "post": pl.String,
            "relation": pl.String,
            "unit": pl.String,
            "id_upgraded": pl.Boolean,
        },
        orient="row",
    ).with_columns(pl.col("post").replace("", "未填职务"))


def staff_frame() -> pl.DataFrame:
    """Staff with their ID number on file (``User.id_number``) and their unit."""
    rows = (
        User.objects.exclude(id_number="")
        .filter(unit__isnull=False)
        .values_list("id", "display_name", "username", "id_number", "unit__code", "unit__name")
    )
    return pl.DataFrame(
        [(i, name or user, idn.upper(), code, unit) for i, name, user, idn, code, unit in rows],
        schema={
            "staff_id": pl.Int64,
            "staff_name": pl.String,
            "id_number": pl.String,
            "staff_unit": pl.String,
            "unit_name": pl.String,
        },
        orient="row",
    )


def deaths_frame() -> pl.DataFrame | None:
    """Death records of the verification data (source ``deaths``), when that app has any."""
    rows = SourceRecord.objects.filter(item="death", active=True, record_date__isnull=False).values_list(
        "id", "name", "id_raw", "birth_date", "record_date"
    )
    df = pl.DataFrame(
        list(rows),
        schema={
            "death_id": pl.Int64,
            "name": pl.String,
            "id_number": pl.String,
            "birth_date": pl.Date,
            "died_on": pl.Date,
        },
        orient="row",
    )
    return df.with_columns(source=pl.lit("死亡登记数据"))


def decisions_frame(as_of: date) -> pl.DataFrame | None:
    """Approved/refused decisions of the last 12 months by approver (decisions.Case)."""
    since = as_of - timedelta(days=365)
    rows = Case.objects.filter(
        state__in=["approved", "refused"],
        decided_on__gte=since,
        decided_on__lte=as_of,
        decided_by__isnull=False,
    ).values_list("decided_by__username", "decided_by__unit__code", "town__code", "service_code", "state")
    return pl.DataFrame(
        [(u, uu or t, s, st == "approved") for u, uu, t, s, st in rows],
        schema={"approver": pl.String, "unit": pl.String, "service": pl.String, "approved": pl.Boolean},
        orient="row",
    )


def charity_frame(as_of: date) -> pl.DataFrame | None:
    rows = cash_aid_rows(start=as_of - timedelta(days=730), end=as_of)
    return pl.DataFrame(
        [
            {
                **r,
                "charity_id": r["id"],
                "amount": _cents(r["amount"]),
                "cost_amount": _cents(r["cost_amount"]),
            }
            for r in rows
        ],
        schema={
            "charity_id": pl.Int64,
            "person_id": pl.Int64,
            "household_id": pl.Int64,
            "need": pl.String,
            "amount": pl.Int64,
            "cost_amount": pl.Int64,
            "paid_on": pl.Date,
            "cover_from": pl.Date,
            "cover_to": pl.Date,
            "partner_code": pl.String,
        },
    )


def status_of(policy, as_of: date):
    """The policy rules' judgement of households (``policy.batch``): tekun / dibao / marginal /
    rigid, with the per-capita counted income and the dibao standard (cents)."""
    from jiuzhu.decisions.frames import registry_facts
    from jiuzhu.policy.batch import _Batch
    from jiuzhu.policy.frames import from_facts

    def run(hh_ids: list[int]) -> pl.DataFrame:
        found, _ = registry_facts(as_of, hh_ids)  # with the members already in 特困 support
        ids = sorted(found)
        facts = [found[i] for i in ids]
        schema = {"household_id": pl.Int64, "status": pl.String, "pc_income": pl.Int64, "standard": pl.Int64}
        if not facts:
            return pl.DataFrame(schema=schema)
        b = _Batch(from_facts(facts, ids), as_of, policy)
        t, d, m, r = b.groups
        status = np.select(
            [b.any(t), b.any(d), b.any(m), b.any(r)], ["tekun", "dibao", "marginal", "rigid"], default=""
        )
        pc = b.total_income // np.maximum(b.n, 1)
        return pl.DataFrame(
            {"household_id": b.ids, "status": status, "pc_income": pc, "standard": b.S}, schema=schema
        ).with_columns(pl.col("status").replace("", None))

    return run


def rule_amounts_of(policy, as_of: date):
    """The rules' amounts now (``policy.batch``) of the listed households: household_id,
    service, amount (cents); services set by need or not eligible are left out."""
    from jiuzhu.decisions.frames import registry_facts
    from jiuzhu.policy.batch import evaluate_batch, to_long
    from jiuzhu.policy.frames import from_facts

    schema = {"household_id": pl.Int64, "service": pl.String, "amount": pl.Int64}

    def run(hh_ids: list[int]) -> pl.DataFrame:
        found, _ = registry_facts(as_of, hh_ids)
        ids = sorted(found)
        facts = [found[i] for i in ids]
        if not facts:
            return pl.DataFrame(schema=schema)
        long = to_long(evaluate_batch(from_facts(facts, ids), as_of, policy))
        return long.filter(pl.col("eligible") & pl.col("amount").is_not_null()).select(
            pl.col("hh_id").cast(pl.Int64).alias("household_id"), "service", pl.col("amount").cast(pl.Int64)
        )

    return run


def coverage_sample(households: pl.DataFrame, status) -> pl.DataFrame:
    """``low_income`` for an evenly spaced sample of each town's households (the rest null)."""
    h = households.sort("household_id").with_columns(
        i=pl.int_range(pl.len()).over("town"), n=pl.len().over("town")
    )
    step = (pl.col("n") / COVERAGE_SAMPLE).ceil().clip(1).cast(pl.Int64)
    picked = h.filter(pl.col("i") % step == 0)["household_id"].to_list()
    st = status(picked) if picked else pl.DataFrame(schema={"household_id": pl.Int64, "status": pl.String})
    low = st.select("household_id", low_income=pl.col("status").is_not_null())
    # sampled households the rules cannot assess (nobody living) are left unknown
    return households.join(low, on="household_id", how="left")


def read_inputs(*, policy, as_of: date) -> tuple[Inputs, Config]:
    persons = persons_frame()
    status = status_of(policy, as_of)
    households = coverage_sample(households_frame(as_of), status)
    inputs = Inputs(
        persons=persons,
        households=households,
        roster=roster_frame(as_of),
        lists=lists_frame(),
        relatives=relatives_frame(),
        staff=staff_frame(),
        deaths=deaths_frame(),
        decisions=decisions_frame(as_of),
        charity=charity_frame(as_of),
        status_of=status,
        rule_amounts=rule_amounts_of(policy, as_of),
    )
    return inputs, config_of(policy, as_of)


def config_of(policy, as_of: date) -> Config:
    """The run's configuration from the policy file: exclusive services, the service → need
    table (``services.need``), and the labels of needs and temporary aid's causes."""
    from jiuzhu.intake.models import Cause

    exclusive = frozenset((s.code, x) for s in policy.services for x in s.exclusive_with)
    return Config(
        as_of=as_of,
        exclusive=exclusive,
        need=needs.service_needs(policy, as_of),
        need_labels=needs.need_labels(policy, as_of),
        cause_labels=dict(Cause.choices),
    )
