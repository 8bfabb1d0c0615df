"""What a policy file may say: the service categories, the benefit formulas the rules
implement, the parameters the rules read (name, kind, dims), and the service spec. Pure: no
Django import."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .parameters import PolicyLookupError

# DOMAIN §2: the "8+1" categories every service belongs to.
CATEGORIES = {
    "minimum_living": "最低生活保障",
    "extreme_poverty": "特困人员供养",
    "disaster": "受灾人员救助",
    "medical": "医疗救助",
    "education": "教育救助",
    "housing": "住房救助",
    "employment": "就业救助",
    "temporary": "临时救助",
    "social": "社会力量参与",
}
# The categories whose monthly services are answered by a decision (审核确认: investigation,
# public notice, the approver's sign-off), never by a unit's plain referral feedback.
DECISION_CATEGORIES = ("minimum_living", "extreme_poverty")

# Benefit formulas implemented in ``policy.rules`` (id -> how the amount is paid: "month",
# "year" (per school year / year), "once", or None for a service in kind or a recognition).
FORMULAS: dict[str, str | None] = {
    "dibao": "month",
    "dibao_single": "month",
    "marginal": None,
    "rigid_expenditure": None,
    "tekun_dispersed": "month",
    "tekun_institutional": "month",
    "disaster_transitional": "once",
    "disaster_rebuild": "once",
    "disaster_winter": "once",
    "medical_premium": "year",
    "medical_expense": "once",
    "medical_emergency": "once",
    "medical_first_treatment": None,
    "edu_preschool": "year",
    "edu_compulsory": "year",
    "edu_senior": "year",
    "edu_university": "once",
    "housing_rent_subsidy": "month",
    "housing_public_rental": None,
    "housing_rural_repair": "once",
    "employment_services": None,
    "employment_training": "once",
    "employment_public_post": None,
    "temporary_emergency": "once",
    "temporary_expenditure": "once",
    "vagrant_aid": None,
    "disabled_living_allowance": "month",
    "disabled_rehab": "once",
    "worker_hardship": "once",
    "women_children_aid": "once",
    "youth_education_aid": "once",
    "charity_aid": "once",
    "charity_medical": "once",
}

# "社会救助暂行办法 第九条", "最低生活保障审核确认办法 第八条第二款": short name, a space, article.
BASIS_RE = re.compile(r"^(\S+) (第[一二三四五六七八九十百零〇]+条.*)$")

_AREA = {"area": ("urban", "rural")}
_GROUP3 = {"group": ("extreme_poverty", "dibao", "low_income_marginal")}
# Parameters the rules read: name -> (kind, dims). The file must declare each with exactly
# this kind and these dimension values; it may declare more for other uses.
REQUIRED_PARAMETERS: dict[str, tuple[str, dict]] = {
    "income.employment_cost_rate": ("rate", {}),
    "income.employment_cost_cap": ("amount", {}),
    "income.basic_pension_excluded": ("flag", {}),
    "assets.financial_months": ("number", {}),
    "assets.vehicle_livelihood_max": ("amount", {}),
    "assets.max_houses": ("count", {}),
    "assets.house_area_per_capita": ("number", {}),
    "assets.business_capital_max": ("amount", {}),
    "dibao.standard": ("amount", _AREA),
    "dibao.addon_rate": ("rate", {}),
    "dibao.addon_age": ("count", {}),
    "dibao.single_person_multiple": ("number", {}),
    "dibao.gradual_exit_months": ("months", {}),
    "dibao.gradual_exit_multiple": ("number", {}),
    "dibao.review_months": ("months", {"household": ("stable", "irregular")}),
    "employment.refusals_limit": ("count", {}),
    "employment.duty_age_min": ("count", {}),
    "employment.duty_age_max": ("count", {"gender": ("M", "F")}),
    "tekun.basic_multiple": ("number", {}),
    "tekun.care_allowance": ("amount", {"self_care": ("full", "partial", "none")}),
    "tekun.age_elderly": ("count", {}),
    "tekun.age_minor": ("count", {}),
    "tekun.age_minor_extended": ("count", {}),
    "tekun.self_care_partial_from": ("count", {}),
    "tekun.self_care_none_from": ("count", {}),
    "temporary.multiple": ("number", {"level": ("town", "county", "joint")}),
    "temporary.emergency_first_limit": ("amount", {}),
    "temporary.emergency_file_days": ("days", {}),
    "temporary.same_cause_months": ("months", {}),
    "medical.assistance_rate": ("rate", _GROUP3),
    "medical.annual_cap": ("amount", {}),
    "medical.deductible": ("amount", _GROUP3),
    "medical.premium_subsidy_rate": ("rate", {"group": ("extreme_poverty", "dibao")}),
    "medical.resident_premium": ("amount", {}),
    "education.grant": (
        "amount",
        {"stage": ("preschool", "primary", "junior", "senior", "vocational", "university")},
    ),
    "education.terms_per_year": ("number", {}),
    "education.paid_to_school": (
        "flag",
        {"stage": ("preschool", "primary", "junior", "senior", "vocational", "university")},
    ),
    "housing.area_per_person": ("number", {}),
    "housing.rent_subsidy_per_m2": ("amount", {}),
    "disaster.daily_allowance": ("amount", {}),
    "disaster.max_days": ("days", {}),
    "low_income.marginal_multiple": ("number", {}),
    "low_income.disposable_income_monthly": ("amount", {}),
    "low_income.rigid_expenditure_ratio": ("rate", {}),
    "low_income.rigid_validity_months": ("months", {}),
    "notice.days": ("days", {}),
    "notice.day_type": ("choice", {}),
    "notice.mask_names": ("flag", {}),
    "verification.validity_days": ("days", {}),
    "verification.answer_days": ("days", {}),
    "verification.authorisation_months": ("months", {}),
    "evaluation.indicator_groups": ("table", {}),
    "evaluation.grade_bands": ("table", {}),
    "services.need": ("table", {}),
}


class UnknownService(PolicyLookupError):
    code = "unknown_service"


@dataclass(frozen=True)
class ServiceSpec:
    """One assistance service of the catalogue (DOMAIN §2)."""

    code: str
    name: str
    category: str
    owner_unit: str
    basis: str  # "社会救助暂行办法 第九条"
    limit_days: int  # handling limit, working days
    documents: tuple[str, ...]
    exclusive_with: tuple[str, ...]  # symmetric: completed at load
    review_months: int | None
    needs_verification: bool
    formula: str
    description: str = ""

    @property
    def category_name(self) -> str:
        return CATEGORIES[self.category]

    @property
    def amount_period(self) -> str | None:
        """ "month", "year", "once", or None (in kind / a recognition)."""
        return FORMULAS[self.formula]

    @property
    def by_decision(self) -> bool:
        """Whether the service goes through the decision workflow (demo: dibao, dibao_single,
        tekun_dispersed, tekun_institutional): a monthly service of a decision category."""
        return self.category in DECISION_CATEGORIES and self.amount_period == "month"

    @property
    def basis_law(self) -> str:
        return self.basis.split(" ", 1)[0]

    @property
    def basis_article(self) -> str:
        return self.basis.split(" ", 1)[1]
