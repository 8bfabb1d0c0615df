"""The screening engine (查重 · 查漏 · 查不公), pure and set-based: polars frames in, candidate
alerts out (``rules.ALERT_SCHEMA``). No Django import; the app's ``run.py`` reads the
database into these frames and keeps the alerts.

Inputs (``Inputs``; money is Int64 cents, dates are ``date``):

- ``persons``: person_id, id_number, name, birth_date, household_id, deceased_on
- ``households``: household_id, town (unit code), area, size, pc_income (counted income per
  person and month, cents, null when unknown), low_income (bool, null when not evaluated)
- ``roster``: line_id (one entitlement), person_id, household_id, service, category, unit,
  amount, period (month/year/once), start, end (null: open), cause (temporary aid: a code
  of the cause list; cause_note, optional: the words beside it), granted_on (optional),
  relative_registered (bool: the decision recorded the close-relative registration),
  rule_amount (cents, the rules' amount when granted; optional), signed (bool; optional)
- ``lists``: row_id, kind, name, id_number, birth_date (department lists, possibly damaged)
- ``relatives``: rel_id, name, id_number, declarant, post, unit (StaffRelative); optional:
  id_upgraded (declared from a 15-digit card)
- ``staff``: staff_id, staff_name, id_number, staff_unit (unit code), unit_name (staff with
  their ID number on file)
- ``deaths``: death_id, name, id_number, birth_date, died_on, source (death records)
- ``decisions``: approver, unit, service, approved (optional)
- ``charity``: charity_id, person_id, household_id, need, amount, paid_on, partner_code;
  optional: cost_amount (the whole cost, cents), cover_from / cover_to (months covered)
- ``status_of(hh_ids) -> frame``: household_id, status (tekun / dibao / marginal / rigid /
  null), pc_income, standard — the policy rules' evaluation of the listed households.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from . import identity
from .rules import ALERT_SCHEMA, charity, duplicates, grant_amounts, omissions, unfairness

LOW_INCOME_CATEGORIES = ("minimum_living", "extreme_poverty")


@dataclass
class Inputs:
    persons: pl.DataFrame
    households: pl.DataFrame
    roster: pl.DataFrame
    lists: pl.DataFrame | None = None
    relatives: pl.DataFrame | None = None
    staff: pl.DataFrame | None = None
    deaths: pl.DataFrame | None = None
    decisions: pl.DataFrame | None = None
    charity: pl.DataFrame | None = None
    status_of: Callable[[list[int]], pl.DataFrame] | None = None
    # grant control: the rules' amounts now (household_id, service, amount cents) of households
    rule_amounts: Callable[[list[int]], pl.DataFrame] | None = None


@dataclass
class Config:
    as_of: date
    exclusive: frozenset[tuple[str, str]] = frozenset()  # both orders
    # service -> need (the policy file's table ``services.need``; default: the service itself)
    need: dict[str, str] = field(default_factory=dict)
    need_labels: dict[str, str] = field(default_factory=dict)  # need -> Chinese label
    cause_labels: dict[str, str] = field(default_factory=dict)  # temporary aid's cause -> label
    charity_unit: str = "charity_federation"
    fuzzy: bool = True  # linkage for damaged identities (off: exact normalised IDs only)
    progress: bool = False
    # filled by the run: the linkage's report (``blocking``: rules used with their pairs,
    # rules over the budget tightened or dropped, see jiuzhu.linkage.blocking)
    report: dict = field(default_factory=dict)


@dataclass
class Prepared:
    cfg: Config
    month: date  # as_of's month
    window_start: date  # first month screened for duplicates (12 months back)
    persons: pl.DataFrame
    households: pl.DataFrame
    lines: pl.DataFrame
    inputs: Inputs
    found: dict[str, pl.DataFrame] = field(default_factory=dict)  # source -> row id, person_id, how


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, n: int) -> date:
    k = d.year * 12 + d.month - 1 + n
    return date(k // 12, k % 12 + 1, 1)


def _prepare(inp: Inputs, cfg: Config, tick) -> Prepared:
    month = month_start(cfg.as_of)
    window_start = add_months(month, -11)
    sources = {}
    for name, frame, row_id in (
        ("deaths", inp.deaths, "death_id"),
        ("lists", inp.lists, "row_id"),
        ("relatives", inp.relatives, "rel_id"),
    ):
        if frame is not None and frame.height:
            cols = [
                c for c in (row_id, "name", "id_number", "birth_date", "id_upgraded") if c in frame.columns
            ]
            sources[name] = (frame.select(cols), row_id)
    ids, found = identity.resolve(
        inp.persons, sources, fuzzy=cfg.fuzzy, progress=cfg.progress, report=cfg.report
    )
    tick("identities")
    persons = inp.persons.join(ids, on="person_id", how="left").join(
        inp.households.select("household_id", "town"), on="household_id", how="left"
    )
    died = persons.select("person_id", pl.col("deceased_on").alias("died_on"), source=pl.lit("人员登记"))
    if "deaths" in found and inp.deaths is not None:  # found only among the sources given
        recs = (
            found["deaths"]
            .join(inp.deaths.select("death_id", "died_on", "source"), on="death_id")
            .select("person_id", "died_on", pl.format("{}（{}）", "source", "how").alias("source"))
        )
        died = pl.concat([died, recs])
    died = died.drop_nulls("died_on").sort("died_on").unique("person_id", keep="first")
    persons = persons.join(died, on="person_id", how="left")
    r = inp.roster
    end_eff = (
        pl.when(pl.col("period") == "once")
        .then(pl.col("start"))
        .otherwise(pl.coalesce(pl.col("end"), pl.lit(month)))
    )
    lines = (
        r.with_columns(end_eff=pl.min_horizontal(end_eff, pl.lit(month)))
        .filter((pl.col("start") <= month) & (pl.col("end_eff") >= window_start))
        .join(persons.select("person_id", "identity", "died_on", "source"), on="person_id", how="left")
        .join(
            inp.households.select("household_id", "town", "area", "size", "pc_income"),
            on="household_id",
            how="left",
        )
        .with_columns(
            active=(pl.col("start") <= month) & (pl.col("end_eff") >= month) & (pl.col("period") != "once"),
            need=pl.col("service").replace(cfg.need) if cfg.need else pl.col("service"),
        )
    )
    tick("roster")
    return Prepared(cfg, month, window_start, persons, inp.households, lines, inp, found=found)


def screen(inp: Inputs, cfg: Config) -> tuple[pl.DataFrame, dict[str, float]]:
    """All candidate alerts of one run (``rules.ALERT_SCHEMA``), and the seconds per stage."""
    timings: dict[str, float] = {}
    t = [time.perf_counter()]

    def tick(stage: str) -> None:
        now = time.perf_counter()
        timings[stage] = round(now - t[0], 2)
        t[0] = now

    prep = _prepare(inp, cfg, tick)
    parts = [
        duplicates.pairs(prep),
        duplicates.temporary_same_cause(prep),
        duplicates.registered_twice(prep),
        duplicates.paid_after_death(prep),
    ]
    tick("duplicates")
    parts.append(omissions.listed_not_receiving(prep))
    tick("omissions")
    parts += [
        unfairness.relatives(prep),
        unfairness.staff_household(prep),
        unfairness.similar_households(prep),
        unfairness.town_amounts(prep),
        unfairness.approver_rates(prep),
        unfairness.town_coverage(prep),
        grant_amounts.amount_not_rule(prep),
    ]
    tick("unfairness")
    if inp.charity is not None and inp.charity.height:
        parts += [charity.covers_paid(prep), charity.same_need(prep)]
        tick("charity")
    out = (
        pl.concat([p.select(list(ALERT_SCHEMA)) for p in parts if p.height])
        if any(p.height for p in parts)
        else pl.DataFrame(schema=ALERT_SCHEMA)
    )
    return out.unique("fingerprint", keep="first", maintain_order=True), timings


def days(n: int) -> timedelta:
    return timedelta(days=n)
