"""The leaders' dashboard: charts and the unit table for one year, read from the snapshots."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import NoReverseMatch, reverse
from django.utils.safestring import mark_safe

from jiuzhu.common import charts, clock
from jiuzhu.registry.models import Unit

from . import kpis, selectors


def _spent(data: dict) -> Decimal:
    return sum((Decimal(v["amount"]) for v in data.get("spending", {}).values()), Decimal(0))


def _rows(items, suffix: str = "") -> list[charts.Row]:
    """(label, value, href, title) each: one bar that links to the cases behind it."""
    return [
        charts.row(label, value, text=f"{charts.fmt(value)}{suffix}", href=href, title=title)
        for label, value, href, title in items
    ]


def _url(name: str, fallback: str) -> str:
    try:
        return reverse(name)
    except NoReverseMatch:
        return fallback


def live(*, cases_url) -> dict:
    """Today's figures, read live beside the snapshots (``selectors.today_figures``), with
    their charts."""
    from jiuzhu.common.labels import label, yuan

    f = selectors.today_figures()
    public = reverse("performance:public")
    today = f["today"]
    month_start = kpis.month_start(today)
    f["charts"] = {
        "coverage": mark_safe(
            charts.hbars(
                _rows(
                    [
                        (
                            t.name,
                            d["rate"] or Decimal(0),
                            public,
                            f"保障 {d['recipients']} / 监测 {d['monitored']} 人",
                        )
                        for t, d in f["coverage_by_town"]
                    ],
                    suffix="%",
                ),
                title="各镇街保障覆盖率",
            )
        ),
        "programmes": mark_safe(
            charts.hbars(
                _rows(
                    [
                        (label("category", cat), amount, public, f"{yuan(amount)}，{n} 人")
                        for cat, amount, n in f["spending_by_programme"]
                    ]
                ),
                title="各类救助本月应发",
                colour="#805ad5",
            )
        ),
        "units": mark_safe(
            charts.hbars(
                _rows(
                    [
                        (name, amount, public, f"{yuan(amount)}，{n} 项待遇")
                        for name, amount, n in f["spending_by_unit"]
                    ]
                ),
                title="各单位本月应发",
                colour="#2b6cb0",
            )
        ),
        "overdue": mark_safe(
            charts.hbars(
                _rows(
                    [
                        (name, n, cases_url("overdue", month_start, today), f"超期 {n} 件")
                        for name, n in f["overdue_by_unit"]
                    ]
                ),
                title="各单位超期件数",
                colour="#c53030",
            )
        ),
    }
    return f


def context(*, year: int, cases_url, with_live: bool = True) -> dict:
    """The dashboard's figures for ``year``; ``with_live=False`` leaves out today's live figures
    (the page loads them after itself, from ``performance:live``; the briefing PDF keeps them)."""
    snaps = selectors.year_snapshots(year)
    ms = kpis.months(date(year, 1, 1), date(year, 12, 31))
    empty: dict = {}
    city = [snaps.get((None, m), empty) for m in ms]
    today = clock.today()
    upto = [m for m in ms if m <= today] or ms
    last = max(upto)
    public = reverse("performance:public")

    requests = charts.vbars(
        _rows(
            [
                (
                    f"{m.month}月",
                    c.get("new_requests", 0),
                    cases_url("new_requests", m, kpis.month_end(m)),
                    f"新申请 {c.get('new_requests', 0)} 件",
                )
                for m, c in zip(ms, city, strict=True)
            ]
        ),
        title=f"{year}年每月新申请（件）",
    )
    spending = charts.vbars(
        _rows(
            [
                (
                    f"{m.month}月",
                    _spent(c) if m <= today else Decimal(0),  # months to come are not spent yet
                    f"{public}?year={year}#month-{m.month}",
                    f"应发 ¥{_spent(c):,.2f}",
                )
                for m, c in zip(ms, city, strict=True)
            ]
        ),
        title=f"{year}年每月应发金额（元）",
        colour="#805ad5",
    )
    units = list(Unit.objects.order_by("sort_order", "id"))
    towns = [u for u in units if u.kind == Unit.Kind.TOWN]
    cov_items = []
    for t in towns:
        d = snaps.get((t.pk, last), empty)
        rate = kpis.coverage_rate(d.get("recipients", 0), d.get("monitored", 0)) or Decimal(0)
        cov_items.append(
            (
                t.name,
                rate,
                f"{public}?year={year}#month-{last.month}",
                f"保障 {d.get('recipients', 0)} / 监测 {d.get('monitored', 0)} 人",
            )
        )
    coverage = charts.hbars(_rows(cov_items, suffix="%"), title="各镇街保障覆盖率")
    cells, hrefs, rows = {}, {}, []
    for u in units:
        rows.append(u.name)
        for m in ms:
            d = snaps.get((u.pk, m), empty)
            cells[(u.name, f"{m.month}")] = d.get("late", 0) + d.get("open_overdue_at_end", 0)
            hrefs[(u.name, f"{m.month}")] = cases_url("overdue", m, kpis.month_end(m), u)
    heat = charts.heat(
        rows, [f"{m.month}" for m in ms], cells, hrefs, title="各单位每月超期件数", what="超期"
    )
    alerts = selectors.provider("alerts", start=date(year, 1, 1), end=date(year, 12, 31))
    funnel = None
    if alerts is not None:
        screening = _url("screening:home", "#")
        funnel = charts.hbars(
            _rows(
                [
                    ("发现预警", alerts["alerts_raised"], screening, "本年发现"),
                    ("已核处", alerts["alerts_resolved"], screening + "?status=", "本年核处"),
                    ("核实属实", alerts["alerts_confirmed"], screening + "?status=confirmed", "核处属实"),
                    ("超期未核处", alerts["alerts_overdue"], screening + "?status=open", "年末超期"),
                ]
            ),
            title="筛查预警核处",
            colour="#dd6b20",
        )
    table = []
    for u in units:
        parts = [snaps[(u.pk, m)] for m in ms if (u.pk, m) in snaps]
        if not parts:
            continue
        f = kpis.derive(kpis.merge(parts))
        table.append(
            {
                "unit": u,
                "f": f,
                "links": {
                    k: cases_url(k, date(year, 1, 1), date(year, 12, 31), u) for k in selectors.FIGURES
                },
            }
        )
    total = kpis.derive(kpis.merge([c for c in city if c])) if any(city) else None
    return {
        "year": year,
        "has_data": bool(snaps),
        "refreshed": selectors.last_refresh(year),
        "charts": {
            "requests": mark_safe(requests),
            "spending": mark_safe(spending),
            "coverage": mark_safe(coverage),
            "heat": mark_safe(heat),
            "funnel": mark_safe(funnel) if funnel else None,
        },
        "city": total,
        "city_links": {k: cases_url(k, date(year, 1, 1), date(year, 12, 31)) for k in selectors.FIGURES},
        "table": table,
        "coverage_month": last,
        "live": live(cases_url=cases_url) if with_live and year == clock.today().year else None,
        "live_pending": not with_live and year == clock.today().year,
        "alerts": alerts,
    }
