"""Printable outputs: a unit's evaluation report and the quarterly briefing (PDF, reportlab
with a CJK font as in supervision/payments), and the city ranking (Excel, openpyxl)."""

from __future__ import annotations

import io
from datetime import date

from jiuzhu.common.exports import Sheet, write_xlsx
from jiuzhu.common.labels import moment
from jiuzhu.common.pdf import cjk_font

from .evaluation import GRADE_LABELS, Evaluation


def _doc(title: str, build) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=15, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=8)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12, leading=18, spaceBefore=8, spaceAfter=4)
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, title=title)
    story = [Paragraph(title, h1), *build(body, h2, font)]
    doc.build(story)
    return buf.getvalue()


def _table(rows, font, widths=None):
    from reportlab.lib import colors
    from reportlab.platypus import Table, TableStyle

    t = Table(rows, colWidths=widths, repeatRows=1)
    t.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), font),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def _v(x) -> str:
    return "—" if x is None else str(x)


def evaluation_pdf(ev: Evaluation) -> bytes:
    from reportlab.platypus import Paragraph

    def build(body, h2, font):
        story = [
            Paragraph(f"被评价单位：{ev.unit.name}　评价期：{ev.start} 至 {ev.end}", body),
            Paragraph(f"总分：{ev.score} 分　等级：{ev.grade_label}", h2),
            Paragraph("一、分组得分", h2),
            _table(
                [["指标组", "分值", "得分"], *[[g["name"], g["weight"], g["points"]] for g in ev.groups]],
                font,
            ),
            Paragraph("二、指标明细", h2),
        ]
        rows: list[list] = [["指标组", "指标", "实际值", "满分", "得分", "说明"]]
        for line in ev.lines:
            rows.append(
                [
                    line.group,
                    Paragraph(line.name, body),
                    _v(line.value),
                    line.max_points,
                    line.points,
                    Paragraph(line.note, body),
                ]
            )
        story.append(_table(rows, font, widths=[50, 120, 50, 35, 35, 190]))
        story.append(Paragraph("三、扣分（经查实的问题）", h2))
        if ev.deductions:
            story.append(
                _table(
                    [
                        ["投诉编号", "类别", "查实日期", "扣分"],
                        *[
                            [d["complaint"], d["kind_display"], d["found_on"], d["points"]]
                            for d in ev.deductions
                        ],
                    ],
                    font,
                )
            )
        else:
            story.append(Paragraph("无", body))
        return story

    return _doc("社会救助工作绩效评价报告", build)


def briefing_pdf(ctx: dict) -> bytes:
    """The quarterly meeting's briefing: the dashboard's figures as tables."""
    from reportlab.platypus import Paragraph

    def build(body, h2, font):
        city = ctx.get("city") or {}
        story = [Paragraph(f"{ctx['year']} 年度 · 快照时间 {moment(ctx.get('refreshed')) or '未生成'}", body)]
        story.append(Paragraph("一、全市办理情况", h2))
        story.append(
            _table(
                [
                    [
                        "新申请事项",
                        "办结",
                        "按时办结率",
                        "平均用时（工作日）",
                        "90%用时",
                        "超期",
                        "转办",
                        "不予救助",
                    ],
                    [
                        city.get("new_requests", 0),
                        city.get("closed", 0),
                        _v(city.get("on_time_rate")),
                        _v(city.get("avg_days")),
                        _v(city.get("p90_days")),
                        city.get("overdue", 0),
                        city.get("transfers", 0),
                        city.get("refused", 0),
                    ],
                ],
                font,
            )
        )
        story.append(Paragraph("二、各单位", h2))
        rows = [["单位", "收到", "办结", "按时率", "超期", "覆盖率"]]
        for r in ctx["table"]:
            f = r["f"]
            rows.append(
                [
                    r["unit"].name,
                    f["received"],
                    f["closed"],
                    _v(f["on_time_rate"]),
                    f["overdue"],
                    _v(f["coverage_rate"]),
                ]
            )
        story.append(_table(rows, font))
        if ctx.get("alerts"):
            a = ctx["alerts"]
            story.append(Paragraph("三、预警", h2))
            story.append(
                _table(
                    [
                        ["发现", "核处", "属实", "超期未核处"],
                        [
                            a["alerts_raised"],
                            a["alerts_resolved"],
                            a["alerts_confirmed"],
                            a["alerts_overdue"],
                        ],
                    ],
                    font,
                )
            )
        return story

    return _doc("社会救助工作季度简报（联席会议）", build)


def ranking_xlsx(evs: list[Evaluation], *, start: date, end: date) -> bytes:
    groups = [g["name"] for g in evs[0].groups] if evs else []
    rows = (
        [i, ev.unit.name, *[g["points"] for g in ev.groups], ev.deducted, ev.score, GRADE_LABELS[ev.grade]]
        for i, ev in enumerate(evs, 1)
    )
    return write_xlsx(
        [
            Sheet(
                "绩效评价排名",
                ["名次", "单位", *groups, "扣分", "总分", "等级"],
                rows,
                caption=f"绩效评价排名（{start} 至 {end}）",
            )
        ]
    )
