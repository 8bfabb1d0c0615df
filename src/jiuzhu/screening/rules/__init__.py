"""Screening rules: each takes the prepared frames (``engine.Prepared``) and returns candidate
alerts in the shape of ``ALERT_SCHEMA``. Pure: polars only."""

from __future__ import annotations

import json
from typing import Any

import polars as pl

ALERT_SCHEMA = {
    "kind": pl.String,
    "rule": pl.String,
    "severity": pl.String,
    "unit": pl.String,
    "household_id": pl.Int64,
    "person_id": pl.Int64,
    "fingerprint": pl.String,
    "summary": pl.String,
    "evidence": pl.String,
}

# Each rule's text, stored with its alerts (the evidence says which rule and why).
RULES = {
    "exclusive_services": (
        "duplicate",
        "同一人同时享受政策目录规定不得同时享受的救助事项（如特困供养与低保）",
    ),
    "two_towns": ("duplicate", "同一人同时在两个镇街享受同一救助事项"),
    "same_need_two_units": (
        "duplicate",
        "同一需求由两个单位同时给予救助（按政策文件中事项所保障的需求比对）",
    ),
    "same_service_twice": ("duplicate", "同一人同一救助事项重复享受"),
    "temporary_same_cause": ("duplicate", "临时救助同一事由12个月内重复给予（同一家庭）"),
    "registered_twice": ("duplicate", "同一人在系统中重复登记（证件号码升位、录入错误或姓名异写）"),
    "paid_after_death": ("duplicate", "人员死亡后仍在享受救助待遇"),
    "charity_covers_paid_cost": (
        "duplicate",
        "同一家庭同一需求、同一时段，慈善资金与政府救助合计超过该费用（重复保障，不论先后）",
    ),
    "charity_same_need_twice": ("duplicate", "同一合作方在其周期内对同一需求重复给予慈善资金"),
    "listed_not_receiving": (
        "omission",
        "部门名单中的人员，其家庭按政策规则测算符合条件或属低收入人口，但未享受任何救助（主动发现）",
    ),
    "amount_not_rule": ("unfairness", "救助待遇金额与政策规则测算金额不符，且无第二人签批的书面理由"),
    "relative_unregistered": ("unfairness", "工作人员、村（居）委会成员或干部近亲属享受救助，但未单独备案"),
    "staff_household_undeclared": (
        "unfairness",
        "工作人员同户家庭成员享受其所在单位（镇街）的救助，但未申报近亲属、未单独备案",
    ),
    "similar_households_amounts": (
        "unfairness",
        "条件相近的家庭（同人数、同城乡、同收入档）救助金额差异悬殊",
    ),
    "town_amounts_off_norm": ("unfairness", "某镇街某救助事项的户均金额明显偏离全市水平"),
    "approver_rate_off_norm": ("unfairness", "某审批人或单位的批准率明显偏离全市水平"),
    "town_coverage_off_norm": ("unfairness", "某镇街低收入人口救助覆盖率明显偏离全市水平"),
}


def rule_text(rule: str) -> str:
    return RULES[rule][1]


def yuan(cents_col: str) -> pl.Expr:
    """Cents → "1234.50" (text, so evidence never holds a float)."""
    c = pl.col(cents_col)
    a = c.abs()
    sign = pl.when(c < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    return (
        pl.when(c.is_null())
        .then(None)
        .otherwise(sign + (a // 100).cast(pl.String) + "." + (a % 100).cast(pl.String).str.zfill(2))
    )


def shape(
    df: pl.DataFrame,
    *,
    rule: str,
    severity: pl.Expr | str,
    unit: pl.Expr,
    household: pl.Expr,
    person: pl.Expr,
    key: pl.Expr,
    summary: pl.Expr,
    evidence: dict[str, pl.Expr],
) -> pl.DataFrame:
    """Candidate alerts in ``ALERT_SCHEMA``: ``fingerprint`` is ``rule:key`` (stable across
    runs: a dismissed fingerprint is never raised again)."""
    kind = RULES[rule][0]
    if df.height == 0:
        return pl.DataFrame(schema=ALERT_SCHEMA)
    sev = pl.lit(severity) if isinstance(severity, str) else severity
    # Any: the checker would otherwise take a field named like struct's own keywords for them
    fields: dict[str, Any] = {"rule": pl.lit(rule_text(rule)), **evidence}
    ev = pl.struct(**fields).struct.json_encode()
    return df.select(
        pl.lit(kind).alias("kind"),
        pl.lit(rule).alias("rule"),
        sev.cast(pl.String).alias("severity"),
        unit.cast(pl.String).alias("unit"),
        household.cast(pl.Int64).alias("household_id"),
        person.cast(pl.Int64).alias("person_id"),
        (pl.lit(rule + ":") + key.cast(pl.String)).alias("fingerprint"),
        summary.cast(pl.String).alias("summary"),
        ev.alias("evidence"),
    ).unique("fingerprint", keep="first", maintain_order=True)


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=ALERT_SCHEMA)


def evidence_of(row: dict) -> dict:
    return json.loads(row["evidence"]) if row.get("evidence") else {}
