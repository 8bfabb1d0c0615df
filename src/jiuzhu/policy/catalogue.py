"""The city's policy file: units, programme catalogue (services) and dated parameters.

``load_policy(path)`` validates the whole file and raises ``PolicyFileError`` naming file,
line and field on the first problem. Pure: no Django import. Format: docs/policy-file.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from .parameters import Parameter, PolicyLookupError, UnknownParameter, load_parameter
from .yamlload import Where, load_yaml

UNIT_KINDS = ("town", "department")


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str  # "town" | "department"
    division_code: str = ""
    urban: bool = False
    conference: bool = True
    data_source: bool = False
    duties: str = ""


@dataclass(frozen=True)
class City:
    name: str
    division_code: str
    lead_unit: str


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
    "medical.premium_subsidy_rate": ("rate", {"group": ("extreme_poverty", "dibao")}),
    "medical.resident_premium": ("amount", {}),
    "education.grant": (
        "amount",
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
    "evaluation.indicator_groups": ("table", {}),
    "evaluation.grade_bands": ("table", {}),
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
    def basis_law(self) -> str:
        return self.basis.split(" ", 1)[0]

    @property
    def basis_article(self) -> str:
        return self.basis.split(" ", 1)[1]


@dataclass
class Policy:
    path: str
    city: City
    units: list[UnitSpec]
    extra: dict = field(default_factory=dict)
    services: list[ServiceSpec] = field(default_factory=list)
    parameters: dict[str, Parameter] = field(default_factory=dict)

    def unit(self, code: str) -> UnitSpec:
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(code)

    @property
    def towns(self) -> list[UnitSpec]:
        return [u for u in self.units if u.kind == "town"]

    def service(self, code: str) -> ServiceSpec:
        for s in self.services:
            if s.code == code:
                return s
        raise UnknownService(f"救助事项 “{code}” 不在本市政策文件中", field="service", service=code)

    def services_in(self, category: str) -> list[ServiceSpec]:
        return [s for s in self.services if s.category == category]

    def services_of_unit(self, unit_code: str) -> list[ServiceSpec]:
        return [s for s in self.services if s.owner_unit == unit_code]

    def exclusive(self, a: str, b: str) -> bool:
        """Whether services ``a`` and ``b`` cannot be combined for the same person/need."""
        return b in self.service(a).exclusive_with

    def parameter(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise UnknownParameter(f"政策文件没有参数 {name}", field=name, parameter=name) from None

    def param(self, name: str, as_of: date, **dims):
        """The value of parameter ``name`` in force on ``as_of`` (the latest ``effective_from``
        on or before it), selected by ``dims``: ``param("dibao.standard", date(2025, 6, 1),
        area="urban") -> Decimal("900")``. Amounts, rates and numbers are ``Decimal``; counts,
        days and months ``int``. Raises ``ParameterNotInForce`` before the first value and
        ``UnknownParameter`` for a name or dim the file does not have (both ``LookupError``)."""
        return self.parameter(name).at(as_of, **dims)


def _load_units(doc, where: Where) -> list[UnitSpec]:
    raw = where.require(doc, "units", "", list)
    units, seen = [], set()
    for i, node in enumerate(raw):
        f = f"units[{i}]"
        if not isinstance(node, dict):
            raise where.error("应为映射（code/name/kind…）", node=raw, field=f)
        code = where.require(node, "code", f, str)
        if code in seen:
            raise where.error(
                f"单位代码 {code} 重复",
                node=node,
                key="code",
                field=f"{f}.code",
                code="policy_duplicate_code",
            )
        seen.add(code)
        kind = where.require(node, "kind", f, str)
        if kind not in UNIT_KINDS:
            raise where.error(f"应为 {' 或 '.join(UNIT_KINDS)}", node=node, key="kind", field=f"{f}.kind")
        division = str(node.get("division_code", ""))
        if kind == "town" and not (division.isdigit() and len(division) == 9):
            raise where.error(
                "镇街须有9位行政区划代码", node=node, key="division_code", field=f"{f}.division_code"
            )
        units.append(
            UnitSpec(
                code=code,
                name=where.require(node, "name", f, str),
                kind=kind,
                division_code=division,
                urban=bool(node.get("urban", False)),
                conference=bool(node.get("conference", True)),
                data_source=bool(node.get("data_source", False)),
                duties=str(node.get("duties", "")),
            )
        )
    return units


def _check_weights(where: Where, node, field: str, value) -> None:
    """evaluation.indicator_groups: [{code, name, weight}], weights summing to 100."""
    if not isinstance(value, list) or not value:
        raise where.error(
            "应为指标组列表 [{code, name, weight}]",
            node=node,
            key="value",
            field=field,
            code="policy_wrong_type",
        )
    total, codes = Decimal(0), set()
    for i, g in enumerate(value):
        gf = f"{field}[{i}]"
        if not isinstance(g, dict):
            raise where.error("应为映射 {code, name, weight}", node=value, field=gf, code="policy_wrong_type")
        code = where.require(g, "code", gf, str)
        if code in codes:
            raise where.error(
                f"指标组 {code} 重复", node=g, key="code", field=f"{gf}.code", code="policy_duplicate_code"
            )
        codes.add(code)
        where.require(g, "name", gf, str)
        weight = where.require(g, "weight", gf, (int, float))
        if isinstance(weight, bool) or weight <= 0:
            raise where.error(
                "权重应为正数", node=g, key="weight", field=f"{gf}.weight", code="policy_not_a_number"
            )
        total += Decimal(str(weight))
    if total != 100:
        raise where.error(
            f"各指标组权重之和应为 100，实为 {total}",
            node=node,
            key="value",
            field=field,
            code="policy_bad_weights",
        )


def _check_bands(where: Where, node, field: str, value) -> None:
    """evaluation.grade_bands: {excellent, good, pass} lower bounds, descending, in 0–100."""
    names = ("excellent", "good", "pass")
    if not isinstance(value, dict) or set(value) != set(names):
        raise where.error(
            "应为映射 {excellent, good, pass}（各等级分数下限）",
            node=node,
            key="value",
            field=field,
            code="policy_wrong_type",
        )
    bounds = []
    for n in names:
        b = value[n]
        if isinstance(b, bool) or not isinstance(b, int | float) or not 0 < b <= 100:
            raise where.error(
                "分数下限应为 0–100 的数", node=value, key=n, field=f"{field}.{n}", code="policy_not_a_number"
            )
        bounds.append(b)
    if not bounds[0] > bounds[1] > bounds[2]:
        raise where.error(
            "等级下限应递减：excellent > good > pass",
            node=node,
            key="value",
            field=field,
            code="policy_bad_bands",
        )


TABLE_CHECKS = {"evaluation.indicator_groups": _check_weights, "evaluation.grade_bands": _check_bands}


def _load_parameters(doc, where: Where) -> dict[str, Parameter]:
    raw = where.require(doc, "parameters", "", dict)
    out = {}
    for name, node in raw.items():
        out[name] = load_parameter(
            where, str(name), node, field=f"parameters.{name}", table_checks=TABLE_CHECKS
        )
    for name, (kind, dims) in REQUIRED_PARAMETERS.items():
        p = out.get(name)
        if p is None:
            raise where.error(
                f"缺少规则所需参数 {name}", node=raw, field=f"parameters.{name}", code="policy_missing_field"
            )
        node = raw[name]
        if p.kind != kind:
            raise where.error(
                f"参数类型应为 {kind}，实为 {p.kind}",
                node=node,
                key="kind",
                field=f"parameters.{name}.kind",
                code="policy_bad_kind",
            )
        declared = {d: set(v) for d, v in p.dims}
        if declared != {d: set(v) for d, v in dims.items()}:
            want = "；".join(f"{d}: {'/'.join(v)}" for d, v in dims.items()) or "无维度"
            raise where.error(
                f"参数维度应为 {want}",
                node=node,
                key="dims",
                field=f"parameters.{name}.dims",
                code="policy_bad_dims",
            )
    return out


_SERVICE_FIELDS = (
    "code",
    "name",
    "category",
    "owner_unit",
    "basis",
    "limit_days",
    "documents",
    "exclusive_with",
    "review_months",
    "needs_verification",
    "formula",
)


def _load_services(doc, where: Where, unit_codes: set[str]) -> list[ServiceSpec]:
    raw = where.require(doc, "services", "", list)
    specs, nodes = [], {}
    for i, node in enumerate(raw):
        f = f"services[{i}]"
        if not isinstance(node, dict):
            raise where.error("应为映射（code/name/category…）", node=raw, field=f, code="policy_wrong_type")
        for key in _SERVICE_FIELDS:
            where.require(node, key, f)
        unknown = [k for k in node if k not in (*_SERVICE_FIELDS, "description")]
        if unknown:
            raise where.error(
                f"未知字段 {unknown[0]}",
                node=node,
                key=unknown[0],
                field=f"{f}.{unknown[0]}",
                code="policy_unknown_field",
            )
        code = where.require(node, "code", f, str)
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise where.error("事项代码应为小写字母、数字和下划线", node=node, key="code", field=f"{f}.code")
        if code in nodes:
            raise where.error(
                f"事项代码 {code} 重复",
                node=node,
                key="code",
                field=f"{f}.code",
                code="policy_duplicate_code",
            )
        nodes[code] = (node, f)
        category = where.require(node, "category", f, str)
        if category not in CATEGORIES:
            raise where.error(
                f"类别应为 {'/'.join(CATEGORIES)} 之一，实为 {category!r}",
                node=node,
                key="category",
                field=f"{f}.category",
                code="policy_bad_category",
            )
        owner = where.require(node, "owner_unit", f, str)
        if owner not in unit_codes:
            raise where.error(
                f"承办单位 {owner} 不在 units 中",
                node=node,
                key="owner_unit",
                field=f"{f}.owner_unit",
                code="policy_unknown_unit",
            )
        basis = where.require(node, "basis", f, str)
        if not BASIS_RE.match(basis):
            raise where.error(
                f"政策依据应写作“简称 第X条”（如“社会救助暂行办法 第九条”），实为 {basis!r}",
                node=node,
                key="basis",
                field=f"{f}.basis",
                code="policy_bad_basis",
            )
        limit = where.require(node, "limit_days", f, int)
        if isinstance(limit, bool) or limit <= 0:
            raise where.error(
                "办理时限应为正整数（工作日）",
                node=node,
                key="limit_days",
                field=f"{f}.limit_days",
                code="policy_not_an_integer",
            )
        documents = where.require(node, "documents", f, list)
        if not all(isinstance(d, str) and d.strip() for d in documents):
            raise where.error(
                "申请材料应为非空文字列表",
                node=node,
                key="documents",
                field=f"{f}.documents",
                code="policy_wrong_type",
            )
        exclusive = where.require(node, "exclusive_with", f, list)
        if not all(isinstance(x, str) for x in exclusive):
            raise where.error(
                "应为事项代码列表",
                node=node,
                key="exclusive_with",
                field=f"{f}.exclusive_with",
                code="policy_wrong_type",
            )
        review = node["review_months"]
        if review in ("none", None):
            review = None
        elif isinstance(review, bool) or not isinstance(review, int) or review <= 0:
            raise where.error(
                "复核周期应为正整数（月）或 none",
                node=node,
                key="review_months",
                field=f"{f}.review_months",
                code="policy_not_an_integer",
            )
        verification = where.require(node, "needs_verification", f, bool)
        formula = where.require(node, "formula", f, str)
        if formula not in FORMULAS:
            raise where.error(
                f"未知的待遇公式 {formula!r}（可用：{', '.join(FORMULAS)}）",
                node=node,
                key="formula",
                field=f"{f}.formula",
                code="policy_unknown_formula",
            )
        specs.append(
            ServiceSpec(
                code=code,
                name=where.require(node, "name", f, str),
                category=category,
                owner_unit=owner,
                basis=basis,
                limit_days=limit,
                documents=tuple(documents),
                exclusive_with=tuple(exclusive),
                review_months=review,
                needs_verification=verification,
                formula=formula,
                description=str(node.get("description", "")),
            )
        )
    # exclusive_with: every code must exist; the relation is made symmetric.
    pairs: dict[str, set[str]] = {s.code: set() for s in specs}
    for s in specs:
        node, f = nodes[s.code]
        for j, other in enumerate(s.exclusive_with):
            if other not in pairs:
                raise where.error(
                    f"互斥事项 {other} 不在 services 中",
                    node=node,
                    key="exclusive_with",
                    field=f"{f}.exclusive_with[{j}]",
                    code="policy_unknown_service",
                )
            if other == s.code:
                raise where.error(
                    "事项不能与自身互斥", node=node, key="exclusive_with", field=f"{f}.exclusive_with[{j}]"
                )
            pairs[s.code].add(other)
            pairs[other].add(s.code)
    order = {s.code: i for i, s in enumerate(specs)}
    return [
        ServiceSpec(**{**s.__dict__, "exclusive_with": tuple(sorted(pairs[s.code], key=order.__getitem__))})
        for s in specs
    ]


def load_policy(path: Path | str) -> Policy:
    where = Where(path)
    doc = load_yaml(path)
    if not isinstance(doc, dict):
        raise where.error("政策文件顶层应为映射", field="")
    c = where.require(doc, "city", "", dict)
    city = City(
        name=where.require(c, "name", "city", str),
        division_code=str(where.require(c, "division_code", "city")),
        lead_unit=where.require(c, "lead_unit", "city", str),
    )
    units = _load_units(doc, where)
    unit_codes = {u.code for u in units}
    if city.lead_unit not in unit_codes:
        raise where.error(
            f"牵头单位 {city.lead_unit} 不在 units 中", node=c, key="lead_unit", field="city.lead_unit"
        )
    services = _load_services(doc, where, unit_codes)
    parameters = _load_parameters(doc, where)
    return Policy(
        path=str(path),
        city=city,
        units=units,
        extra={k: v for k, v in doc.items() if k not in ("city", "units", "services", "parameters")},
        services=services,
        parameters=parameters,
    )
