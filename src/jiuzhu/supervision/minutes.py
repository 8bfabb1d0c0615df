"""A meeting's papers as a PDF (reportlab, CJK font as in payments/decisions): heading, agenda
with its open-directive table and key figures, attendance, minutes, directives decided."""

from __future__ import annotations

import io

from jiuzhu.common.pdf import cjk_font

from .models import AgendaKind, AttendanceStatus, Meeting


def meeting_pdf(meeting: Meeting, *, city: str = "") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = cjk_font()
    body = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    h1 = ParagraphStyle("h1", parent=body, fontSize=16, leading=22, alignment=1, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=body, fontSize=12.5, leading=18, spaceBefore=8, spaceAfter=4)
    small = ParagraphStyle("small", parent=body, fontSize=9, leading=12)
    grid = TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), font),
            ("FONTSIZE", (0, 0), (-1, -1), 9),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eef1f5")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ]
    )

    def table(rows, widths):
        cells = [[Paragraph(str(c), small) for c in row] for row in rows]
        t = Table(cells, colWidths=[w * mm for w in widths], repeatRows=1)
        t.setStyle(grid)
        return t

    story = [Paragraph(f"{city}{meeting.title}", h1)]
    when = meeting.held_on or meeting.planned_on
    story.append(
        Paragraph(
            f"{meeting.get_kind_display()} · {'召开' if meeting.held_on else '计划'}日期 {when:%Y年%m月%d日}"
            + (f" · 地点 {meeting.location}" if meeting.location else "")
            + f" · {meeting.get_status_display()}",
            body,
        )
    )
    story.append(Paragraph("一、议程", h2))
    for i, item in enumerate(meeting.agenda.all(), 1):
        story.append(Paragraph(f"{i}. {item.title}" + (f"：{item.detail}" if item.detail else ""), body))
        if item.kind == AgendaKind.DIRECTIVES and item.data.get("rows"):
            rows = [["督办事项", "承办单位", "期限", "状态"]] + [
                [
                    f"{r['directive']} {r['title']}",
                    r["unit"],
                    r["due_on"],
                    r["state"] + ("（超期）" if r["overdue"] else ""),
                ]
                for r in item.data["rows"]
            ]
            story.append(table(rows, [80, 40, 25, 30]))
        if item.kind == AgendaKind.FIGURES and item.data.get("figures"):
            rows = [["指标", "数值"]] + [[f["label"], f["value"]] for f in item.data["figures"]]
            story.append(table(rows, [120, 55]))
        story.append(Spacer(1, 3 * mm))
    attendance = list(meeting.attendance.select_related("unit"))
    if attendance:
        counts = {k: sum(a.status == k for a in attendance) for k, _ in AttendanceStatus.choices}
        story.append(Paragraph("二、出席情况", h2))
        story.append(
            Paragraph(
                f"出席 {counts['present']} 家，委托出席 {counts['delegate']} 家，缺席 {counts['absent']} 家。",
                body,
            )
        )
        rows = [["成员单位", "出席情况", "出席人"]] + [
            [a.unit.name, a.get_status_display(), a.attendee] for a in attendance
        ]
        story.append(table(rows, [70, 40, 65]))
    if meeting.minutes:
        story.append(Paragraph("三、会议纪要", h2))
        for para in meeting.minutes.splitlines():
            if para.strip():
                story.append(Paragraph(para.strip(), body))
    decided = list(meeting.directives.prefetch_related("assignments__unit"))
    if decided:
        story.append(Paragraph("四、交办督办事项", h2))
        rows = [["编号", "督办事项", "承办单位", "期限"]] + [
            [d.number, d.title, "、".join(a.unit.name for a in d.assignments.all()), f"{d.due_on:%Y-%m-%d}"]
            for d in decided
        ]
        story.append(table(rows, [25, 80, 45, 25]))
    buf = io.BytesIO()
    SimpleDocTemplate(
        buf,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=meeting.title,
    ).build(story)
    return buf.getvalue()
