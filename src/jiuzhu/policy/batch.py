"""The rules of ``jiuzhu.policy.rules``, vectorised: eligibility and amount of every service for
every household of a set of frames (``jiuzhu.policy.frames``), in exact integer arithmetic
(cents; rates as fractions) so the result equals the per-household path to the cent — a
property test proves it. No reasons here: ask the single path for one household's.

    out = evaluate_batch(frames, date(2026, 3, 1), policy)
    # hh_id, dibao_eligible, dibao_amount (Int64 cents, null when none), dibao_single_eligible, …

Pure: numpy and polars, no Django import.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from functools import cached_property
from typing import Any

import numpy as np
import polars as pl

from .frames import Frames
from .rules import criteria as cr
from .rules.base import Params
from .rules.impossible import refused

# Integer codes, generated from the choice lists of ``facts`` (``rules.criteria``).
DISABILITY, SCHOOL, SELF_CARE, PURPOSE, NEED = cr.DISABILITY, cr.SCHOOL, cr.SELF_CARE, cr.PURPOSE, cr.NEED
_frac, _c, _ceil_div = cr.frac, cr.cents, cr.ceil_div


def _half_up_div(a, b):
    """Round a/b half up, for a ≥ 0, b > 0."""
    return (2 * a + b) // (2 * b)


def _codes(s: pl.Series, mapping: dict) -> np.ndarray:
    return s.fill_null("").cast(pl.Utf8).replace_strict(mapping, return_dtype=pl.Int8).to_numpy()


def _ymd(s: pl.Series):
    """(year, month, day, valid) arrays of a Date series; invalid where null."""
    valid = s.is_not_null().to_numpy()
    d = s.fill_null(date(2000, 1, 1)).to_numpy().astype("datetime64[D]")
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    mo = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dd = (d - d.astype("datetime64[M]")).astype(np.int64) + 1
    return y, mo, dd, valid


def _epoch_days(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _months_between(s: pl.Series, end: date):
    y, m, d, valid = _ymd(s)
    # month-end clamping, as rules.base.months_between: the month's last day completes it
    last_day = end.day == monthrange(end.year, end.month)[1]
    return (end.year - y) * 12 + (end.month - m) - ((end.day < d) & (not last_day)), valid


class _Batch:
    """Arrays of one frame set; each status is computed once, on first use (mirrors
    ``rules.context.Household``)."""

    def __init__(self, frames: Frames, as_of: date, policy):
        self.as_of = as_of
        self.p = p = Params.at(policy, as_of)
        h, ps = frames.households, frames.persons
        self.ids = h["hh_id"].to_numpy()
        self.H = len(self.ids)
        order = np.argsort(self.ids, kind="stable")
        pos = np.searchsorted(self.ids[order], ps["hh_id"].to_numpy())
        pos = np.clip(pos, 0, max(self.H - 1, 0))
        self.hidx = order[pos]
        if self.H and not np.array_equal(self.ids[self.hidx], ps["hh_id"].to_numpy()):
            raise ValueError("persons.hh_id not found in households")
        self.h, self.ps = h, ps
        self.urban = (h["area"] == "urban").to_numpy()
        self.S = np.where(self.urban, _c(p.standard["urban"]), _c(p.standard["rural"])).astype(np.int64)
        self.vehicles, self.houses = frames.vehicles, frames.houses
        self._cache: dict = {}

    # --- helpers ---------------------------------------------------------------------------

    def col(self, name, frame="p"):
        key = ("col", name, frame)
        if key not in self._cache:
            src = self.ps if frame == "p" else self.h
            self._cache[key] = src[name].fill_null(0).to_numpy().astype(np.int64)
        return self._cache[key]

    def flag(self, name, frame="p"):
        key = ("flag", name, frame)
        if key not in self._cache:
            src = self.ps if frame == "p" else self.h
            self._cache[key] = src[name].fill_null(False).to_numpy().astype(bool)
        return self._cache[key]

    def count(self, mask) -> np.ndarray:
        return np.bincount(self.hidx[mask], minlength=self.H)

    def any(self, mask) -> np.ndarray:
        return self.count(mask) > 0

    def total(self, values, mask=None) -> np.ndarray:
        w = values if mask is None else np.where(mask, values, 0)
        return np.rint(np.bincount(self.hidx, weights=w, minlength=self.H)).astype(np.int64)

    def at_p(self, arr):
        """A household array seen per person."""
        return arr[self.hidx]

    # --- members and means -----------------------------------------------------------------

    @cached_property
    def age(self):
        y, m, d, valid = _ymd(self.ps["birth_date"])
        a = self.as_of
        from_birth = a.year - y - ((a.month < m) | ((a.month == m) & (a.day < d)))
        return np.where(valid, from_birth, self.col("age"))

    @cached_property
    def counted(self):
        return self.ps["not_counted"].is_null().to_numpy()

    @cached_property
    def income(self):
        p = self.p
        wages = self.col("wages")
        rn, rd = _frac(p.employment_cost_rate)
        cost = np.minimum(_half_up_div(wages * rn, rd), _c(p.employment_cost_cap))
        cost = np.where(self.flag("employed") & (wages > 0), cost, 0)
        inc = wages - cost + self.col("business") + self.col("property") + self.col("transfer")
        if not p.basic_pension_excluded:
            inc = inc + self.col("pension_basic")
        return inc

    @cached_property
    def n(self):
        return self.count(self.counted)

    @cached_property
    def total_income(self):
        return self.total(self.income, self.counted)

    @cached_property
    def assets_ok(self):
        p, n, S = self.p, self.n, self.S
        mn, md = _frac(p.financial_months)
        fin_ok = self.col("financial", "h") * md <= mn * S * n
        v = self.vehicles
        vpos = self._index(v["hh_id"].to_numpy())
        purpose = _codes(v["purpose"], PURPOSE)
        exempt = (purpose == 0) | ((purpose == 1) & (v["value"].to_numpy() <= _c(p.vehicle_livelihood_max)))
        vcount = np.bincount(vpos, minlength=self.H)
        vexempt = np.bincount(vpos[exempt], minlength=self.H)
        car_ok = (vcount == 0) | ((vcount == 1) & (vexempt == 1))
        hs = self.houses
        hpos = self._index(hs["hh_id"].to_numpy())
        hcount = np.bincount(hpos, minlength=self.H)
        harea = np.rint(np.bincount(hpos, weights=hs["floor_area"].to_numpy(), minlength=self.H)).astype(
            np.int64
        )
        an, ad = _frac(p.house_area_per_capita)
        house_ok = (hcount <= p.max_houses) | (harea * ad <= an * 100 * n)
        biz_ok = self.col("business_capital", "h") <= _c(p.business_capital_max)
        return fin_ok & car_ok & house_ok & biz_ok

    def _index(self, hh_ids):
        order = np.argsort(self.ids, kind="stable")
        pos = np.clip(np.searchsorted(self.ids[order], hh_ids), 0, max(self.H - 1, 0))
        return order[pos]

    @cached_property
    def gender_f(self):
        return (self.ps["gender"] == "F").fill_null(False).to_numpy()

    @cached_property
    def disability(self):
        return _codes(self.ps["disability_kind"], DISABILITY)

    @cached_property
    def grade(self):
        return self.col("disability_grade")

    @cached_property
    def school(self):
        return _codes(self.ps["school_stage"], SCHOOL)

    @cached_property
    def severe(self):
        return (self.disability > 0) & (self.grade >= 1) & (self.grade <= 2)

    @cached_property
    def able(self):
        """Able-bodied, of working age, not at school (``Household.able_to_work``)."""
        p = self.p
        top = np.where(self.gender_f, p.duty_age_max["F"], p.duty_age_max["M"])
        full = (self.ps["labour_capacity"] == "full").fill_null(False).to_numpy()
        return self.counted & full & (self.age >= p.duty_age_min) & (self.age <= top) & (self.school == 0)

    # --- extreme poverty -----------------------------------------------------------------

    @cached_property
    def persons(self) -> _Persons:
        """The per-person column accessor the criteria of ``rules.criteria`` read."""
        return _Persons(self)

    @cached_property
    def tekun(self):
        return self.counted & cr.tekun_eligible(self.persons)

    @cached_property
    def institutional(self):
        return (self.ps["tekun_mode"] == "institutional").fill_null(False).to_numpy()

    @cached_property
    def tekun_amount(self):
        return cr.tekun_basic(self.persons) + cr.tekun_care(self.persons)

    # --- dibao and the low-income groups ---------------------------------------------------

    @cached_property
    def unit(self):
        return self.counted & ~self.tekun

    @cached_property
    def n_u(self):
        return self.count(self.unit)

    @cached_property
    def H_u(self):
        return self.total(self.income, self.unit)

    def below(self, multiple) -> np.ndarray:
        """Unit per-capita income strictly below ``multiple`` × standard."""
        mn, md = _frac(multiple)
        return self.H_u * md < mn * self.S * self.n_u

    @cached_property
    def dibao(self):
        """(eligible, amount cents)."""
        p, S, n, Hu = self.p, self.S, self.n_u, self.H_u
        has = n > 0
        income_ok = Hu < S * n
        normal = has & income_ok & self.assets_ok
        refuser = self.unit & self.able & (self.col("work_refusals") >= p.refusals_limit)
        k = self.count(refuser)
        addon = (
            self.unit & ~refuser & ((self.age >= p.addon_age) | self.severe | self.flag("serious_illness"))
        )
        a = self.count(addon)
        formula = cr.dibao_amount(p, S, n, Hu, k, a)
        months, valid = _months_between(self.h["income_rose_on"], self.as_of)
        rose = self.h["income_rose_on"].cast(pl.Int64).fill_null(0).to_numpy() <= _epoch_days(self.as_of)
        exit_ = (
            has
            & ~income_ok
            & self.assets_ok
            & self.flag("dibao_receiving", "h")
            & self.flag("rose_through_employment", "h")
            & valid
            & rose
            & self.below(p.exit_multiple)
            & (months < p.exit_months)
        )
        prev = self.h["dibao_amount"]
        amount = np.where(exit_ & prev.is_not_null().to_numpy(), prev.fill_null(0).to_numpy(), formula)
        return normal | exit_, amount

    @cached_property
    def single(self):
        """(covered person mask, household eligible, household amount cents)."""
        elig_d = self.dibao[0]
        ok = (self.n_u > 0) & ~elig_d & self.below(self.p.single_multiple) & self.assets_ok
        k, g = self.disability, self.grade
        candidate = self.unit & (
            self.severe | (((k == 5) | (k == 6)) & (g == 3)) | self.flag("serious_illness")
        )
        Sp = self.at_p(self.S)
        covered = candidate & self.at_p(ok) & (self.income < Sp)
        each = _ceil_div(Sp - self.income, 100) * 100
        return covered, self.any(covered), self.total(each, covered)

    @cached_property
    def marginal(self):
        return (self.n_u > 0) & ~self.dibao[0] & self.below(self.p.marginal_multiple) & self.assets_ok

    @cached_property
    def rigid(self):
        p = self.p
        spend = (
            self.col("rigid_medical", "h")
            + self.col("rigid_education", "h")
            + self.col("rigid_rehabilitation", "h")
        )
        rn, rd = _frac(p.rigid_ratio)
        return (
            (self.n_u > 0)
            & ~self.dibao[0]
            & ~self.marginal
            & (self.H_u < _c(p.disposable_income) * self.n_u)
            & self.assets_ok
            & (spend * rd > rn * 12 * self.H_u)
        )

    @cached_property
    def groups(self):
        """Per person: (extreme_poverty, dibao, marginal, rigid) masks, first that applies."""
        t = self.tekun
        d = self.counted & ~t & (self.single[0] | self.at_p(self.dibao[0]))
        m = self.counted & ~t & ~d & self.at_p(self.marginal)
        r = self.counted & ~t & ~d & ~m & self.at_p(self.rigid)
        return t, d, m, r

    @cached_property
    def low_income(self):
        t, d, m, r = self.groups
        return self.any(t | d | m | r)


class _Persons:
    """Every person of a batch as the criteria read them (``rules.criteria``): arrays."""

    def __init__(self, b: _Batch):
        self.p, self.flag = b.p, b.flag
        self.age, self.disability, self.grade, self.school = b.age, b.disability, b.grade, b.school
        self.income = b.income
        self.standard = b.at_p(b.S)
        self.assets_ok = b.at_p(b.assets_ok)
        self.self_care_failed = b.ps["self_care_items_failed"].fill_null(-1).to_numpy()
        self.self_care = _codes(b.ps["self_care"], SELF_CARE)


def evaluate_batch(frames: Frames, as_of: date, policy, services=None) -> pl.DataFrame:
    """One row per household (``hh_id``), for each service two columns: ``<code>_eligible``
    (bool) and ``<code>_amount`` (Int64 cents, null when not eligible or set by need); the
    period of an amount is the service's ``amount_period``. A household with a fact impossible
    on ``as_of`` (``rules.impossible``) is eligible for nothing and carries ``refused_code`` and
    ``refused_field`` (null otherwise) — the single path raises with the same code and field."""
    from .batch_services import FORMULAS

    b = _Batch(frames, as_of, policy)
    specs = policy.services if services is None else [policy.service(c) for c in services]
    code, field = refused(b)  # impossible facts: the household is refused, never evaluated
    ok = np.array([c is None for c in code], dtype=bool)
    cols: dict[str, Any] = {"hh_id": b.ids}
    for svc in specs:
        eligible, amount = FORMULAS[svc.formula](b)
        eligible = np.asarray(eligible, dtype=bool) & ok
        cols[f"{svc.code}_eligible"] = eligible
        if amount is None:
            cols[f"{svc.code}_amount"] = pl.Series(f"{svc.code}_amount", [], dtype=pl.Int64).extend_constant(
                None, b.H
            )
        else:
            cols[f"{svc.code}_amount"] = pl.Series(np.asarray(amount, dtype=np.int64)).set(
                pl.Series(~eligible), None
            )
    cols["refused_code"] = pl.Series("refused_code", code.tolist(), dtype=pl.Utf8)
    cols["refused_field"] = pl.Series("refused_field", field.tolist(), dtype=pl.Utf8)
    return pl.DataFrame(cols)


def to_long(wide: pl.DataFrame) -> pl.DataFrame:
    """``hh_id, service, eligible, amount`` rows from ``evaluate_batch``'s wide frame."""
    codes = [c[: -len("_eligible")] for c in wide.columns if c.endswith("_eligible")]
    parts = [
        wide.select(
            pl.col("hh_id"),
            pl.lit(c).alias("service"),
            pl.col(f"{c}_eligible").alias("eligible"),
            pl.col(f"{c}_amount").alias("amount"),
        )
        for c in codes
    ]
    return pl.concat(parts) if parts else pl.DataFrame()
