"""Decision letters (决定书): content built and checked here, frozen on a ``Letter`` row, drawn
as PDF with reportlab. A refusal (or a stop) is never issued without its reasons with
figures, the rule, the alternatives the household may still use and the appeal rights
(社会救助暂行办法 第六十五条; 最低生活保障审核确认办法 第二十一条)."""

from __future__ import annotations

import io
import re
from datetime import date

from jiuzhu.common.errors import ValidationFailed
from jiuzhu.common.params import parameter
from jiuzhu.common.pdf import cjk_font
from jiuzhu.registry.models import User

from .models import Letter

_DIGIT = re.compile(r"\d")


def appeal_rights(policy, on: date, *, authority: str) -> dict:
    days = int(parameter(policy, "remedy.review_days", on))
    months = int(parameter(policy, "remedy.litigation_months", on))
    return {
        "review_days": days,
        "litigation_months": months,
        "text": f"如对本决定不服，可以自收到本决定书之日起{days}日内向{authority}的上一级机关或本级人民政府"
        f"申请行政复议，或者自收到本决定书之日起{months}个月内依法向人民法院提起行政诉讼。",
    }


def alternatives(result: dict, policy, extra: list[str] | None = None) -> list[dict]:
    """What the household may still use: other services the rules find it eligible for, the
    low-income-marginal help (medical, education, housing, employment), charity help."""
    out = []
    for o in result.get("others", []):
        if o["service"] == "low_income_marginal":
            out.append(
                {"kind": "marginal", "text": "可认定为低保边缘家庭，享受医疗、教育、住房、就业等专项救助"}
            )
        elif o["category"] != "social":
            amount = f"（规则测算 {o['amount']} 元）" if o.get("amount") else ""
            out.append({"kind": "service", "service": o["service"], "text": f"可申请{o['name']}{amount}"})
    charity = [s.name for s in policy.services_in("social")]
    if charity:
        out.append({"kind": "charity", "text": f"可向慈善组织和社会力量申请帮扶：{'、'.join(charity)}"})
    for text in extra or []:
        if text.strip():
            out.append({"kind": "other", "text": text.strip()})
    return out


def check_adverse(content: dict) -> None:
    """A refusal or a stop must hold reasons with figures, the rule, alternatives and appeal
    rights; each missing part has its own error code."""
    reasons = content.get("reasons") or []
    if not reasons:
        raise ValidationFailed("不予批准须写明理由", field="reasons", code="refusal_reasons_required")
    if not any(_DIGIT.search(r.get("detail", "")) for r in reasons):
        raise ValidationFailed(
            "理由须写明核算的数额或标准（如人均收入与低保标准的比较）",
            field="reasons",
            code="refusal_figures_required",
        )
    if not (content.get("basis") or "").strip():
        raise ValidationFailed("须写明政策依据", field="basis", code="refusal_basis_required")
    if not content.get("alternatives"):
        raise ValidationFailed(
            "须告知可申请的其他救助、低保边缘帮扶或慈善帮扶",
            field="alternatives",
            code="refusal_alternatives_required",
        )
    appeal = content.get("appeal") or {}
    if not (appeal.get("review_days") and appeal.get("litigation_months")):
        raise ValidationFailed(
            "须告知申请行政复议和提起行政诉讼的权利和期限", field="appeal", code="refusal_appeal_required"
        )


def issue(*, kind: str, household, content: dict, actor: User, today: date, case=None, review=None) -> Letter:
    if kind in (Letter.REFUSAL, "review_stop"):
        check_adverse(content)
    n = Letter.objects.filter(household=household).count() + 1
    number = f"救助决〔{today.year}〕{household.code}-{n}"
    content = {**content, "number": number, "issued_on": today.isoformat(), "kind": kind}
    return Letter.objects.create(
        number=number,
        kind=kind,
        household=household,
        case=case,
        review=review,
        content=content,
        issued_on=today,
        issued_by=actor,
    )


# --- PDF --------------------------------------------------------------------------------------


def lines_of(letter: Letter) -> list[str]:
    """The letter's text, paragraph by paragraph (the PDF and the screen show the same)."""
    c = letter.content
    out = [f"{c.get('addressee', '')}：", c.get("opening", "")]
    if c.get("amount"):
        out.append(f"核定保障金额：每月 {c['amount']} 元，自 {c.get('start_month', '')} 起发放。")
    if c.get("members"):
        out.append(f"保障对象：{'、'.join(c['members'])}（共 {len(c['members'])} 人）")
    if c.get("next_review_on"):
        out.append(f"下次复核日期：{c['next_review_on']}")
    if c.get("reasons"):
        out.append("理由：")
        out += [f"{i}. {r['detail']}（{r['basis']}）" for i, r in enumerate(c["reasons"], 1)]
    if c.get("basis"):
        out.append(f"依据：{c['basis']}")
    if c.get("alternatives"):
        out.append("您还可以：")
        out += [f"· {a['text']}" for a in c["alternatives"]]
    if c.get("appeal"):
        out.append(c["appeal"]["text"])
    out.append(f"{c.get('authority', '')}　{c.get('issued_on', '')}")
    return [x for x in out if x]


def pdf(letter: Letter) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    font = cjk_font()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setTitle(f"{letter.get_kind_display()} {letter.number}")
    w, h = A4
    y = h - 25 * mm
    c.setFont(font, 16)
    c.drawCentredString(w / 2, y, letter.content.get("title", letter.get_kind_display()))
    y -= 8 * mm
    c.setFont(font, 10)
    c.drawCentredString(w / 2, y, letter.number)
    y -= 12 * mm
    width = w - 40 * mm
    for para in lines_of(letter):
        line = ""
        for ch in para:
            if stringWidth(line + ch, font, 11) > width:
                c.setFont(font, 11)
                c.drawString(20 * mm, y, line)
                y -= 6.5 * mm
                line = ""
                if y < 20 * mm:
                    c.showPage()
                    y = h - 20 * mm
            line += ch
        c.setFont(font, 11)
        c.drawString(20 * mm, y, line)
        y -= 8 * mm
        if y < 20 * mm:
            c.showPage()
            y = h - 20 * mm
    c.showPage()
    c.save()
    return buf.getvalue()
