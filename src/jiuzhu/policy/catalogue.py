"""The city's policy file: units, programme catalogue (services) and dated parameters.

``load_policy(path)`` validates the whole file and raises ``PolicyFileError`` naming file,
line and field on the first problem. Pure: no Django import. Format: docs/policy-file.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from . import needs
from .parameters import Parameter, UnknownParameter
from .schema import (  # noqa: F401  (re-exported: the catalogue's vocabulary)
    CATEGORIES,
    DECISION_CATEGORIES,
    FORMULAS,
    REQUIRED_PARAMETERS,
    ServiceSpec,
    UnknownService,
)
from .sections import load_parameters, load_services
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

    def decision_services(self) -> list[ServiceSpec]:
        """The services answered by a decision (``ServiceSpec.by_decision``)."""
        return [s for s in self.services if s.by_decision]

    def by_decision(self, code: str) -> bool:
        """Whether service ``code`` is answered by a decision (False for a code not in the file)."""
        return any(s.code == code for s in self.decision_services())

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
    services = load_services(doc, where, unit_codes)
    parameters = load_parameters(doc, where)
    needs.check_services(
        where, doc["parameters"][needs.PARAM], parameters[needs.PARAM], [s.code for s in services]
    )
    return Policy(
        path=str(path),
        city=city,
        units=units,
        extra={k: v for k, v in doc.items() if k not in ("city", "units", "services", "parameters")},
        services=services,
        parameters=parameters,
    )
