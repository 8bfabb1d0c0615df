"""Writes of screening: a run keeps its new alerts, alerts are resolved, department lists are
uploaded (validate → report → apply). Each write is one transaction."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import date
from typing import Any

from django.db import transaction

from jiuzhu.common import clock, scope, values
from jiuzhu.common.errors import IllegalTransition, NotFound, ValidationFailed
from jiuzhu.common.selectors import deadline, holiday_table
from jiuzhu.registry.models import StaffRelative, Unit, User

from .models import Alert, AlertAction, DepartmentList, DepartmentListRow, ListKind, ScreeningRun, Severity

DUE_DAYS = {Severity.HIGH: 5, Severity.MEDIUM: 10, Severity.LOW: 20}  # working days to act on an alert


# --- runs ------------------------------------------------------------------------------------
def screening_run(*, policy, as_of: date, actor: User | None = None, progress=None) -> ScreeningRun:
    """Screen everything as of ``as_of`` and keep the alerts not seen before (by fingerprint:
    an open, confirmed or dismissed case is never raised twice). ``progress(stage)`` is called
    between stages. The engine runs outside the transaction; the alerts are written in one."""
    from .engine import screen
    from .frames import read_inputs

    say = progress or (lambda stage: None)
    started = clock.now()
    say("读取数据")
    inputs, cfg = read_inputs(policy=policy, as_of=as_of)
    say("筛查规则")
    found, timings = screen(inputs, cfg)
    say("保存预警")
    words = dict(Unit.objects.values_list("code", "name")) | {s.code: s.name for s in policy.services} | WORDS
    return _keep(
        found,
        inputs,
        as_of=as_of,
        actor=actor,
        started=started,
        timings=timings,
        words=words,
        report=cfg.report,
    )


# Codes the engine writes into summaries and evidence, in the words people read.
WORDS = {
    "urban": "城市",
    "rural": "农村",
    "month": "月",
    "year": "年",
    "once": "次",
    **dict(StaffRelative.Relation.choices),
}


def readable(text: str, words: dict[str, str]) -> str:
    """``text`` with every code (service, area, period, relation) replaced by its name."""
    pattern = re.compile(
        r"(?<![A-Za-z_])("
        + "|".join(sorted(map(re.escape, words), key=len, reverse=True))
        + r")(?![A-Za-z_])"
    )
    return pattern.sub(lambda m: words[m.group(1)], text)


def _readable_evidence(value, words):
    if isinstance(value, str):
        return readable(value, words)
    if isinstance(value, list):
        return [_readable_evidence(v, words) for v in value]
    return value


@transaction.atomic
def _keep(found, inputs, *, as_of, actor: User | None, started, timings, words, report=None) -> ScreeningRun:
    units = dict(Unit.objects.values_list("code", "id"))
    civil = units.get("civil_affairs")
    existing = set(
        Alert.objects.filter(fingerprint__in=found["fingerprint"].to_list()).values_list(
            "fingerprint", flat=True
        )
    )
    table = holiday_table()
    due = {sev: deadline(as_of, n, table).due for sev, n in DUE_DAYS.items()}
    run = ScreeningRun.objects.create(
        as_of=as_of,
        started_at=started,
        started_by=actor if getattr(actor, "pk", None) else None,
        timings=timings,
        inputs={
            "persons": inputs.persons.height,
            "roster_lines": inputs.roster.height,
            "list_rows": 0 if inputs.lists is None else inputs.lists.height,
            "relatives": 0 if inputs.relatives is None else inputs.relatives.height,
            # identity linkage: blocking rules and their pairs, rules tightened or dropped
            "blocking": (report or {}).get("blocking"),
        },
    )
    new: list[Alert] = []
    counts_found: dict[str, int] = {}
    counts_new: dict[str, int] = {}
    for row in found.iter_rows(named=True):
        counts_found[row["kind"]] = counts_found.get(row["kind"], 0) + 1
        if row["fingerprint"] in existing:
            continue
        counts_new[row["kind"]] = counts_new.get(row["kind"], 0) + 1
        new.append(
            Alert(
                kind=row["kind"],
                rule=row["rule"],
                severity=row["severity"],
                # civil affairs is always a unit (registry seed): a row without a known unit goes to it
                unit_id=units.get(row["unit"]) or civil,  # type: ignore[misc]
                household_id=row["household_id"],
                person_id=row["person_id"],
                raised_on=as_of,
                due_on=due[row["severity"]],
                summary=readable(row["summary"], words)[:300],
                evidence={
                    k: (v if k in ("names", "declarant", "status") else _readable_evidence(v, words))
                    for k, v in json.loads(row["evidence"]).items()
                },
                fingerprint=row["fingerprint"],
                run=run,
                last_seen_on=as_of,
            )
        )
    Alert.objects.bulk_create(new, batch_size=1000)
    if existing:
        Alert.objects.filter(fingerprint__in=existing).update(last_seen_on=as_of)
    run.found, run.raised = counts_found, counts_new
    run.finished_at = clock.now()
    run.save(update_fields=["found", "raised", "finished_at"])
    return run


# --- resolving -------------------------------------------------------------------------------
def check_can_resolve(user: User, alert: Alert) -> None:
    """Scope table ``screening.resolve``: the alert's own unit, or city-wide."""
    scope.require(user, "screening.resolve", unit=alert.unit_id)


@transaction.atomic
def alert_resolve(
    *, alert_id: int, actor: User, status: str, action: str = "", note: str = "", on: date | None = None
) -> Alert:
    """Confirm an alert with the action taken (stop / recover / add), or dismiss it as a false
    positive with a reason (remembered: the same case is never raised again). Locks the row."""
    alert = Alert.objects.select_for_update().filter(pk=alert_id).first()
    if alert is None:
        raise NotFound("预警不存在", field="alert", code="alert_not_found")
    check_can_resolve(actor, alert)
    if alert.status != Alert.OPEN:
        raise IllegalTransition("该预警已处理", field="status", code="alert_resolved")
    note = (note or "").strip()
    if status == Alert.CONFIRMED:
        if action not in AlertAction.values:
            raise ValidationFailed(
                "核实属实须选择处理措施（停发、追回或纳入救助）", field="action", code="action_required"
            )
    elif status == Alert.FALSE_POSITIVE:
        if not note:
            raise ValidationFailed("认定误报须写明理由", field="note", code="reason_required")
        action = ""
    else:
        raise ValidationFailed("处理结果只能是“核实属实”或“误报”", field="status", code="bad_status")
    alert.status = status
    alert.action = action
    alert.resolution_note = note
    alert.resolved_on = on or clock.today()
    alert.resolved_by = actor
    alert.save(update_fields=["status", "action", "resolution_note", "resolved_on", "resolved_by"])
    return alert


# --- department lists ------------------------------------------------------------------------
HEADERS = {
    "姓名": "name",
    "name": "name",
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "证件号码": "id_number",
    "id_number": "id_number",
    "出生日期": "birth_date",
    "birth_date": "birth_date",
    "备注": "note",
    "note": "note",
}


def _check_row(rec: dict) -> tuple[dict, list[str]]:
    """One list row through the checks of every form and API (jiuzhu.common.values): the name
    (no control characters, ≤ 50), the ID number (check character, birth date not in the
    future), the birth date (a past date), the note (≤ 200). Validation and apply both run it,
    so a validated list always applies. Returns the clean row and the problems (Chinese)."""
    checks = {
        "name": lambda v: values.text(v, field="name", max_length=50, label="姓名"),
        "id_number": lambda v: values.id_number(
            (v or "").replace(" ", ""), field="id_number", required=False
        ),
        "birth_date": lambda v: values.past_date(v, field="birth_date", required=False, label="出生日期"),
        "note": lambda v: values.text(v, field="note", max_length=200, required=False, label="备注"),
    }
    problems: list[str] = []
    clean: dict[str, Any] = {}
    for key, check in checks.items():
        try:
            clean[key] = check(rec.get(key))
        except ValidationFailed as exc:
            problems.append(exc.message)
    if not (rec.get("id_number") or "").strip() and not (rec.get("birth_date") or "").strip():
        problems.append("身份证号码和出生日期至少填一项")
    birth = clean.get("birth_date")
    return {
        "name": clean.get("name", ""),
        "id_number": clean.get("id_number", ""),
        "birth_date": birth.isoformat() if birth else None,
        "note": clean.get("note", ""),
    }, problems


def _read_table(filename: str, content: bytes) -> list[list[str]]:
    if filename.lower().endswith((".xlsx", ".xlsm")):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise ValidationFailed("无法读取Excel文件", field="file", code="unreadable_file") from exc
        out = []
        for row in wb.active.iter_rows(values_only=True):
            out.append(
                [
                    "" if v is None else (v.isoformat()[:10] if hasattr(v, "isoformat") else str(v))
                    for v in row
                ]
            )
        return out
    if filename.lower().endswith(".csv"):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = content.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationFailed(
                "CSV文件编码无法识别（请用UTF-8或GB18030）", field="file", code="bad_encoding"
            )
        return [r for r in csv.reader(io.StringIO(text))]
    raise ValidationFailed("只接受CSV或Excel（.xlsx）文件", field="file", code="bad_file_type")


def _parse_rows(table: list[list[str]]) -> tuple[list[dict], list[dict]]:
    if not table:
        raise ValidationFailed("文件为空", field="file", code="empty_file")
    cols = [HEADERS.get(str(h).strip(), HEADERS.get(str(h).strip().lower())) for h in table[0]]
    if "name" not in cols or ("id_number" not in cols and "birth_date" not in cols):
        raise ValidationFailed(
            "表头须包含“姓名”，以及“身份证号码”或“出生日期”", field="file", code="missing_columns"
        )
    valid, invalid = [], []
    for i, raw in enumerate(table[1:], start=2):
        if not any(str(v).strip() for v in raw):
            continue
        rec = {c: str(v) for c, v in zip(cols, raw, strict=False) if c}
        clean, problems = _check_row(rec)
        if problems:
            # NUL shown as text: PostgreSQL's jsonb cannot hold it, the officer must see it
            shown = [str(v)[:60].replace("\x00", "\\x00") for v in raw[:6]]
            invalid.append({"row": i, "problems": problems, "values": shown})
        else:
            valid.append({"row_no": i, **clean})
    return valid, invalid


def department_list_check(*, kind: str, actor: User, unit: Unit | None = None) -> Unit:
    """What an upload of a list needs before its file is read (the request checks it before
    queueing the file; the validation checks it again): a known kind, the actor's own unit."""
    scope.require(actor, "screening.upload_list")
    if kind not in ListKind.values:
        raise ValidationFailed(f"未知的名单类型：{kind}", field="kind", code="unknown_list_kind")
    unit = unit or getattr(actor, "unit", None)
    if unit is None:
        raise ValidationFailed("未指定提供单位", field="unit", code="unit_required")
    scope.require(actor, "screening.upload_list", unit=unit)  # a department uploads its own lists only
    return unit


@transaction.atomic
def department_list_validate(
    *, kind: str, filename: str, content: bytes, actor, unit: Unit | None = None
) -> DepartmentList:
    """Check an uploaded list and keep it, unapplied, with its invalid-rows report."""
    unit = department_list_check(kind=kind, actor=actor, unit=unit)
    valid, invalid = _parse_rows(_read_table(filename, content))
    return DepartmentList.objects.create(
        kind=kind,
        unit=unit,
        filename=filename[:200],
        uploaded_by=actor,
        rows_total=len(valid) + len(invalid),
        rows_valid=len(valid),
        invalid_rows=invalid,
        staged=valid,
    )


@transaction.atomic
def department_list_apply(*, list_id: int, actor: User) -> DepartmentList:
    """Load a validated list's rows (all or nothing); it replaces the unit's previous list of
    the same kind. A list with invalid rows is refused: correct the file and upload again."""
    dl = DepartmentList.objects.select_for_update().filter(pk=list_id).first()
    if dl is None:
        raise NotFound("名单不存在", field="list", code="list_not_found")
    scope.require(actor, "screening.upload_list", unit=dl.unit_id)
    if dl.state != DepartmentList.VALIDATED:
        raise IllegalTransition("该名单已导入或已被替换", field="list", code="list_not_pending")
    if dl.invalid_rows:
        raise ValidationFailed(
            f"名单有{len(dl.invalid_rows)}行无效，请修改后重新上传", field="file", code="invalid_rows"
        )
    failing = [r["row_no"] for r in dl.staged if _check_row(r)[1]]  # the very checks of validation
    if failing:
        raise ValidationFailed(
            f"名单第{'、'.join(map(str, failing[:10]))}行未通过校验，请修改后重新上传",
            field="file",
            code="invalid_rows",
        )
    DepartmentList.objects.filter(kind=dl.kind, unit=dl.unit, state=DepartmentList.APPLIED).update(
        state=DepartmentList.REPLACED
    )
    DepartmentListRow.objects.bulk_create(
        [
            DepartmentListRow(
                dept_list=dl,
                row_no=r["row_no"],
                name=r["name"],
                id_number=r["id_number"],
                birth_date=date.fromisoformat(r["birth_date"]) if r["birth_date"] else None,
                note=r["note"],
            )
            for r in dl.staged
        ],
        batch_size=2000,
    )
    dl.state = DepartmentList.APPLIED
    dl.applied_at = clock.now()
    dl.staged = []
    dl.save(update_fields=["state", "applied_at", "staged"])
    return dl
