"""Validation of the ``services:`` and ``parameters:`` sections of a policy file; each error
names file, line and field (``yamlload.Where``). Pure: no Django import."""

from __future__ import annotations

import re
from decimal import Decimal

from . import needs
from .parameters import Parameter, load_parameter
from .schema import BASIS_RE, CATEGORIES, FORMULAS, REQUIRED_PARAMETERS, ServiceSpec
from .yamlload import Where


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


TABLE_CHECKS = {
    "evaluation.indicator_groups": _check_weights,
    "evaluation.grade_bands": _check_bands,
    needs.PARAM: needs.check_table,
}


def load_parameters(doc, where: Where) -> dict[str, Parameter]:
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


def load_services(doc, where: Where, unit_codes: set[str]) -> list[ServiceSpec]:
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
