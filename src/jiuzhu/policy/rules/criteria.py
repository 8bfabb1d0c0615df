"""The criteria of the rules, each declared once (OpenFisca's "one formula for one household or
millions"): a stable id, the article it applies, the parameters it reads, a predicate over a
column accessor, and a reason template. The same declaration serves

- one member of one household (``rules``): the accessor gives numpy scalars for that member
  and the reason is written with its figures;
- every member of millions of households (``batch``): the accessor gives arrays, no reasons.

Accessors name the same columns both ways: ``x.p`` (``Params``), ``x.age``, ``x.disability``
and ``x.school`` (integer codes, below), ``x.grade`` (0 for none), ``x.income`` and
``x.standard`` (cents), ``x.assets_ok``, ``x.self_care_failed`` (−1 when not assessed),
``x.self_care`` (code) and ``x.flag(name)`` for a boolean fact. Predicates use numpy
operators only (``& | ~ == <``, ``np.isin``, ``np.where``) so they run on scalars and arrays
alike. Money is integer cents and rates fractions, so both ways agree to the cent.

Integer codes are generated from the choice lists of ``facts``, so a new disability kind or
school stage needs one edit there. Pure: no Django import.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np

from .. import facts
from .base import TEKUN_RULES, Reason, yuan


def codes(choices) -> dict[str, int]:
    """Integer code of every choice, in the order ``facts`` declares them."""
    return {c: i for i, c in enumerate(choices)}


DISABILITY = codes(facts.DISABILITY_KINDS)
SCHOOL = codes(facts.SCHOOL_STAGES)
SELF_CARE = codes(facts.SELF_CARE)
PURPOSE = codes(facts.VEHICLE_PURPOSES)
NEED = codes(("", *facts.NEED_KINDS))


def frac(d) -> tuple[int, int]:
    f = Fraction(Decimal(d))
    return f.numerator, f.denominator


def cents(d) -> int:
    """Yuan -> cents (parameters are validated to at most two decimals where money)."""
    return int(Decimal(d) * 100)


def ceil_div(a, b):
    return -((-a) // b)


@dataclass(frozen=True)
class Criterion:
    """One criterion of a rule. ``test(x)`` is the predicate over a column accessor;
    ``reason`` is a template formatted with ``x`` (the accessor of one member) — a pair
    (passed, failed) of templates, or a callable ``(x, passed) -> str`` where the text
    needs more than a template."""

    id: str
    article: str
    params: tuple[str, ...]
    test: Callable[[Any], Any]
    reason: tuple[str, str] | Callable[[Any, bool], str]

    def __call__(self, x):
        return self.test(x)

    def explain(self, x) -> Reason:
        """The reason for one member (``x`` an accessor of scalars)."""
        passed = bool(self.test(x))
        if callable(self.reason):
            text = self.reason(x, passed)
        else:
            text = self.reason[0 if passed else 1].format(x=x)
        return Reason(self.id, self.article, passed, text)


@dataclass(frozen=True)
class AnyOf:
    """A criterion met in any of several ways, each with its own reason; the first way met
    gives the reason, ``otherwise`` the text when none is."""

    id: str
    article: str
    ways: tuple[Criterion, ...]
    otherwise: str | Callable[[Any], str]

    def __call__(self, x):
        out = self.ways[0](x)
        for w in self.ways[1:]:
            out = out | w(x)
        return out

    @property
    def params(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p for w in self.ways for p in w.params))

    def explain(self, x) -> Reason:
        for w in self.ways:
            if bool(w(x)):
                r = w.explain(x)
                return Reason(self.id, self.article, True, r.detail)
        text = self.otherwise(x) if callable(self.otherwise) else self.otherwise.format(x=x)
        return Reason(self.id, self.article, False, text)


# --- extreme poverty (特困人员认定办法) ---------------------------------------------------------

AT_SCHOOL = ("primary", "junior", "senior", "vocational")  # compulsory and senior secondary
_AT_SCHOOL = np.isin(np.arange(len(SCHOOL)), [SCHOOL[s] for s in AT_SCHOOL])  # code -> at school
# 第五条: the disabilities that mean no labour capacity, kind -> highest grade that qualifies
# (DOMAIN §3 ruling: multiple disability of grade 1–2 counts as no labour capacity).
TEKUN_DISABILITY = {"intellectual": 3, "mental": 3, "physical": 2, "multiple": 2, "visual": 1}


def tekun_disabled(x):
    k, g = x.disability, x.grade
    out = (k == -1) & (g == -1)  # False of the accessor's shape
    for kind, top in TEKUN_DISABILITY.items():
        out = out | ((k == DISABILITY[kind]) & (g >= 1) & (g <= top))
    return out


def at_school(x):
    return _AT_SCHOOL[x.school]


_LABOUR = f"{TEKUN_RULES} 第五条"


def _way(id_, params, test, text):
    """One way of meeting 第五条 (only ever explained when met)."""
    return Criterion(id_, _LABOUR, params, test, (text, ""))


TEKUN_NO_LABOUR_CAPACITY = AnyOf(
    "tekun.no_labour_capacity",
    _LABOUR,
    (
        _way(
            "tekun.elderly",
            ("tekun.age_elderly",),
            lambda x: x.age >= x.p.age_elderly,
            "{x.label}年满 {x.p.age_elderly} 周岁，无劳动能力",
        ),
        _way(
            "tekun.minor",
            ("tekun.age_minor",),
            lambda x: x.age < x.p.age_minor,
            "{x.label}未满 {x.p.age_minor} 周岁，无劳动能力",
        ),
        _way(
            "tekun.minor_at_school",
            ("tekun.age_minor_extended",),
            lambda x: at_school(x) & (x.age < x.p.age_minor_extended),
            "{x.label}未满 {x.p.age_minor_extended} 周岁且在义务教育或高中阶段就读，"
            "保障至 {x.p.age_minor_extended} 周岁",
        ),
        # DOMAIN §3 ruling (特困人员认定办法 第二十四条): a minor already in support keeps it to
        # 18 whether or not at school; a new applicant meets the age test on application day
        _way(
            "tekun.minor_in_support",
            ("tekun.age_minor_extended",),
            lambda x: x.flag("in_tekun_support") & (x.age < x.p.age_minor_extended),
            "{x.label}已在特困供养，未满 {x.p.age_minor_extended} 周岁，不论是否在学均保障至 "
            "{x.p.age_minor_extended} 周岁",
        ),
        _way(
            "tekun.continuing_at_school",
            ("tekun.age_minor_extended",),
            lambda x: at_school(x) & x.flag("in_tekun_support"),
            "{x.label}已在特困供养，年满 {x.p.age_minor_extended} 周岁后仍在义务教育或高中阶段就读，继续供养",
        ),
        _way("tekun.disabled", (), tekun_disabled, "{x.label}{x.disability_text}，无劳动能力"),
    ),
    "{x.label}{x.disability_text}，不属于无劳动能力（年满 {x.p.age_elderly} 周岁、未满 {x.p.age_minor} 周岁，"
    "或智力、精神残疾 1–3 级，肢体残疾 1–2 级，视力残疾 1 级）",
)


def _no_means_text(x, passed: bool) -> str:
    cmp = "<" if bool(x.income < x.standard) else "≥"
    assets = "" if bool(x.assets_ok) else "；家庭财产不符合规定"
    return f"{x.label}本人月收入 {x.income_yuan} {cmp} 低保标准 {x.standard_yuan}{assets}"


TEKUN_NO_MEANS = Criterion(
    "tekun.no_means",
    f"{TEKUN_RULES} 第六条",
    ("dibao.standard",),
    lambda x: (x.income < x.standard) & x.assets_ok,
    _no_means_text,
)
TEKUN_NO_SUPPORTER = Criterion(
    "tekun.no_supporter",
    f"{TEKUN_RULES} 第八条",
    (),
    lambda x: ~x.flag("has_capable_supporter"),
    ("{x.label}：{x.supporter_text}", "{x.label}有具备赡养、抚养、扶养能力的法定义务人"),
)
TEKUN_ORPHAN_CHOICE = Criterion(
    "tekun.orphan_choice",
    f"{TEKUN_RULES} 第九条",
    (),
    lambda x: ~x.flag("orphan_support"),
    ("", "{x.label}已选择孤儿（事实无人抚养儿童）基本生活保障，不再认定为特困人员"),
)
# The three conditions, in order; the orphan choice is explained only when it excludes.
TEKUN_CONDITIONS = (TEKUN_NO_LABOUR_CAPACITY, TEKUN_NO_MEANS, TEKUN_NO_SUPPORTER)


def tekun_eligible(x):
    out = TEKUN_ORPHAN_CHOICE(x)
    for c in TEKUN_CONDITIONS:
        out = out & c(x)
    return out


def care_level(x):
    """Self-care level code (``SELF_CARE``): from the number of the 6 daily-living items
    failed when assessed (0 → self-caring, 1–3 → partly, ≥ 4 → fully dependent), else as
    recorded."""
    p, failed = x.p, x.self_care_failed
    level = np.where(failed >= p.self_care_none_from, 2, np.where(failed >= p.self_care_partial_from, 1, 0))
    return np.where(failed < 0, x.self_care, level)


def tekun_basic(x):
    """Basic living allowance, cents: multiple × standard, rounded up to whole yuan."""
    mn, md = frac(x.p.tekun_multiple)
    return ceil_div(x.standard * mn, md * 100) * 100


def tekun_care(x):
    """Care allowance of the member's self-care level, cents."""
    table = np.array([cents(x.p.care_allowance[lv]) for lv in facts.SELF_CARE], dtype=np.int64)
    return table[care_level(x)]


# --- dibao (最低生活保障) ----------------------------------------------------------------------


def dibao_amount(p, standard, n, unit_income, refusers, addon):
    """Dibao of the unit, cents (社会救助暂行办法 第十二条, 最低生活保障审核确认办法 第二十七条):
    the gap (standard × n − income, not below 0) × (n − refusers) / n + add-on rate ×
    standard × members with the add-on, rounded up to whole yuan. Integers or arrays."""
    rn, rd = frac(p.addon_rate)
    gap = np.maximum(0, standard * n - unit_income)
    nn = np.maximum(n, 1)
    return ceil_div(gap * (n - refusers) * rd + rn * standard * addon * nn, nn * rd * 100) * 100


# --- the accessor of one member ------------------------------------------------------------

KIND_TEXT = {
    "visual": "视力",
    "hearing": "听力",
    "speech": "言语",
    "physical": "肢体",
    "intellectual": "智力",
    "mental": "精神",
    "multiple": "多重",
}
SUPPORTER_TEXT = {
    "tekun": "法定义务人本人为特困人员",
    "dibao_60": "法定义务人为60周岁以上的最低生活保障对象",
    "aged_70_low_income": "法定义务人年满70周岁且收入低于上年度人均可支配收入、财产符合低收入家庭规定",
    "severely_disabled_low_income": "法定义务人为重度残疾人且收入、财产符合低收入家庭规定",
    "imprisoned": "法定义务人在服刑且财产符合低收入家庭规定",
    "missing": "法定义务人被宣告失踪",
    "no_civil_capacity": "法定义务人无民事行为能力",
    "none_exists": "无法定赡养、抚养、扶养义务人",
}


class One:
    """The columns of one member ``m`` of household ``hh`` (``rules.context.Household``), as
    numpy scalars, plus the figures the reason templates show."""

    def __init__(self, hh, m):
        f = m.facts
        self.p, self.label, self._f = hh.p, m.label, f
        self.age = np.int64(m.age)
        self.disability = np.int64(DISABILITY[f.disability_kind])
        self.grade = np.int64(f.disability_grade or 0)
        self.school = np.int64(SCHOOL[f.school_stage])
        self.income = np.int64(cents(m.income))
        self.standard = np.int64(cents(hh.standard))
        self.assets_ok = np.bool_(hh.assets_ok)
        failed = f.self_care_items_failed
        self.self_care_failed = np.int64(-1 if failed is None else failed)
        self.self_care = np.int64(SELF_CARE[f.self_care])
        self._m, self._hh = m, hh

    def flag(self, name: str):
        return np.bool_(getattr(self._f, name))

    @property
    def income_yuan(self) -> str:
        return yuan(self._m.income)

    @property
    def standard_yuan(self) -> str:
        return yuan(self._hh.standard)

    @property
    def disability_text(self) -> str:
        f = self._f
        return (
            f"{KIND_TEXT[f.disability_kind]}残疾 {f.disability_grade} 级" if f.disability_kind else "无残疾"
        )

    @property
    def supporter_text(self) -> str:
        return SUPPORTER_TEXT.get(self._f.supporter_unable, "无法定义务人或法定义务人无履行义务能力")
