"""Reads of screening: alert lists (masked per role), figures for the page and charts, the
KPI selector for performance, the household's chain entries."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db.models import Count, Q, QuerySet

from jiuzhu.common import clock, labels, scope
from jiuzhu.common.masking import present
from jiuzhu.registry.models import Unit, User

from .models import Alert, AlertKind, DepartmentList, ScreeningRun
from .rules import RULES

KIND_NAMES = dict(AlertKind.choices)
RULE_NAMES = {
    "exclusive_services": "不得同时享受的事项同时享受",
    "two_towns": "两个镇街同时发放",
    "same_need_two_units": "同一需求两个单位救助",
    "same_service_twice": "同一事项重复享受",
    "temporary_same_cause": "临时救助同一事由12个月内重复",
    "registered_twice": "重复登记",
    "paid_after_death": "死亡后仍发放",
    "charity_covers_paid_cost": "慈善资金与政府救助重复",
    "charity_same_need_twice": "慈善资金同一需求重复",
    "listed_not_receiving": "部门名单人员应保未保",
    "relative_unregistered": "近亲属享受未备案",
    "staff_household_undeclared": "工作人员同户亲属享受未申报",
    "amount_not_rule": "待遇金额与规则不符且未经签批",
    "similar_households_amounts": "相似家庭金额悬殊",
    "town_amounts_off_norm": "镇街金额偏离全市",
    "approver_rate_off_norm": "审批批准率偏离全市",
    "town_coverage_off_norm": "镇街覆盖率偏离全市",
}


def _word(value) -> str:
    """An evidence value as people read it: a code (a service, a town) by its label."""
    text = str(value)
    if CODE_RE.fullmatch(text):
        return labels.label("evidence", text)
    return INNER_CODE_RE.sub(lambda m: labels.label("evidence", m.group(0)), text)


CODE_RE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
INNER_CODE_RE = re.compile(r"(?<![A-Za-z0-9_])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![A-Za-z0-9_])")
EVIDENCE_LABELS = {
    "records": "记录",
    "names": "姓名",
    "persons": "人员编号",
    "entitlements": "待遇编号",
    "overlap": "重叠期间",
    "cause": "事由",
    "died_on": "死亡日期",
    "death_source": "死亡信息来源",
    "months_after_death": "死亡后发放月数",
    "status": "规则测算结果",
    "reason": "理由",
    "pc_income": "人均月收入（元）",
    "standard": "低保标准（元）",
    "action": "建议",
    "declarant": "申报人",
    "match": "比对方式",
    "note": "说明",
    "group_median": "同类家庭中位数（元，低保为金额加自身收入）",
    "expected": "按同类家庭应约（元）",
    "group_size": "同类家庭数",
    "town_mean": "镇街保障水平（元）",
    "city_mean": "全市保障水平（元）",
    "households": "户数",
    "rate": "批准率（%）",
    "city_rate": "全市批准率（%）",
    "decisions": "审批件数",
    "coverage_pct": "覆盖率（%）",
    "city_pct": "全市覆盖率（%）",
    "receiving": "在保户数",
    "estimated_low_income": "测算低收入户数",
    "evaluated": "抽样测算户数",
}
ID_RUN = re.compile(r"\d{14}[\dXx]{1,4}")


def _unit_code(unit) -> str | None:
    if unit is None:
        return None
    return unit if isinstance(unit, str) else unit.code


def alerts_for(user: User, *, kind: str = "", status: str = "", unit: str = "") -> QuerySet[Alert]:
    """Alerts the user may see: city-wide roles all of them, others their unit's."""
    qs = Alert.objects.select_related("unit", "household", "person")
    if scope.scope_of(user, "screening.read") != scope.CITY:
        qs = qs.filter(unit=getattr(user, "unit_id", None))
    if kind:
        qs = qs.filter(kind=kind)
    if status:
        qs = qs.filter(status=status)
    if unit:
        qs = qs.filter(unit__code=unit)
    return qs.order_by("status", "due_on", "-severity", "id")


def mask_text(text: str, role: str) -> str:
    return ID_RUN.sub(lambda m: present("id_number", m.group(0), role), text)


def evidence_view(evidence: dict, role: str) -> dict:
    """The evidence as ``role`` may see it: ID numbers and names masked by the shared rules."""
    out: dict[str, Any] = {}
    for key, value in evidence.items():
        if key == "names":
            out[key] = [present("name", v, role) for v in value or []]
        elif key == "declarant":
            out[key] = present("name", value, role) if value else value
        elif isinstance(value, list):
            out[key] = [mask_text(v, role) if isinstance(v, str) else v for v in value]
        elif isinstance(value, str):
            out[key] = mask_text(value, role)
        else:
            out[key] = value
    return out


def alert_view(alert: Alert, role: str, *, today: date | None = None) -> dict:
    today = today or clock.today()
    person = alert.person
    return {
        "id": alert.pk,
        "kind": alert.kind,
        "kind_name": KIND_NAMES[alert.kind],
        "rule": alert.rule,
        "rule_name": RULE_NAMES.get(alert.rule, alert.rule),
        "rule_text": RULES.get(alert.rule, ("", ""))[1],
        "severity": alert.severity,
        "severity_name": alert.get_severity_display(),
        "unit": alert.unit.name,
        "unit_code": alert.unit.code,
        "household": alert.household.code if alert.household is not None else None,
        "person": present("name", person.name, role) if person else None,
        "person_id_number": present("id_number", person.id_number, role) if person else None,
        "raised_on": alert.raised_on,
        "due_on": alert.due_on,
        "overdue": alert.status == Alert.OPEN and alert.due_on < today,
        "status": alert.status,
        "status_name": alert.get_status_display(),
        "action": alert.get_action_display() if alert.action else "",
        "resolved_on": alert.resolved_on,
        "resolution_note": alert.resolution_note,
        "summary": mask_text(alert.summary, role),
        "evidence": evidence_view(alert.evidence, role),
        "evidence_items": [
            (EVIDENCE_LABELS.get(k, k), [_word(x) for x in v] if isinstance(v, list) else [_word(v)])
            for k, v in evidence_view(alert.evidence, role).items()
            if k != "rule" and v not in (None, "", [])
        ],
    }


def overview(qs: QuerySet[Alert], *, today: date | None = None) -> dict:
    """Counts for the page's charts: by kind and status, by rule, by unit (open), overdue."""
    today = today or clock.today()
    by_kind = {k: {"open": 0, "confirmed": 0, "false_positive": 0} for k in KIND_NAMES}
    for row in qs.values("kind", "status").annotate(n=Count("id")).order_by():
        by_kind[row["kind"]][row["status"]] = row["n"]
    by_rule = [
        (RULE_NAMES.get(r["rule"], r["rule"]), r["n"])
        for r in qs.values("rule").annotate(n=Count("id")).order_by("-n", "rule")
    ]
    by_unit = [
        (r["unit__name"], r["n"], r["late"])
        for r in qs.filter(status=Alert.OPEN)
        .values("unit__name")
        .annotate(n=Count("id"), late=Count("id", filter=Q(due_on__lt=today)))
        .order_by("-n", "unit__name")[:15]
    ]
    return {
        "by_kind": [(KIND_NAMES[k], v) for k, v in by_kind.items()],
        "by_rule": by_rule,
        "by_unit": by_unit,
        "overdue": qs.filter(status=Alert.OPEN, due_on__lt=today).count(),
        "open": qs.filter(status=Alert.OPEN).count(),
        "total": qs.count(),
    }


def last_run() -> ScreeningRun | None:
    return ScreeningRun.objects.order_by("-started_at", "-id").first()


def department_lists(user: User) -> QuerySet[DepartmentList]:
    qs = DepartmentList.objects.select_related("unit").annotate(n=Count("rows"))
    if scope.scope_of(user, "screening.read") != scope.CITY:
        qs = qs.filter(unit=getattr(user, "unit_id", None))
    return qs.order_by("-uploaded_at")[:50]


def kpi_alerts(*, start: date, end: date, unit=None) -> dict:
    """Screening figures for ``start``–``end`` (inclusive), for the unit that must act (a Unit
    or its code) or the whole city. Flat dict of ints:

    - ``alerts_raised``: alerts raised in the period; ``alerts_raised_<kind>`` per kind
      (duplicate, omission, unfairness)
    - ``alerts_resolved``: alerts resolved in the period (confirmed or false positive);
      ``alerts_resolved_<kind>`` per kind
    - ``alerts_confirmed``: of those, confirmed; ``alerts_false_positive``: dismissed
    - ``alerts_resolved_on_time``: resolved in the period on or before their due date
    - ``alerts_overdue``: open at ``end`` and past their due date; ``alerts_overdue_<kind>``
    - ``alerts_open``: open at ``end`` (raised by then, not resolved by then)
    """
    qs = Alert.objects.all()
    code = _unit_code(unit)
    if code:
        qs = qs.filter(unit__code=code)
    raised = qs.filter(raised_on__gte=start, raised_on__lte=end)
    resolved = qs.filter(resolved_on__gte=start, resolved_on__lte=end)
    open_at_end = qs.filter(raised_on__lte=end).filter(Q(resolved_on__isnull=True) | Q(resolved_on__gt=end))
    overdue = open_at_end.filter(due_on__lt=end)
    out = {
        "alerts_raised": raised.count(),
        "alerts_resolved": resolved.count(),
        "alerts_confirmed": resolved.filter(status=Alert.CONFIRMED).count(),
        "alerts_false_positive": resolved.filter(status=Alert.FALSE_POSITIVE).count(),
        "alerts_resolved_on_time": sum(
            1 for r, d in resolved.values_list("resolved_on", "due_on") if r is not None and r <= d
        ),
        "alerts_overdue": overdue.count(),
        "alerts_open": open_at_end.count(),
    }
    for name, q in (("raised", raised), ("resolved", resolved), ("overdue", overdue)):
        counts = dict(q.values_list("kind").annotate(n=Count("id")).order_by())
        for kind in KIND_NAMES:
            out[f"alerts_{name}_{kind}"] = counts.get(kind, 0)
    return out


def chain_entries(*, household, role: str):
    """The household's alerts on its assistance chain (see ``jiuzhu.registry.chain``)."""
    from django.urls import reverse

    from jiuzhu.registry.chain import ChainEntry

    for a in (
        Alert.objects.filter(household=household).select_related("unit").order_by("-raised_on", "-id")[:100]
    ):
        state = a.get_status_display()
        if a.status != Alert.OPEN:
            state += f"（{a.resolved_on}）"
        yield ChainEntry(
            at=a.raised_on,
            area="查重查漏",
            title=f"{KIND_NAMES[a.kind]}预警：{RULE_NAMES.get(a.rule, a.rule)}",
            detail=f"{mask_text(a.summary, role)}；{state}",
            unit=a.unit.name,
            url=reverse("screening:alert", args=[a.pk]),
        )


def units_with_alerts() -> list[Unit]:
    return list(Unit.objects.filter(alerts__isnull=False).distinct().order_by("kind", "sort_order", "code"))


def open_omissions():
    """Open omission alerts (漏保预警) with a household or a person (charity matches help to them)."""
    return Alert.objects.filter(kind=Alert.OMISSION, status=Alert.OPEN).filter(
        Q(household__isnull=False) | Q(person__isnull=False)
    )


def _chain_alert(actor: User, household, pk):
    return alerts_for(actor).filter(pk=pk).exists()


# registry.chain: a link to an alert is kept only when the reader's alert list holds it
CHAIN_LINKS = {"screening:alert": _chain_alert}
