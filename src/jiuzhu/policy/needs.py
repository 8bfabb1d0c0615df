"""What each service pays for: the policy file's table ``services.need`` (a dated table
parameter). Screening compares needs, not service codes: "the same need paid by two units"
and "charity cash for a cost the government paid" find a case whatever the services are
called. Pure: no Django import.

The table: ``needs`` (need code -> Chinese label) and ``services`` (every service code of the
catalogue -> one need code)."""

from __future__ import annotations

from datetime import date
from typing import Any

from .yamlload import Where

PARAM = "services.need"


def check_table(where: Where, node, field: str, value) -> None:
    """The shape of one dated value: two mappings, every service's need declared with a label."""
    if not isinstance(value, dict) or set(value) != {"needs", "services"}:
        raise where.error(
            "应为映射 {needs: {需求代码: 名称}, services: {事项代码: 需求代码}}",
            node=node,
            key="value",
            field=field,
            code="policy_wrong_type",
        )
    needs, services = value["needs"], value["services"]
    for key, table in (("needs", needs), ("services", services)):
        if (
            not isinstance(table, dict)
            or not table
            or not all(isinstance(k, str) and isinstance(v, str) and v.strip() for k, v in table.items())
        ):
            raise where.error(
                "应为非空的“代码: 文字”映射",
                node=value,
                key=key,
                field=f"{field}.{key}",
                code="policy_wrong_type",
            )
    for service, need in services.items():
        if need not in needs:
            raise where.error(
                f"事项 {service} 的需求 {need} 不在 needs 中",
                node=services,
                key=service,
                field=f"{field}.services.{service}",
                code="policy_unknown_need",
            )


def check_services(where: Where, node, parameter, service_codes: list[str]) -> None:
    """Every dated value maps exactly the catalogue's services (none left out, none unknown)."""
    for i, dated in enumerate(parameter.values):
        mapped = set(dated.value["services"])
        missing = [c for c in service_codes if c not in mapped]
        unknown = sorted(mapped - set(service_codes))
        field = f"parameters.{PARAM}.values[{i}].value.services"
        if missing:
            raise where.error(
                f"事项 {missing[0]} 未声明所保障的需求", node=node, field=field, code="policy_missing_field"
            )
        if unknown:
            raise where.error(
                f"事项 {unknown[0]} 不在 services 中", node=node, field=field, code="policy_unknown_service"
            )


def service_needs(policy: Any, on: date) -> dict[str, str]:
    """Service code -> need code in force ``on``."""
    return dict(policy.param(PARAM, on)["services"])


def need_labels(policy: Any, on: date) -> dict[str, str]:
    """Need code -> Chinese label in force ``on``."""
    return dict(policy.param(PARAM, on)["needs"])
