"""Helpers for this app's tests, the bench and the browser test (no test-framework imports):
a caseload workbook or CSV zip from rows keyed by column ``key``."""

from __future__ import annotations

import csv
import io
import zipfile

from .sheets import SHEETS


def _columns(sheet, drop: set[str]):
    return [c for c in sheet.columns if c.key not in drop]


def workbook(rows: dict[str, list[dict]], *, drop: dict[str, set[str]] | None = None) -> bytes:
    """An xlsx with the template's sheets (headers in Chinese); ``drop`` leaves columns out."""
    from openpyxl import Workbook

    drop = drop or {}
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in SHEETS:
        if sheet.key not in rows:
            continue
        cols = _columns(sheet, drop.get(sheet.key, set()))
        ws = wb.create_sheet(sheet.title)
        ws.append([c.header for c in cols])
        for r in rows[sheet.key]:
            ws.append([None if r.get(c.key) is None else str(r.get(c.key)) for c in cols])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_zip(rows: dict[str, list[dict]]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for sheet in SHEETS:
            if sheet.key not in rows:
                continue
            out = io.StringIO()
            w = csv.writer(out)
            w.writerow([c.header for c in sheet.columns])
            for r in rows[sheet.key]:
                w.writerow(["" if r.get(c.key) is None else str(r.get(c.key)) for c in sheet.columns])
            zf.writestr(f"{sheet.title}.csv", out.getvalue())
    return buf.getvalue()


def household_rows(
    code: str,
    members: list[dict],
    *,
    town: str = "城东街道",
    address: str = "示范市城东街道幸福路8号",
    area: str = "城市",
    division_code: str = "329901001",
) -> dict[str, list[dict]]:
    """One household's rows: ``members`` carry name, id_number, relation (Chinese or code)
    and any other member column."""
    return {
        "households": [
            {
                "code": code,
                "town": town,
                "community": "幸福社区",
                "division_code": division_code,
                "area": area,
                "address": address,
            }
        ],
        "members": [{"household": code, **m} for m in members],
    }


def merge(*parts: dict[str, list[dict]]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for p in parts:
        for k, v in p.items():
            out.setdefault(k, []).extend(v)
    return out
