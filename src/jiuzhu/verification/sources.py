"""The data sources' declared record schemas (``settings/sources.v1.yaml``). Pure: no Django.

from jiuzhu.verification.sources import catalogue, source
source("tax").columns        # [Column(name="id_number", label="纳税人识别号", type="id"), …]
source("tax").unit           # "tax" (the data-source unit's code)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from jiuzhu.common.errors import NotFound, PolicyFileError

SETTINGS_DIR = Path(__file__).resolve().parent / "settings"
SOURCES_FILE = SETTINGS_DIR / "sources.v1.yaml"

PERSON_KEYS = ("id_number", "name", "birth_date", "gender", "phone", "address")
INCOME_ITEMS = ("wages", "business", "property", "transfer", "pension_basic", "excluded")
ASSET_ITEMS = ("house", "vehicle", "business_capital", "financial")
EVIDENCE_ITEMS = ("registration", "employment")
EVENT_ITEMS = ("death",)
# An item says what a record is. "business" as an income is net business income (tax); the
# registration of a business is the asset item "business_capital".
ITEMS = {
    **{i: "income" for i in INCOME_ITEMS},
    **{i: "asset" for i in ASSET_ITEMS},
    **{i: "evidence" for i in EVIDENCE_ITEMS},
    **{i: "event" for i in EVENT_ITEMS},
}
ITEM_NAMES = {
    "wages": "工资性收入",
    "business": "经营净收入",
    "property": "财产净收入",
    "transfer": "转移性收入",
    "pension_basic": "城乡居民基础养老金",
    "excluded": "不计入收入的补贴奖励",
    "house": "房产",
    "vehicle": "机动车辆",
    "business_capital": "市场主体（注册资本）",
    "financial": "金融资产",
    "registration": "户籍登记",
    "employment": "就业参保（缴存）",
    "death": "死亡",
}
TYPES = ("id", "text", "date", "money", "area", "choice", "gender")
BASES = ("monthly", "period_total", "value")


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    type: str
    required: bool = False
    choices: dict[str, str] = field(default_factory=dict)

    def header_names(self) -> tuple[str, str]:
        return (self.label, self.name)


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    unit: str
    columns: tuple[Column, ...]
    item: str | None = None  # the same item for every row
    item_from: str | None = None  # or the mapped value of this choice column
    amount: str | None = None
    amount_basis: str | None = None
    period: tuple[str, str] | None = None
    record_date: str | None = None
    ref: str | None = None
    max_age_days: int | None = None

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def items(self) -> tuple[str, ...]:
        if self.item:
            return (self.item,)
        assert self.item_from is not None  # the catalogue loader requires item or item_from
        return tuple(dict.fromkeys(self.column(self.item_from).choices.values()))

    @property
    def person_keys(self) -> tuple[str, ...]:
        return tuple(k for k in PERSON_KEYS if k in self.column_names)


@dataclass(frozen=True)
class Catalogue:
    version: int
    sources: tuple[Source, ...]
    path: str

    def get(self, code: str) -> Source:
        for s in self.sources:
            if s.code == code:
                return s
        raise NotFound(f"没有数据来源 {code}", field="source", code="unknown_source")

    def of_unit(self, unit_code: str) -> list[Source]:
        return [s for s in self.sources if s.unit == unit_code]


def _fail(path: Path, where: str, message: str):
    raise PolicyFileError(f"{path.name}: {where}: {message}", field=where, code="sources_file_invalid")


def _column(path: Path, where: str, raw: dict) -> Column:
    unknown = set(raw) - {"name", "label", "type", "required", "choices"}
    if unknown:
        _fail(path, where, f"未知字段 {sorted(unknown)[0]}")
    if raw.get("type") not in TYPES:
        _fail(path, f"{where}.type", f"类型应为 {'/'.join(TYPES)} 之一")
    choices = {str(k): str(v) for k, v in (raw.get("choices") or {}).items()}
    if (raw["type"] == "choice") != bool(choices):
        _fail(path, f"{where}.choices", "choice 类型须有 choices，其他类型不能有")
    return Column(
        str(raw["name"]),
        str(raw.get("label") or raw["name"]),
        raw["type"],
        bool(raw.get("required")),
        choices,
    )


def _source(path: Path, i: int, raw: dict) -> Source:
    where = f"sources[{i}]"
    cols = tuple(_column(path, f"{where}.columns[{j}]", c) for j, c in enumerate(raw.get("columns") or []))
    names = [c.name for c in cols]
    if len(set(names)) != len(names):
        _fail(path, f"{where}.columns", "列名重复")
    if not {"id_number", "name"} & set(names):
        _fail(path, f"{where}.columns", "须有 id_number 或 name 列")
    y = raw.get("yields") or {}
    item, item_from = y.get("item"), y.get("item_from")
    if bool(item) == bool(item_from):
        _fail(path, f"{where}.yields", "item 与 item_from 须有且只有一个")
    if item and item not in ITEMS:
        _fail(path, f"{where}.yields.item", f"未知项目 {item}")
    if item_from:
        if item_from not in names or cols[names.index(item_from)].type != "choice":
            _fail(path, f"{where}.yields.item_from", "应为一个 choice 列")
        bad = set(cols[names.index(item_from)].choices.values()) - set(ITEMS)
        if bad:
            _fail(path, f"{where}.yields.item_from", f"未知项目 {sorted(bad)[0]}")
    for key in ("amount", "record_date", "ref"):
        if raw.get(key) and raw[key] not in names:
            _fail(path, f"{where}.{key}", f"列 {raw[key]} 不存在")
    if raw.get("amount") and raw.get("amount_basis") not in BASES:
        _fail(path, f"{where}.amount_basis", f"应为 {'/'.join(BASES)} 之一")
    period = raw.get("period")
    if period is not None and (len(period) != 2 or any(p not in names for p in period)):
        _fail(path, f"{where}.period", "应为 [起始列, 截止列]")
    return Source(
        code=str(raw["code"]),
        name=str(raw["name"]),
        unit=str(raw["unit"]),
        columns=cols,
        item=item,
        item_from=item_from,
        amount=raw.get("amount"),
        amount_basis=raw.get("amount_basis"),
        period=tuple(period) if period else None,
        record_date=raw.get("record_date"),
        ref=raw.get("ref"),
        max_age_days=raw.get("max_age_days"),
    )


def load(path: str | Path = SOURCES_FILE) -> Catalogue:
    """Read and check a sources file; ``PolicyFileError`` says what is wrong and where."""
    path = Path(path)
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    sources = tuple(_source(path, i, raw) for i, raw in enumerate(doc.get("sources") or []))
    codes = [s.code for s in sources]
    if len(set(codes)) != len(codes):
        _fail(path, "sources", "来源代码重复")
    return Catalogue(version=int(doc.get("version", 1)), sources=sources, path=str(path))


@cache
def catalogue() -> Catalogue:
    return load()


def source(code: str) -> Source:
    return catalogue().get(code)
