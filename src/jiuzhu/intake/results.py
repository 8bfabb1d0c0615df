"""Published results (办理结果公开): parsing the month and the Excel export."""

from __future__ import annotations

from datetime import date

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.exports import Sheet, write_xlsx

from .selectors import RESULT_COLUMNS, published_results


def parse_month(raw: str) -> date:
    try:
        year, month = (int(x) for x in (raw or "").strip().split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationFailed("月份格式应为 YYYY-MM", field="month", code="invalid_month") from None


def results_xlsx(month: date, *, city: str = "") -> bytes:
    rows = published_results(month)
    totals = {k: sum(r[k] for r in rows) for k, _ in RESULT_COLUMNS}
    return write_xlsx(
        [
            Sheet(
                month.strftime("%Y-%m"),
                ["单位", *[label for _, label in RESULT_COLUMNS]],  # units by name: no code shown
                [
                    *([r["unit_name"], *[r[k] for k, _ in RESULT_COLUMNS]] for r in rows),
                    ["合计", *[totals[k] for k, _ in RESULT_COLUMNS]],
                ],
                caption=f"{city}社会救助“一门受理、协同办理”办理结果公开（{month:%Y年%m月}）",
                notes=[
                    "口径：收到=当月分办或转入；办结=当月办结（含转办）；按时办结=办结日不晚于期限；"
                    "超期=期限在当月且未按期办结；补正期间停止计时。"
                ],
                widths={0: 20},
            )
        ]
    )
