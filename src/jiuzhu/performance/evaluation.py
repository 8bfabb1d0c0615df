"""Performance evaluation (绩效评价): a unit's score for a period on 100 points, from the
indicator groups declared under ``evaluation:`` in the policy file, plus the evaluator's manual
items, less confirmed misconduct found by supervision."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from jiuzhu.registry.models import Unit

from .models import ManualItem

GRADE_LABELS = {"excellent": "优秀", "good": "良好", "pass": "合格", "fail": "不合格"}
D = Decimal


def config(policy=None) -> dict:
    if policy is None:
        from jiuzhu.policy.selectors import current_policy

        policy = current_policy()
    return policy.extra.get("evaluation") or {
        "grades": {"excellent": 90, "good": 80, "pass": 60},
        "groups": [],
    }


def manual_indicators(policy=None) -> dict[str, dict]:
    return {i["code"]: i for g in config(policy)["groups"] for i in g["indicators"] if i.get("manual")}


def grade(score: Decimal, policy=None) -> str:
    bands = config(policy)["grades"]
    for key in ("excellent", "good", "pass"):
        if score >= D(str(bands[key])):
            return key
    return "fail"


def indicator_points(spec: dict, value) -> tuple[Decimal, str]:
    """Points earned by a KPI value (None: nothing to measure, full points)."""
    full = D(str(spec["points"]))
    if value is None:
        return full, "本期无适用业务，按满分计"
    v = D(str(value))
    for t in spec.get("thresholds", []):
        if ("min" in t and v >= D(str(t["min"]))) or ("max" in t and v <= D(str(t["max"]))):
            return (full * D(str(t["share"]))).quantize(D("0.01")), ""
    return D("0.00"), "未达最低档"


@dataclass
class Line:
    group: str
    code: str
    name: str
    value: object
    max_points: Decimal
    points: Decimal
    note: str = ""


@dataclass
class Evaluation:
    unit: Unit
    start: date
    end: date
    lines: list[Line] = field(default_factory=list)
    deductions: list[dict] = field(default_factory=list)
    groups: list[dict] = field(default_factory=list)
    score: Decimal = D("0")
    grade: str = "fail"

    @property
    def grade_label(self) -> str:
        return GRADE_LABELS[self.grade]

    @property
    def deducted(self) -> Decimal:
        return sum((D(str(x["points"])) for x in self.deductions), D("0"))


# Misconduct found by supervision (above performance) is deducted from a unit's score; supervision
# hands its reader in at start-up (SupervisionConfig.ready) so performance imports nothing above it.
MISCONDUCT_READERS: list = []


def register_misconduct(reader) -> None:
    """``reader(*, unit, start, end)`` lists the unit's deductions (``{"points", ...}`` each)."""
    if reader not in MISCONDUCT_READERS:
        MISCONDUCT_READERS.append(reader)


def misconduct(*, unit, start: date, end: date) -> list[dict]:
    return [d for read in MISCONDUCT_READERS for d in read(unit=unit, start=start, end=end)]


def evaluate(*, unit, start: date, end: date, indicators: dict, policy=None, deductions=None) -> Evaluation:
    """Score from the KPI ``indicators`` (code -> value), the latest manual item per manual
    indicator, and ``deductions`` (misconduct; read from supervision when None)."""
    cfg = config(policy)
    manual = {}
    for m in ManualItem.objects.filter(unit=unit, start=start, end=end).order_by("entered_at", "id"):
        manual[m.indicator] = m
    ev = Evaluation(unit=unit, start=start, end=end)
    total = D("0")
    for g in cfg["groups"]:
        got = D("0")
        for spec in g["indicators"]:
            if spec.get("manual"):
                item = manual.get(spec["code"])
                pts = item.points if item else D("0.00")
                note = f"佐证：{item.evidence}" if item else "尚未评定"
                line = Line(
                    g["name"],
                    spec["code"],
                    spec["name"],
                    pts if item else None,
                    D(str(spec["points"])),
                    pts,
                    note,
                )
            else:
                value = indicators.get(spec["kpi"])
                pts, note = indicator_points(spec, value)
                line = Line(g["name"], spec["code"], spec["name"], value, D(str(spec["points"])), pts, note)
            ev.lines.append(line)
            got += line.points
        ev.groups.append({"code": g["code"], "name": g["name"], "weight": g["weight"], "points": got})
        total += got
    ev.deductions = list(misconduct(unit=unit, start=start, end=end) if deductions is None else deductions)
    score = total - ev.deducted
    ev.score = min(D("100"), max(D("0"), score)).quantize(D("0.01"))
    ev.grade = grade(ev.score, policy)
    return ev
