"""The caseload template: its sheets and columns with their Chinese headers, and the
downloadable files (an xlsx workbook, or a zip of one CSV per sheet) with a filled example.

A column's ``kind`` says which check its cells go through (``validation``); choice columns
accept the Chinese label or the code. ``key`` is the column's name in the validated frames.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from jiuzhu.registry.models import Asset, Household, IncomeItem, Person


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # text | id | choice | money | area | date | month | int | bool | town | service | account
    required: bool = False
    choices: Sequence[tuple[str, str]] = ()
    note: str = ""


@dataclass(frozen=True)
class Sheet:
    key: str
    title: str
    columns: tuple[Column, ...]
    required: bool = False
    note: str = ""
    example: tuple[dict, ...] = field(default=())

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


YES_NO = (("1", "是"), ("0", "否"))

HOUSEHOLDS = Sheet(
    "households",
    "家庭",
    (
        Column("code", "家庭编号", "text", True, note="原系统的家庭编号，导入后沿用"),
        Column("town", "镇街", "town", True, note="镇街名称或代码"),
        Column("community", "村（社区）", "text", True),
        Column("division_code", "行政区划代码", "division", True),
        Column("area", "城乡", "choice", True, Household.Area.choices),
        Column("address", "居住地址", "text", True),
        Column("phone", "联系电话", "phone"),
        Column("dwelling_area", "现住房建筑面积（㎡）", "area"),
    ),
    required=True,
)
MEMBERS = Sheet(
    "members",
    "成员",
    (
        Column("household", "家庭编号", "text", True),
        Column("name", "姓名", "text", True),
        Column("id_number", "身份证号码", "id", True),
        Column("relation", "与户主关系", "choice", True, Person.Relation.choices),
        Column("phone", "联系电话", "phone"),
        Column("labour_capacity", "劳动能力", "choice", False, Person.LabourCapacity.choices),
        Column("disability_kind", "残疾类别", "choice", False, Person.DisabilityKind.choices),
        Column("disability_grade", "残疾等级", "int"),
        Column("serious_illness", "重特大疾病（病种）", "text"),
        Column("self_care", "生活自理能力", "choice", False, Person.SelfCare.choices),
        Column("school_stage", "在学阶段", "choice", False, Person.SchoolStage.choices),
        Column("employment_status", "就业状况", "choice", False, Person.EmploymentStatus.choices),
        Column("has_capable_supporter", "有具备赡养扶养抚养能力的法定义务人", "bool"),
    ),
    required=True,
)
INCOMES = Sheet(
    "incomes",
    "收入",
    (
        Column("id_number", "身份证号码", "id", True),
        Column("kind", "收入类别", "choice", True, IncomeItem.Kind.choices),
        Column("monthly_amount", "月均金额（元）", "money", True),
        Column("period_start", "统计起", "date", True),
        Column("period_end", "统计止", "date", True),
        Column("note", "说明", "text"),
    ),
)
ASSETS = Sheet(
    "assets",
    "资产",
    (
        Column("household", "家庭编号", "text", True),
        Column("id_number", "所有人身份证号码", "id"),
        Column("kind", "资产类别", "choice", True, Asset.Kind.choices),
        Column("value", "价值/金额（元）", "money", True),
        Column("floor_area", "建筑面积（㎡）", "area"),
        Column("vehicle_purpose", "车辆用途", "choice", False, Asset.VehiclePurpose.choices),
        Column("as_of", "数据日期", "date", True),
        Column("description", "说明", "text"),
    ),
)
BANK_ACCOUNTS = Sheet(
    "bank_accounts",
    "银行账户",
    (
        Column("id_number", "身份证号码", "id", True),
        Column("bank_name", "开户行", "text", True),
        Column("holder_name", "户名", "text"),
        Column("number", "账号", "account", True),
    ),
)
ENTITLEMENTS = Sheet(
    "entitlements",
    "待遇",
    (
        Column("household", "家庭编号", "text", True),
        Column("payee", "领取人身份证号码", "id", True),
        Column("service", "救助事项", "service", True, note="救助事项名称或代码"),
        Column("amount", "金额（元）", "money", True),
        Column("start_month", "起始月份", "month", True, note="如 2024-03"),
        Column("end_month", "终止月份", "month", note="已终止或已变更的历史待遇填写，最后一月"),
        Column("decided_on", "决定日期", "date", True),
        Column("next_review_on", "下次复核日期", "anydate"),
        Column("origin", "原决定文号", "text"),
    ),
    note="同一家庭、同一事项的多行按起始月份连成历史：前一行须填写终止月份。",
)
SHEETS = (HOUSEHOLDS, MEMBERS, INCOMES, ASSETS, BANK_ACCOUNTS, ENTITLEMENTS)
BY_KEY = {s.key: s for s in SHEETS}


def example_rows(today) -> dict[str, list[dict]]:
    """A filled example (fictitious, valid): one dibao household of two."""
    from jiuzhu.registry.testing import make_id

    head = make_id(today.replace(year=today.year - 66, month=3, day=12), gender="M", seq=7)
    wife = make_id(today.replace(year=today.year - 63, month=8, day=2), gender="F", seq=8)
    y = today.year
    return {
        "households": [
            {
                "code": "YS-0001",
                "town": "城东街道",
                "community": "幸福社区",
                "division_code": "329901001",
                "area": "城市",
                "address": "示范市城东街道幸福路1号",
                "phone": "13800000000",
                "dwelling_area": "48.5",
            },
        ],
        "members": [
            {
                "household": "YS-0001",
                "name": "王建国",
                "id_number": head,
                "relation": "户主",
                "labour_capacity": "部分丧失劳动能力",
                "disability_kind": "肢体残疾",
                "disability_grade": "3",
                "self_care": "生活能自理",
                "employment_status": "无业（非劳动年龄或无劳动能力）",
                "has_capable_supporter": "否",
            },
            {
                "household": "YS-0001",
                "name": "李秀英",
                "id_number": wife,
                "relation": "配偶",
                "labour_capacity": "无劳动能力",
                "serious_illness": "尿毒症",
                "self_care": "生活部分不能自理",
                "employment_status": "无业（非劳动年龄或无劳动能力）",
                "has_capable_supporter": "否",
            },
        ],
        "incomes": [
            {
                "id_number": head,
                "kind": "城乡居民基本养老保险基础养老金",
                "monthly_amount": "180.00",
                "period_start": f"{y - 1}-01-01",
                "period_end": f"{y - 1}-12-31",
                "note": "基础养老金",
            },
        ],
        "assets": [
            {
                "household": "YS-0001",
                "id_number": head,
                "kind": "金融资产（存款、理财、证券、保险现金价值）",
                "value": "3200.00",
                "as_of": f"{y - 1}-12-31",
                "description": "活期存款",
            },
        ],
        "bank_accounts": [
            {
                "id_number": head,
                "bank_name": "示范市农村商业银行",
                "holder_name": "王建国",
                "number": "6228480000000000017",
            },
        ],
        "entitlements": [
            {
                "household": "YS-0001",
                "payee": head,
                "service": "最低生活保障",
                "amount": "1400.00",
                "start_month": f"{y - 2}-01",
                "end_month": f"{y - 1}-06",
                "decided_on": f"{y - 3}-12-20",
                "origin": f"城东民低〔{y - 3}〕12号",
            },
            {
                "household": "YS-0001",
                "payee": head,
                "service": "最低生活保障",
                "amount": "1500.00",
                "start_month": f"{y - 1}-07",
                "decided_on": f"{y - 1}-06-18",
                "next_review_on": f"{y}-06-30",
                "origin": f"城东民低〔{y - 1}〕31号",
            },
        ],
    }


def _display(col: Column, value: str) -> str:
    return value


def template_xlsx(today, *, example: bool = True) -> bytes:
    """The workbook: one sheet per table, Chinese headers (required ones shaded), a notes
    sheet, and the example rows when asked."""
    from jiuzhu.common.exports import Sheet, write_xlsx

    rows = example_rows(today) if example else {}
    notes: list[list[str]] = []
    for sheet in SHEETS:
        for col in sheet.columns:
            choices = "；".join(label for code, label in col.choices if code) if col.choices else ""
            note = "；".join(x for x in (col.note, f"可选：{choices}" if choices else "") if x)
            notes.append([sheet.title, col.header, "是" if col.required else "", note])
        if sheet.note:
            notes.append([sheet.title, "", "", sheet.note])
    return write_xlsx(
        [
            Sheet("填写说明", ["工作表", "列", "必填", "说明"], notes),
            *(
                Sheet(
                    sheet.title,
                    [c.header for c in sheet.columns],
                    [[r.get(c.key, "") for c in sheet.columns] for r in rows.get(sheet.key, [])],
                    marked={c.header for c in sheet.columns if c.required},
                )
                for sheet in SHEETS
            ),
        ]
    )


def template_zip(today, *, example: bool = True) -> bytes:
    """One UTF-8 CSV (with BOM, so Excel reads the Chinese) per sheet, named after it."""
    from jiuzhu.common.exports import write_csv

    rows = example_rows(today) if example else {}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for sheet in SHEETS:
            data = write_csv(
                [c.header for c in sheet.columns],
                ([r.get(c.key, "") for c in sheet.columns] for r in rows.get(sheet.key, [])),
            )
            zf.writestr(f"{sheet.title}.csv", data)
    return buf.getvalue()
