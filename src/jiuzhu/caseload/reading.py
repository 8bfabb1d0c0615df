"""Reading an uploaded caseload file into one table of text cells per sheet.

Accepted: an xlsx workbook (sheets named as in the template), one CSV, or a zip of CSVs
(each named after its sheet, e.g. ``成员.csv``). A CSV is UTF-8 (with or without BOM) or,
failing that, GB18030 (Excel's Chinese export). A CSV whose name says nothing is recognised
by its headers. Cells stay text: ID numbers keep their leading zeros and ``X``.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import polars as pl

from jiuzhu.common import xlsxread
from jiuzhu.common.errors import ValidationFailed

from .sheets import SHEETS, Sheet


@dataclass
class Table:
    sheet: Sheet
    frame: pl.DataFrame  # all columns text; the file's headers
    first_row: int = 2  # the row number (as the person sees it) of the frame's first row


@dataclass
class Workbook:
    tables: dict[str, Table] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # files or sheets not recognised


def _header(value) -> str:
    return str(value or "").strip().lstrip("\ufeff").replace("*", "").strip()


def _sheet_for(name: str, headers: list[str]) -> Sheet | None:
    stem = PurePosixPath(name).stem.strip()
    for s in SHEETS:
        if stem in (s.title, s.key):
            return s
    best, score = None, 0
    have = set(headers)
    for s in SHEETS:
        n = sum(1 for c in s.columns if c.header in have)
        if n > score and n >= max(2, len([c for c in s.columns if c.required]) // 2):
            best, score = s, n
    return best


def _csv(data: bytes) -> pl.DataFrame:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValidationFailed("CSV 文件编码无法识别（请保存为 UTF-8）", field="file", code="file_encoding")
    frame = pl.read_csv(io.StringIO(text), infer_schema=False, truncate_ragged_lines=True)
    return frame.rename({c: _header(c) for c in frame.columns})


def _xlsx(data: bytes) -> dict[str, pl.DataFrame]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:
        raise ValidationFailed(
            "无法读取该 Excel 文件（请使用 .xlsx 格式）", field="file", code="file_unreadable"
        ) from None
    out = {}
    for ws in wb.worksheets:
        rows = xlsxread.values(wb, ws)
        try:
            head = [_header(v) for v in next(rows)]
        except StopIteration:
            continue
        width = len(head)
        while width and not head[width - 1]:
            width -= 1
        head = head[:width]
        body = []
        for r in rows:
            cells = [_cell(v) for v in r[:width]]
            cells += [None] * (width - len(cells))
            body.append(cells)
        while body and all(c is None for c in body[-1]):
            body.pop()
        names = [h or f"列{i + 1}" for i, h in enumerate(head)]
        out[ws.title] = pl.DataFrame(body, schema={n: pl.String for n in names}, orient="row")
    wb.close()
    return out


def _cell(v) -> str | None:
    if v is None:
        return None
    if hasattr(v, "date") and hasattr(v, "hour"):  # a datetime from a date-formatted cell
        return v.date().isoformat() if (v.hour, v.minute, v.second) == (0, 0, 0) else v.isoformat()
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    text = str(v).strip()
    return text or None


def read(data: bytes, filename: str) -> Workbook:
    try:
        return _read(data, filename)
    except zipfile.BadZipFile:  # a truncated or forged zip/xlsx is the sender's fault, not a crash
        raise ValidationFailed(
            "文件已损坏或不是有效的 zip 文件，请重新导出后上传", field="file", code="file_unreadable"
        ) from None


def _read(data: bytes, filename: str) -> Workbook:
    name = filename.lower()
    wb = Workbook()
    frames: list[tuple[str, pl.DataFrame]] = []
    if data[:4] == b"PK\x03\x04" and name.endswith(".xlsx"):
        frames = list(_xlsx(data).items())
    elif data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for info in zf.infolist():
                if info.is_dir() or not info.filename.lower().endswith(".csv"):
                    continue
                frames.append((info.filename, _csv(zf.read(info))))
    elif name.endswith(".csv"):
        frames = [(filename, _csv(data))]
    else:
        raise ValidationFailed(
            "请上传 Excel（.xlsx）、CSV 或装有 CSV 的 zip 文件", field="file", code="file_type"
        )
    for fname, frame in frames:
        if fname == "填写说明":
            continue
        sheet = _sheet_for(fname, frame.columns)
        if sheet is None or sheet.key in wb.tables:
            wb.unknown.append(fname)
            continue
        wb.tables[sheet.key] = Table(sheet, frame)
    return wb
