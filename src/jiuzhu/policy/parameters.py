"""Dated parameters of the policy file (OpenFisca-style: a value holds *from* a date until the
next one). Every figure DOMAIN §3 marks *(demo)* lives here, never in code.

File shape (see docs/policy-file.md)::

    parameters:
      dibao.standard:
        name: 最低生活保障标准
        kind: amount
        unit: 元/人·月
        dims: {area: [urban, rural]}
        basis: 社会救助暂行办法 第十条
        values:
          - {effective_from: 2025-01-01, value: {urban: 900, rural: 760}}
          - {effective_from: 2026-01-01, value: {urban: 950, rural: 800}}

Pure: no Django import.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from jiuzhu.common.errors import JiuzhuError

from .yamlload import Where


class ParamKind(StrEnum):
    """A parameter's ``kind`` in the policy file: what its values must be. A plain enum, not
    Django's choices: the policy package imports no Django."""

    AMOUNT = "amount"
    RATE = "rate"
    NUMBER = "number"
    COUNT = "count"
    DAYS = "days"
    MONTHS = "months"
    FLAG = "flag"
    CHOICE = "choice"
    TABLE = "table"


# kind -> what a value must be
KINDS = {
    ParamKind.AMOUNT: "金额（元）",
    ParamKind.RATE: "比例（0–1 的小数，如 0.2 = 20%）",
    ParamKind.NUMBER: "数值（倍数、面积等）",
    ParamKind.COUNT: "整数（人数、岁数、次数）",
    ParamKind.DAYS: "天数（整数）",
    ParamKind.MONTHS: "月数（整数）",
    ParamKind.FLAG: "开关（true/false）",
    ParamKind.CHOICE: "选项（须为 choices 之一）",
    ParamKind.TABLE: "表（结构见文档）",
}
_DECIMAL_KINDS = (ParamKind.AMOUNT, ParamKind.RATE, ParamKind.NUMBER)
_INT_KINDS = (ParamKind.COUNT, ParamKind.DAYS, ParamKind.MONTHS)


class PolicyLookupError(JiuzhuError, LookupError):
    """Asked the policy for something it does not have."""

    code = "policy_lookup"
    status = 404


class UnknownParameter(PolicyLookupError):
    code = "policy_unknown_parameter"


class ParameterNotInForce(PolicyLookupError):
    """The parameter has no value in force on the date asked (before its first
    ``effective_from``)."""

    code = "policy_parameter_not_in_force"


@dataclass(frozen=True)
class DatedValue:
    effective_from: date
    value: Any  # Decimal | int | bool | str, a mapping over the dims, or a table
    line: int | None = None


@dataclass(frozen=True)
class Parameter:
    name: str
    label: str
    kind: str
    unit: str
    dims: tuple[tuple[str, tuple[str, ...]], ...]
    basis: str
    values: tuple[DatedValue, ...]
    choices: tuple[str, ...] = ()
    note: str = ""

    def in_force(self, as_of: date) -> DatedValue:
        as_of = _as_date(as_of)
        found = None
        for v in self.values:
            if v.effective_from <= as_of:
                found = v
        if found is None:
            first = self.values[0].effective_from.isoformat() if self.values else "—"
            raise ParameterNotInForce(
                f"参数 {self.name}（{self.label}）在 {as_of.isoformat()} 没有有效值（最早自 {first} 起施行）",
                field=self.name,
                parameter=self.name,
                as_of=as_of.isoformat(),
            )
        return found

    def at(self, as_of: date, **dims):
        """The value in force on ``as_of``; with dims, the cell they select. Without dims on a
        dimensioned parameter, the whole mapping."""
        value = self.in_force(as_of).value
        if not dims:
            return value
        names = [d for d, _ in self.dims]
        unknown = set(dims) - set(names)
        if unknown:
            raise UnknownParameter(
                f"参数 {self.name} 没有维度 {', '.join(sorted(unknown))}（维度：{', '.join(names) or '无'}）",
                field=self.name,
                parameter=self.name,
            )
        for name, allowed in self.dims:
            if name not in dims:
                raise UnknownParameter(
                    f"参数 {self.name} 须指定维度 {name}（{'/'.join(allowed)}）",
                    field=self.name,
                    parameter=self.name,
                )
            key = dims[name]
            if key not in value:
                raise UnknownParameter(
                    f"参数 {self.name} 的维度 {name} 没有取值 “{key}”（可选：{'/'.join(allowed)}）",
                    field=self.name,
                    parameter=self.name,
                )
            value = value[key]
        return value


def _as_date(value) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return date.fromisoformat(value)
    raise TypeError(f"as_of must be a date, not {type(value).__name__}")


# --- validation -----------------------------------------------------------------------------


def _scalar(where: Where, kind: str, raw, *, node, key, field: str, choices=()):
    """Coerce one leaf value to its kind, or raise naming the field."""
    if kind in _DECIMAL_KINDS:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str | Decimal):
            raise where.error(
                f"应为数值，实为 {raw!r}", node=node, key=key, field=field, code="policy_not_a_number"
            )
        try:
            value = Decimal(str(raw).strip())
        except InvalidOperation:
            raise where.error(
                f"应为数值，实为 {raw!r}", node=node, key=key, field=field, code="policy_not_a_number"
            ) from None
        if not value.is_finite() or value < 0:
            raise where.error("应为非负有限数值", node=node, key=key, field=field, code="policy_not_a_number")
        if kind == ParamKind.RATE and value > 1:
            raise where.error(
                f"比例应在 0 与 1 之间（20% 写作 0.2），实为 {raw}",
                node=node,
                key=key,
                field=field,
                code="policy_bad_rate",
            )
        if kind == ParamKind.AMOUNT and value != value.quantize(Decimal("0.01")):
            raise where.error("金额最多两位小数", node=node, key=key, field=field, code="policy_not_a_number")
        return value
    if kind in _INT_KINDS:
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            raise where.error(
                f"应为非负整数，实为 {raw!r}", node=node, key=key, field=field, code="policy_not_an_integer"
            )
        return raw
    if kind == ParamKind.FLAG:
        if not isinstance(raw, bool):
            raise where.error(
                f"应为 true 或 false，实为 {raw!r}", node=node, key=key, field=field, code="policy_wrong_type"
            )
        return raw
    if kind == ParamKind.CHOICE:
        if raw not in choices:
            raise where.error(
                f"应为 {'/'.join(choices)} 之一，实为 {raw!r}",
                node=node,
                key=key,
                field=field,
                code="policy_bad_choice",
            )
        return raw
    return raw  # table: checked by the parameter's own validator


def _cells(where: Where, param: dict, kind: str, dims, raw, *, node, key, field: str, choices):
    """Validate a (possibly dimensioned) value: nested mappings keyed by each dim's values."""
    if not dims:
        return _scalar(where, kind, raw, node=node, key=key, field=field, choices=choices)
    name, allowed = dims[0]
    if not isinstance(raw, dict):
        raise where.error(
            f"按维度 {name} 取值，应为映射 {{{': …, '.join(allowed)}: …}}",
            node=node,
            key=key,
            field=field,
            code="policy_wrong_type",
        )
    missing = [a for a in allowed if a not in raw]
    extra = [k for k in raw if k not in allowed]
    if missing or extra:
        parts = ([f"缺少 {'/'.join(missing)}"] if missing else []) + (
            [f"多出 {'/'.join(map(str, extra))}"] if extra else []
        )
        raise where.error(
            f"维度 {name} 应恰为 {'/'.join(allowed)}：{'；'.join(parts)}",
            node=raw,
            field=field,
            code="policy_missing_field" if missing else "policy_unknown_field",
        )
    return {
        a: _cells(
            where, param, kind, dims[1:], raw[a], node=raw, key=a, field=f"{field}.{a}", choices=choices
        )
        for a in allowed
    }


def _date(where: Where, node, key, field: str) -> date:
    raw = node.get(key)
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    try:
        return date.fromisoformat(str(raw))
    except (TypeError, ValueError):
        raise where.error(
            f"应为日期 YYYY-MM-DD，实为 {raw!r}", node=node, key=key, field=field, code="policy_bad_date"
        ) from None


def load_parameter(where: Where, name: str, node, *, field: str, table_checks: dict) -> Parameter:
    if not isinstance(node, dict):
        raise where.error(
            "参数应为映射（name/kind/values…）", node=node, field=field, code="policy_wrong_type"
        )
    kind = where.require(node, "kind", field, str)
    if kind not in KINDS:
        raise where.error(
            f"类型应为 {'/'.join(KINDS)} 之一，实为 {kind!r}",
            node=node,
            key="kind",
            field=f"{field}.kind",
            code="policy_bad_kind",
        )
    label = where.require(node, "name", field, str)
    raw_dims = node.get("dims") or {}
    if not isinstance(raw_dims, dict):
        raise where.error(
            "dims 应为映射 {维度: [取值…]}",
            node=node,
            key="dims",
            field=f"{field}.dims",
            code="policy_wrong_type",
        )
    dims = []
    for d, allowed in raw_dims.items():
        if not isinstance(allowed, list) or not allowed or not all(isinstance(a, str) for a in allowed):
            raise where.error(
                "维度取值应为非空字符串列表",
                node=raw_dims,
                key=d,
                field=f"{field}.dims.{d}",
                code="policy_wrong_type",
            )
        dims.append((str(d), tuple(allowed)))
    choices = tuple(node.get("choices") or ())
    if kind == ParamKind.CHOICE and not choices:
        raise where.error(
            "choice 类型须给出 choices", node=node, field=f"{field}.choices", code="policy_missing_field"
        )
    raw_values = where.require(node, "values", field, list)
    if not raw_values:
        raise where.error(
            "至少要有一个取值", node=node, key="values", field=f"{field}.values", code="policy_missing_field"
        )
    values: list[DatedValue] = []
    for i, v in enumerate(raw_values):
        vf = f"{field}.values[{i}]"
        if not isinstance(v, dict):
            raise where.error(
                "应为映射 {effective_from, value}", node=raw_values, field=vf, code="policy_wrong_type"
            )
        where.require(v, "effective_from", vf)
        start = _date(where, v, "effective_from", f"{vf}.effective_from")
        if values and start <= values[-1].effective_from:
            raise where.error(
                f"effective_from 须按日期递增且不重复（{start} 不晚于 {values[-1].effective_from}）",
                node=v,
                key="effective_from",
                field=f"{vf}.effective_from",
                code="policy_bad_date",
            )
        if "value" not in v:
            raise where.error("缺少必填项", node=v, field=f"{vf}.value", code="policy_missing_field")
        value = _cells(
            where,
            node,
            kind,
            tuple(dims),
            v["value"],
            node=v,
            key="value",
            field=f"{vf}.value",
            choices=choices,
        )
        check = table_checks.get(name)
        if check is not None:
            check(where, v, f"{vf}.value", value)
        values.append(DatedValue(start, value, getattr(v, "line", None)))
    return Parameter(
        name=name,
        label=label,
        kind=kind,
        unit=str(node.get("unit", "")),
        dims=tuple(dims),
        basis=str(node.get("basis", "")),
        values=tuple(values),
        choices=choices,
        note=str(node.get("note", "")),
    )
