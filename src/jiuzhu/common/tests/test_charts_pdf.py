import io
from decimal import Decimal

from reportlab.pdfgen import canvas

from jiuzhu.common import charts, pdf


def test_hbars_scales_to_the_longest_row_and_escapes_labels():
    svg = charts.hbars(
        [charts.row("<b>城东</b>", Decimal("2000"), href="/x?a=1&b=2"), charts.row("城西", Decimal("1000"))],
        title="发放",
        width=410,
        label_w=150,
    )
    assert svg.startswith("<svg") and 'aria-label="发放"' in svg
    assert "&lt;b&gt;城东" in svg and "<b>" not in svg
    assert 'href="/x?a=1&amp;b=2"' in svg
    assert 'width="150"' in svg and 'width="75"' in svg  # 150 px of plot: the longest fills it
    assert "2,000" in svg


def test_stacked_bars_carry_a_legend_and_an_empty_chart_says_so():
    svg = charts.hbars(
        [charts.Row("死亡", (charts.Bar(3, colour="#f00"), charts.Bar(1, colour="#00f")))],
        title="预警",
        stacked=True,
        legend=[("#f00", "待处理"), ("#00f", "已核实")],
    )
    assert "待处理" in svg and ">4<" in svg
    assert charts.hbars([], title="按月发放", empty=None) == '<p class="muted">按月发放：暂无数据</p>'


def test_vbars_and_heat_link_each_figure_to_its_list():
    svg = charts.vbars([charts.row("1月", 5, href="/cases?m=1", title="新申请 5 件")], title="新申请")
    assert '<a href="/cases?m=1"><title>1月：新申请 5 件</title>' in svg
    grid = charts.heat(
        ["城东"], ["1"], {("城东", "1"): 2}, {("城东", "1"): "/late"}, title="超期", what="超期"
    )
    assert 'href="/late"' in grid and "城东 1：超期 2 件" in grid


def test_the_cjk_font_draws_chinese():
    name = pdf.cjk_font()
    assert pdf.cjk_font() == name  # registered once
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont(name, 12)
    c.drawString(72, 720, "最低生活保障")
    c.save()
    assert buf.getvalue().startswith(b"%PDF")
