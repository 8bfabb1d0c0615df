"""Ledger and roll summaries as Excel (openpyxl) and PDF (reportlab, a CJK font embedded when
the system has WenQuanYi Micro Hei, else reportlab's built-in STSong CID font)."""

from __future__ import annotations

import io

from jiuzhu.common import clock
from jiuzhu.common.exports import Sheet, write_xlsx
from jiuzhu.common.pdf import cjk_font

from . import selectors
from .models import PaymentRoll

DIMS = ("unit", "service", "category", "town", "month")
ROLL_HEADERS = [
    "月份",
    "救助事项",
    "发放单位",
    "状态",
    "笔数",
    "应发合计",
    "暂停笔数",
    "成功笔数",
    "成功金额",
    "失败笔数",
    "失败金额",
]


def summary(year: int) -> dict:
    """Everything the ledger report shows for a year."""
    return {
        "year": year,
        "split": selectors.city_split(year=year),
        "tables": {d: selectors.balances(year=year, by=d) for d in DIMS},
        "rolls": roll_rows(year),
    }


def roll_rows(year: int) -> list[list]:
    names = selectors._service_names()
    rows = []
    for r in (
        PaymentRoll.objects.filter(month__year=year).select_related("unit").order_by("month", "service_code")
    ):
        rows.append(
            [
                f"{r.month:%Y-%m}",
                names.get(r.service_code, r.service_code),
                r.unit.name,
                r.get_state_display(),
                r.lines_count,
                r.total,
                r.held_count,
                r.paid_count,
                r.paid_total,
                r.failed_count,
                r.failed_total,
            ]
        )
    return rows


def _table_rows(rows):
    return [
        [
            r["label"],
            r["budget"] if r["balance"] is not None else "",
            r["paid"],
            r["balance"] if r["balance"] is not None else "",
            f"{r['rate']}%" if r["rate"] is not None else "",
            r["lines"],
        ]
        for r in rows
    ]


def ledger_xlsx(year: int) -> bytes:
    """The year's ledger as a workbook (the common writer: amounts as numbers in the money
    format, formula text kept as text): the overview, one sheet per dimension, the rolls."""
    data = summary(year)
    split = data["split"]
    names = (("civil_affairs", "民政部门"), ("others", "其他部门"), ("total", "全市合计"))
    sheets = [
        Sheet(
            title="总览",
            caption=f"{year}年度社会救助资金台账",
            header=["口径", "年度预算", "已发放"],
            rows=[[name, split[key]["budget"], split[key]["paid"]] for key, name in names],
        )
    ]
    for d in DIMS:
        label = selectors.DIMENSION_LABELS[d]
        sheets.append(
            Sheet(
                title=f"按{label}",
                header=[label, "年度预算", "已发放", "结余", "执行率", "笔数"],
                rows=_table_rows(data["tables"][d]),
            )
        )
    sheets.append(Sheet(title="发放名册", header=ROLL_HEADERS, rows=data["rolls"]))
    return write_xlsx(sheets)


def ledger_pdf(year: int) -> bytes:
    from reportlab.graphics.charts.barcharts import VerticalBarChart
    from reportlab.graphics.shapes import Drawing
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    data = summary(year)
    h1 = ParagraphStyle("h1", fontName=font, fontSize=16, leading=22)
    h2 = ParagraphStyle("h2", fontName=font, fontSize=12, leading=18, spaceBefore=8)
    style = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
        ]
    )
    story = [
        Paragraph(f"{year}年度社会救助资金台账", h1),
        Paragraph(f"生成日期：{clock.today():%Y-%m-%d}", h2),
    ]
    split = [["口径", "年度预算（元）", "已发放（元）"]] + [
        [n, f"{data['split'][k]['budget']:,.2f}", f"{data['split'][k]['paid']:,.2f}"]
        for k, n in (("civil_affairs", "民政部门"), ("others", "其他部门"), ("total", "全市合计"))
    ]
    story += [Table(split, style=style)]
    months = data["tables"]["month"]
    if months:
        story.append(Paragraph("按月发放金额", h2))
        d = Drawing(700, 180)
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 50, 20, 620, 140
        chart.data = [[float(r["paid"]) for r in months]]  # drawing only; figures are in the tables
        chart.categoryAxis.categoryNames = [r["label"] for r in months]
        chart.categoryAxis.labels.fontName = font
        chart.bars[0].fillColor = colors.HexColor("#a4161a")
        d.add(chart)
        story.append(d)
    for dim in DIMS:
        rows = [[selectors.DIMENSION_LABELS[dim], "年度预算", "已发放", "结余", "执行率", "笔数"]] + [
            [str(c) if not isinstance(c, str) else c for c in row] for row in _table_rows(data["tables"][dim])
        ]
        story += [
            Spacer(1, 6),
            Paragraph(f"按{selectors.DIMENSION_LABELS[dim]}", h2),
            Table(rows, style=style, repeatRows=1),
        ]
    if data["rolls"]:
        rows = [ROLL_HEADERS] + [[str(c) for c in r] for r in data["rolls"]]
        story += [Spacer(1, 6), Paragraph("发放名册汇总", h2), Table(rows, style=style, repeatRows=1)]
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=landscape(A4), title=f"{year}年度社会救助资金台账").build(story)
    return buf.getvalue()
