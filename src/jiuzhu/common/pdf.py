"""The CJK font every PDF the platform writes uses (letters, receipts, rolls, minutes,
evaluation reports). Chinese needs a CJK font: the WenQuanYi Micro Hei TrueType collection
Debian installs (fonts-wqy-microhei), embedded in the file; else reportlab's built-in Adobe CID
font STSong-Light (no file needed; the viewer supplies the glyphs)."""

from __future__ import annotations

from pathlib import Path

FONT_FILES = (Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),)
NAME = "JZ-CJK"
FALLBACK = "STSong-Light"


def cjk_font() -> str:
    """The name of the registered CJK font (registered once per process)."""
    from reportlab.pdfbase import pdfmetrics

    registered = pdfmetrics.getRegisteredFontNames()
    if NAME in registered:
        return NAME
    for path in FONT_FILES:
        if path.exists():
            from reportlab.pdfbase.ttfonts import TTFont

            pdfmetrics.registerFont(TTFont(NAME, str(path), subfontIndex=0))
            return NAME
    if FALLBACK not in registered:
        from reportlab.pdfbase.cidfonts import UnicodeCIDFont

        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK))
    return FALLBACK
