"""What every rule returns (``Result`` with ``Reason``s) and the parameters in force on a date
(``Params``), read once per date from the policy file. Pure: no Django import."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from jiuzhu.common.money import CENT, ceil_yuan

MEASURES = "社会救助暂行办法"
DIBAO_RULES = "最低生活保障审核确认办法"
TEKUN_RULES = "特困人员认定办法"
RIGID_RULES = "刚性支出困难家庭认定办法"


@dataclass(frozen=True)
class Reason:
    """One criterion checked: its stable id, the rule it applies, whether it passed, and the
    figures found and compared (``detail``)."""

    rule: str
    basis: str
    passed: bool
    detail: str

    @property
    def text(self) -> str:
        return f"{'符合' if self.passed else '不符合'}：{self.detail}（{self.basis}）"


@dataclass
class Result:
    """The pre-check of one service for one household. ``monthly_amount`` is the amount in
    the unit ``amount_period`` says: "month" (per month), "year" (per year / school year),
    "once" (one-off); ``None`` when the service is in kind, a recognition, or set by need."""

    service: str
    category: str
    eligible: bool
    monthly_amount: Decimal | None
    amount_period: str | None
    reasons: list[Reason] = field(default_factory=list)
    name: str = ""
    formula: str = ""
    members: tuple[int, ...] = ()  # indexes of the members the result is about

    @property
    def amount(self) -> Decimal | None:
        return self.monthly_amount


def half_up(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def up(value) -> Decimal:
    """Whole yuan, rounded up (DOMAIN §3)."""
    return ceil_yuan(value)


def yuan(value) -> str:
    return f"¥{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):,}"


def num(value) -> str:
    """A multiple or area without trailing zeros: 1.5, 24, 15.25."""
    return f"{Decimal(value).normalize():f}"


def pct(rate) -> str:
    return f"{num(Decimal(rate) * 100)}%"


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end`` (negative when ``end`` is earlier): 2025-03-15 →
    2025-09-14 is 5, → 2025-09-15 is 6. Month-end clamping (DOMAIN §3 rulings): a month is
    complete on the same day of the month, or on the month's last day when it has no such day
    — 2024-02-29 → 2025-02-28 is 12, 2024-01-31 → 2024-02-29 is 1."""
    n = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day and end.day != monthrange(end.year, end.month)[1]:
        n -= 1
    return n


def add_months_clamped(d: date, n: int) -> date:
    """The same day ``n`` months later, clamped to the month's last day (2024-02-29 + 12 →
    2025-02-28): the first day ``months_between(d, ·) >= n``."""
    k = d.year * 12 + (d.month - 1) + n
    y, m = k // 12, k % 12 + 1
    return date(y, m, min(d.day, monthrange(y, m)[1]))


_NAMES = {
    "employment_cost_rate": "income.employment_cost_rate",
    "employment_cost_cap": "income.employment_cost_cap",
    "basic_pension_excluded": "income.basic_pension_excluded",
    "financial_months": "assets.financial_months",
    "vehicle_livelihood_max": "assets.vehicle_livelihood_max",
    "max_houses": "assets.max_houses",
    "house_area_per_capita": "assets.house_area_per_capita",
    "business_capital_max": "assets.business_capital_max",
    "standard": "dibao.standard",
    "addon_rate": "dibao.addon_rate",
    "addon_age": "dibao.addon_age",
    "single_multiple": "dibao.single_person_multiple",
    "exit_months": "dibao.gradual_exit_months",
    "exit_multiple": "dibao.gradual_exit_multiple",
    "review_months": "dibao.review_months",
    "refusals_limit": "employment.refusals_limit",
    "duty_age_min": "employment.duty_age_min",
    "duty_age_max": "employment.duty_age_max",
    "tekun_multiple": "tekun.basic_multiple",
    "care_allowance": "tekun.care_allowance",
    "age_elderly": "tekun.age_elderly",
    "age_minor": "tekun.age_minor",
    "age_minor_extended": "tekun.age_minor_extended",
    "self_care_partial_from": "tekun.self_care_partial_from",
    "self_care_none_from": "tekun.self_care_none_from",
    "temp_multiple": "temporary.multiple",
    "first_aid_limit": "temporary.emergency_first_limit",
    "same_cause_months": "temporary.same_cause_months",
    "medical_rate": "medical.assistance_rate",
    "medical_cap": "medical.annual_cap",
    "medical_deductible": "medical.deductible",
    "premium_rate": "medical.premium_subsidy_rate",
    "premium": "medical.resident_premium",
    "education_grant": "education.grant",
    "education_terms": "education.terms_per_year",
    "education_to_school": "education.paid_to_school",
    "housing_area": "housing.area_per_person",
    "rent_per_m2": "housing.rent_subsidy_per_m2",
    "disaster_daily": "disaster.daily_allowance",
    "disaster_max_days": "disaster.max_days",
    "marginal_multiple": "low_income.marginal_multiple",
    "disposable_income": "low_income.disposable_income_monthly",
    "rigid_ratio": "low_income.rigid_expenditure_ratio",
    "rigid_validity": "low_income.rigid_validity_months",
}


@dataclass(frozen=True)
class Params:
    """Every parameter the rules read, as in force on ``as_of``. Dimensioned parameters are
    dicts (``standard["urban"]``)."""

    as_of: date
    employment_cost_rate: Decimal
    employment_cost_cap: Decimal
    basic_pension_excluded: bool
    financial_months: Decimal
    vehicle_livelihood_max: Decimal
    max_houses: int
    house_area_per_capita: Decimal
    business_capital_max: Decimal
    standard: dict
    addon_rate: Decimal
    addon_age: int
    single_multiple: Decimal
    exit_months: int
    exit_multiple: Decimal
    review_months: dict
    refusals_limit: int
    duty_age_min: int
    duty_age_max: dict
    tekun_multiple: Decimal
    care_allowance: dict
    age_elderly: int
    age_minor: int
    age_minor_extended: int
    self_care_partial_from: int
    self_care_none_from: int
    temp_multiple: dict
    first_aid_limit: Decimal
    same_cause_months: int
    medical_rate: dict
    medical_cap: Decimal
    medical_deductible: dict
    premium_rate: dict
    premium: Decimal
    education_grant: dict
    education_terms: Decimal
    education_to_school: dict
    housing_area: Decimal
    rent_per_m2: Decimal
    disaster_daily: Decimal
    disaster_max_days: int
    marginal_multiple: Decimal
    disposable_income: Decimal
    rigid_ratio: Decimal
    rigid_validity: int

    @classmethod
    def at(cls, policy, as_of: date) -> Params:
        """The parameters in force on ``as_of`` (cached on the policy object per date).
        Raises ``ParameterNotInForce`` when any is not yet in force."""
        cache = policy.__dict__.setdefault("_rule_params", {})
        hit = cache.get(as_of)
        if hit is None:
            values = {attr: policy.param(name, as_of) for attr, name in _NAMES.items()}
            hit = cache[as_of] = cls(as_of=as_of, **values)
        return hit

    def basis(self, policy, attr: str) -> str:
        return policy.parameter(_NAMES[attr]).basis
