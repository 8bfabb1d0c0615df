"""Validating a caseload file: every cell through the same checks as the forms
(``jiuzhu.common.values`` for each kind of value, ``registry.services.clean_member`` for a
member's facts taken together), then the checks across rows and sheets (one head per
household, members of a household that is in the file, an entitlement's history in order).

Every error is collected — sheet, row, column, a Chinese message and a stable code — so one
report shows them all; a missing column is one error (on the header row), not one per row.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import polars as pl

from jiuzhu.common import values
from jiuzhu.common.errors import JiuzhuError, ValidationFailed
from jiuzhu.registry.models import Person, Unit
from jiuzhu.registry.services import clean_member

from .reading import Workbook
from .sheets import SHEETS, Column, Sheet

MAX_ERRORS_KEPT = 20_000
ACCOUNT_RE = re.compile(r"^\d{12,30}$")  # as payments.services.bank_account_set
TEXT_MAX = {
    "code": 40,
    "community": 100,
    "address": 200,
    "name": 50,
    "serious_illness": 100,
    "note": 200,
    "description": 200,
    "bank_name": 100,
    "holder_name": 50,
    "origin": 100,
}
BOOLS = {
    "是": True,
    "有": True,
    "1": True,
    "true": True,
    "y": True,
    "否": False,
    "无": False,
    "0": False,
    "false": False,
    "n": False,
}


@dataclass
class Validated:
    rows: dict[str, list[dict]] = field(default_factory=dict)  # sheet key -> cleaned rows (with "row")
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, sheet: Sheet, row: int, column: str, message: str, code: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(
                {"sheet": sheet.title, "row": row, "column": column, "message": message, "code": code}
            )


class _Cells:
    """The per-kind checks of one sheet's cells, with the lookups they need."""

    def __init__(self, policy, today: date):
        self.today = today
        self.policy = policy
        towns = list(Unit.objects.filter(kind=Unit.Kind.TOWN))
        self.towns = {u.code: u for u in towns} | {u.name: u for u in towns}
        self.services = {s.code: s for s in policy.services} | {s.name: s for s in policy.services}

    def clean(self, col: Column, raw):
        f, label = col.key, col.header
        blank = raw is None or (isinstance(raw, str) and not raw.strip())
        if blank:
            if col.required:
                raise ValidationFailed(f"{label}不能为空", field=f, code="required")
            return None
        k = col.kind
        if k == "text":
            return values.text(raw, field=f, label=label, max_length=TEXT_MAX.get(f, 100))
        if k == "id":
            return values.id_number(raw, field=f)
        if k == "phone":
            return values.phone(raw, field=f)
        if k == "money":
            return values.money(raw, field=f, label=label)
        if k == "area":
            return values.area(raw, field=f, label=label)
        if k == "date":
            return values.past_date(raw, field=f, label=label)
        if k == "anydate":  # a date to come (the next review)
            return values.parse_date(raw, field=f, label=label)
        if k == "month":
            return values.month(raw, field=f)
        if k == "int":
            text = str(raw).strip()
            if not text.isdigit():
                raise ValidationFailed(f"{label}“{text[:20]}”应为整数", field=f, code="invalid_int")
            return int(text)
        if k == "bool":
            v = BOOLS.get(str(raw).strip().lower())
            if v is None:
                raise ValidationFailed(f"{label}应填“是”或“否”", field=f, code="invalid_bool")
            return v
        if k == "choice":
            text = str(raw).strip()
            for code, name in col.choices:
                if text in (code, name) and (code or text == name):
                    return code
            options = "、".join(name for code, name in col.choices if code)
            raise ValidationFailed(
                f"{label}“{text[:30]}”不是有效取值（可选：{options}）", field=f, code="invalid_choice"
            )
        if k == "town":
            unit = self.towns.get(str(raw).strip())
            if unit is None:
                raise ValidationFailed(f"镇街“{str(raw)[:30]}”不存在", field=f, code="unknown_town")
            return unit.code
        if k == "division":
            text = str(raw).strip()
            if not text.isdigit() or len(text) not in (6, 9, 12):
                raise ValidationFailed(
                    "行政区划代码应为6、9或12位数字", field=f, code="invalid_division_code"
                )
            return text
        if k == "service":
            spec = self.services.get(str(raw).strip())
            if spec is None:
                raise ValidationFailed(
                    f"救助事项“{str(raw)[:40]}”不在本市政策文件中", field=f, code="unknown_service"
                )
            return spec.code
        if k == "account":
            text = re.sub(r"[\s-]", "", str(raw))
            if not ACCOUNT_RE.match(text):
                raise ValidationFailed("银行账号应为12至30位数字", field=f, code="bad_account")
            return text
        raise AssertionError(k)


def validate(wb: Workbook, *, policy, today: date) -> Validated:
    out = Validated()
    cells = _Cells(policy, today)
    for name in wb.unknown:
        out.add(
            SHEETS[0],
            0,
            "",
            f"无法识别“{name}”属于模板的哪一张表，已忽略其内容；请按模板命名",
            "unknown_sheet",
        )
    for sheet in SHEETS:
        table = wb.tables.get(sheet.key)
        if table is None:
            if sheet.required:
                out.add(sheet, 0, "", f"缺少“{sheet.title}”表", "missing_sheet")
            out.rows[sheet.key] = []
            continue
        out.rows[sheet.key] = _sheet_rows(out, sheet, table.frame, table.first_row, cells)
        out.counts[sheet.key] = table.frame.height
    _across(out, cells)
    return out


def _sheet_rows(
    out: Validated, sheet: Sheet, frame: pl.DataFrame, first_row: int, cells: _Cells
) -> list[dict]:
    present = [c for c in sheet.columns if c.header in frame.columns or c.key in frame.columns]
    for c in sheet.columns:
        if c.required and c not in present:
            out.add(sheet, 1, c.header, f"缺少必填列“{c.header}”", "missing_column")
    series = {
        c.key: frame.get_column(c.header if c.header in frame.columns else c.key).to_list() for c in present
    }
    rows = []
    for i in range(frame.height):
        rowno = first_row + i
        raw = {k: v[i] for k, v in series.items()}
        if all(v is None or not str(v).strip() for v in raw.values()):
            continue
        clean: dict = {"row": rowno}
        ok = True
        for c in present:
            try:
                clean[c.key] = cells.clean(c, raw[c.key])
            except JiuzhuError as e:
                out.add(sheet, rowno, c.header, e.message, e.code)
                ok = False
        for c in sheet.columns:
            clean.setdefault(c.key, None)
        if ok and sheet.key == "members":
            ok = _member(out, sheet, clean, cells.today)
        clean["ok"] = ok
        rows.append(clean)
    return rows


def _member(out: Validated, sheet: Sheet, c: dict, today: date) -> bool:
    """The member's facts taken together, exactly as the registry's forms check them."""
    data = {k: v for k, v in c.items() if k not in ("row", "household") and v is not None}
    data.setdefault("has_capable_supporter", True)
    try:
        cleaned = clean_member(data, today=today)
    except JiuzhuError as e:
        col = next((x.header for x in sheet.columns if x.key == e.field), "")
        out.add(sheet, c["row"], col, e.message, e.code)
        return False
    c.update(cleaned)
    return True


def _across(out: Validated, cells: _Cells) -> None:
    from .sheets import ASSETS, BANK_ACCOUNTS, ENTITLEMENTS, HOUSEHOLDS, INCOMES, MEMBERS

    households = out.rows["households"]
    codes: dict[str, dict] = {}
    for h in households:
        if h["code"] is None:
            continue
        if h["code"] in codes:
            out.add(
                HOUSEHOLDS,
                h["row"],
                "家庭编号",
                f"家庭编号 {h['code']} 与第{codes[h['code']]['row']}行重复",
                "duplicate_household",
            )
            h["ok"] = False
        else:
            codes[h["code"]] = h
    members_of: dict[str, list[dict]] = defaultdict(list)
    ids: dict[str, dict] = {}
    for m in out.rows["members"]:
        if m["household"] is not None and m["household"] not in codes:
            out.add(
                MEMBERS,
                m["row"],
                "家庭编号",
                f"家庭编号 {m['household']} 不在“家庭”表中",
                "unknown_household",
            )
            m["ok"] = False
        if m["id_number"] is not None:
            if m["id_number"] in ids:
                out.add(
                    MEMBERS,
                    m["row"],
                    "身份证号码",
                    f"与第{ids[m['id_number']]['row']}行身份证号码相同",
                    "duplicate_id_number",
                )
                m["ok"] = False
                continue
            ids[m["id_number"]] = m
        if m["household"] in codes:
            members_of[m["household"]].append(m)
    for code, h in codes.items():
        mine = members_of.get(code, [])
        heads = [m for m in mine if m["relation"] == Person.Relation.HEAD]
        if not mine:
            out.add(HOUSEHOLDS, h["row"], "家庭编号", f"家庭 {code} 在“成员”表中没有成员", "no_members")
            h["ok"] = False
        elif len(heads) != 1:
            out.add(
                HOUSEHOLDS,
                h["row"],
                "家庭编号",
                f"家庭 {code} 应有且只有一名户主（现有 {len(heads)} 名）",
                "one_head_required",
            )
            h["ok"] = False
    for r in out.rows["incomes"]:
        if r["id_number"] is not None and r["id_number"] not in ids:
            out.add(INCOMES, r["row"], "身份证号码", "该身份证号码不在“成员”表中", "unknown_member")
            r["ok"] = False
        if r["period_start"] and r["period_end"] and r["period_end"] < r["period_start"]:
            out.add(INCOMES, r["row"], "统计止", "统计止日期不能早于统计起日期", "period_order")
            r["ok"] = False
    for r in out.rows["assets"]:
        if r["household"] is not None and r["household"] not in codes:
            out.add(
                ASSETS, r["row"], "家庭编号", f"家庭编号 {r['household']} 不在“家庭”表中", "unknown_household"
            )
            r["ok"] = False
        owner = ids.get(r["id_number"]) if r["id_number"] else None
        if r["id_number"] and (owner is None or owner["household"] != r["household"]):
            out.add(ASSETS, r["row"], "所有人身份证号码", "资产所有人不是该家庭的成员", "owner_not_member")
            r["ok"] = False
        if r["kind"] == "house" and r["floor_area"] is None:
            out.add(ASSETS, r["row"], "建筑面积（㎡）", "房产须填写建筑面积", "required")
            r["ok"] = False
    seen_accounts: dict[str, int] = {}
    for r in out.rows["bank_accounts"]:
        if r["id_number"] is None:
            continue
        if r["id_number"] not in ids:
            out.add(BANK_ACCOUNTS, r["row"], "身份证号码", "该身份证号码不在“成员”表中", "unknown_member")
            r["ok"] = False
        elif r["id_number"] in seen_accounts:
            out.add(
                BANK_ACCOUNTS,
                r["row"],
                "身份证号码",
                f"与第{seen_accounts[r['id_number']]}行为同一人，一人只登记一个账户",
                "duplicate_account",
            )
            r["ok"] = False
        else:
            seen_accounts[r["id_number"]] = r["row"]
    chains: dict[tuple, list[dict]] = defaultdict(list)
    for r in out.rows["entitlements"]:
        if r["household"] is not None and r["household"] not in codes:
            out.add(
                ENTITLEMENTS,
                r["row"],
                "家庭编号",
                f"家庭编号 {r['household']} 不在“家庭”表中",
                "unknown_household",
            )
            r["ok"] = False
        payee = ids.get(r["payee"]) if r["payee"] else None
        if r["payee"] and (payee is None or payee["household"] != r["household"]):
            out.add(ENTITLEMENTS, r["row"], "领取人身份证号码", "领取人不是该家庭的成员", "payee_not_member")
            r["ok"] = False
        if r["start_month"] and r["end_month"] and r["end_month"] < r["start_month"]:
            out.add(ENTITLEMENTS, r["row"], "终止月份", "终止月份不能早于起始月份", "period_order")
            r["ok"] = False
        if r["service"] and r["household"] and r["payee"] and r["start_month"]:
            chains[(r["household"], r["service"], r["payee"])].append(r)
    for rows in chains.values():
        rows.sort(key=lambda r: r["start_month"])
        for a, b in zip(rows, rows[1:], strict=False):
            if a["end_month"] is None or a["end_month"] >= b["start_month"]:
                out.add(
                    ENTITLEMENTS,
                    a["row"],
                    "终止月份",
                    f"同一事项下一段待遇自 {b['start_month']:%Y-%m} 起（第{b['row']}行），本行须在此前终止",
                    "history_overlap",
                )
                a["ok"] = False
