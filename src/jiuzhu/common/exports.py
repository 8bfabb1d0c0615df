"""Cells that leave the platform in a spreadsheet (xlsx or CSV) cannot carry formulas.

A text cell that starts with ``= + - @``, a tab or a carriage return is read by Excel/WPS as a
formula (``=HYPERLINK(…)`` in a holder name became a live link in the bank file). Such text
gets a leading apostrophe, the spreadsheet convention for "this is text" (OWASP, CSV
injection). Numbers, Decimals, dates and ``None`` pass untouched, and so does text that is a
plain number (``"-12.50"``: an amount written as text stays that amount). Every xlsx and CSV
writer goes through ``write_xlsx`` / ``write_csv`` below, which pass every cell through
``safe_cell`` (``safe_frame`` for a polars frame written by polars itself).

The writers: ``write_xlsx([Sheet(...), ...]) -> bytes`` (a header row in bold and frozen,
Decimals as numbers in a money format, dates as dates, columns as wide as their text) and
``write_csv(header, rows) -> bytes`` (UTF-8 with a BOM so Excel/WPS read the Chinese, CRLF
lines). ``download(content, filename)`` is the HTTP response that hands a file over, its
name in Chinese kept (RFC 6266 ``filename*``, with an ASCII fallback for old clients).
"""

from __future__ import annotations

import csv
import functools
import io
import itertools
import mimetypes
import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

if TYPE_CHECKING:
    from django.http import HttpResponse

FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_NUMBER = re.compile(_PLAIN_NUMBER)


def safe_cell(value):
    """``value`` as a spreadsheet may hold it without running it (see the module docstring)."""
    if not isinstance(value, str) or not value.startswith(FORMULA_LEAD) or _NUMBER.match(value):
        return value
    return "'" + value


def safe_row(values: Iterable) -> list:
    return [safe_cell(v) for v in values]


def safe_frame(frame):
    """A polars DataFrame with every text column passed through ``safe_cell`` (vectorised)."""
    import polars as pl

    lead = r"^[=+\-@\t\r]"  # FORMULA_LEAD as a regex
    texts = [name for name, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(
        pl.when(pl.col(c).str.contains(lead) & ~pl.col(c).str.contains(_PLAIN_NUMBER))
        .then(pl.lit("'") + pl.col(c))
        .otherwise(pl.col(c))
        .alias(c)
        for c in texts
    )


# --- the writers -------------------------------------------------------------------------------

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_MEASURED = 200  # rows read to size the columns (the rest are streamed as they come)
_WIDEST = 60


@dataclass
class Sheet:
    """One worksheet: ``title`` (at most 31 characters, cut if longer), the ``header`` row
    and the ``rows`` (any iterable: a generator of 100,000 lines is written as it comes).

    ``caption`` is a line above the header (the report's title), ``notes`` lines below the
    rows (what the figures count); ``widths`` fixes the width of columns by index (0 = A),
    the others are as wide as their text; header cells named in ``marked`` are shaded (the
    required columns of a template)."""

    title: str
    header: Sequence[Any]
    rows: Iterable[Sequence[Any]] = ()
    caption: str = ""
    notes: Sequence[str] = ()
    widths: dict[int, float] = field(default_factory=dict)
    marked: Collection[str] = ()


def _text_width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, Decimal):
        text = f"{value:,.2f}"
    elif isinstance(value, datetime):
        text = "0000-00-00 00:00:00"
    else:
        text = str(value)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _plain(value: Any) -> Any:
    """A value openpyxl writes as the reader expects: a timezone-aware moment in local time
    (Excel has no time zones), anything not a number, date or text as its text."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            from django.utils import timezone

            value = timezone.localtime(value).replace(tzinfo=None)
        return value
    if value is None or isinstance(value, (str, int, float, Decimal, date)):
        return safe_cell(value)
    return safe_cell(str(value))


def _cell(ws: Any, value: Any, **style: Any) -> Any:
    from openpyxl.cell import WriteOnlyCell

    c = WriteOnlyCell(ws, value=_plain(value))
    if isinstance(value, Decimal):
        c.number_format = MONEY_FORMAT
    elif isinstance(value, datetime):
        c.number_format = DATETIME_FORMAT
    elif isinstance(value, date):
        c.number_format = DATE_FORMAT
    for name, v in style.items():
        setattr(c, name, v)
    return c


def write_xlsx(sheets: Iterable[Sheet]) -> bytes:
    """An xlsx workbook of ``sheets`` (see ``Sheet``), every cell through ``safe_cell``:
    formula-leading text stays text, Decimals are numbers shown with two places and
    thousands separators, dates are dates, the header is bold and stays in view."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)  # streamed: a bank file of 100,000 lines stays small in memory
    bold, big, shade = Font(bold=True), Font(bold=True, size=13), PatternFill("solid", fgColor="FFF2CC")
    count = 0
    for sheet in sheets:
        count += 1
        ws = wb.create_sheet(sheet.title[:31] or f"Sheet{count}")

        cell = functools.partial(_cell, ws)

        rows = iter(sheet.rows)
        first = list(itertools.islice(rows, _MEASURED))
        measured = [list(sheet.header), *first]
        for i in range(max((len(r) for r in measured), default=0)):
            widest = max(_text_width(r[i]) for r in measured if i < len(r))
            width = sheet.widths.get(i, min(max(widest + 2, 8), _WIDEST))
            ws.column_dimensions[get_column_letter(i + 1)].width = width
        ws.freeze_panes = "A3" if sheet.caption else "A2"  # set before the first row is written
        if sheet.caption:
            ws.append([cell(sheet.caption, font=big)])
        header = []
        for name in sheet.header:
            c = cell(name, font=bold)
            if name in sheet.marked:
                c.fill = shade
            header.append(c)
        ws.append(header)
        for row in itertools.chain(first, rows):
            ws.append([cell(v) for v in row])
        if sheet.notes:
            ws.append([])
            for line in sheet.notes:
                ws.append([cell(line)])
    if not count:
        wb.create_sheet("Sheet1")
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_csv(header: Sequence[Any], rows: Iterable[Sequence[Any]]) -> bytes:
    """A CSV file: UTF-8 with a BOM (Excel and WPS then read the Chinese), CRLF line ends,
    every cell through ``safe_cell``; ``None`` is an empty cell, a Decimal keeps its places."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(safe_row(header))
    w.writerows(safe_row("" if v is None else v for v in row) for row in rows)
    return buf.getvalue().encode("utf-8-sig")


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The ``Content-Disposition`` value for ``filename``: an ASCII ``filename`` for old
    clients and, when the name is not plain ASCII, ``filename*`` (RFC 6266/5987) with the
    real name, so ``低保名单-2026年3月.xlsx`` arrives under that name."""
    kind = "inline" if inline else "attachment"
    ascii_name = re.sub(r'[^\x21-\x7e ]|["\\]', "_", filename)
    if ascii_name == filename:
        return f'{kind}; filename="{filename}"'
    stem, dot, ext = filename.rpartition(".")
    fallback = ("download." + ext) if dot and ext.isascii() and ext.isalnum() else "download"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def download(
    content: bytes, filename: str, *, content_type: str | None = None, inline: bool = False
) -> HttpResponse:
    """The HTTP response that hands ``content`` over as ``filename`` (type from the name's
    ending unless given: xlsx, csv in UTF-8, pdf, zip)."""
    from django.http import HttpResponse

    if content_type is None:
        ext = filename.rpartition(".")[2].lower()
        content_type = {"xlsx": XLSX, "csv": "text/csv; charset=utf-8"}.get(ext) or (
            mimetypes.guess_type(filename)[0] or "application/octet-stream"
        )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    return response
