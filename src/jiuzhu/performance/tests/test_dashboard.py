"""The leaders' dashboard: charts whose elements link to their case lists, the PDF briefing,
who may open it, the refresh command and the demo seed."""

from datetime import date

from django.core.management import call_command

from jiuzhu.performance import demo
from jiuzhu.performance.models import KpiSnapshot


def test_dashboard_charts_link_to_case_lists(may_cases, staff, client):
    call_command("kpis", "--refresh", "--year", "2026", verbosity=0)
    client.force_login(staff("convener"))
    page = client.get("/performance/?year=2026").content.decode()
    assert page.count("<svg") >= 4
    # the May overdue cell of the education bureau links to its list
    assert "figure=overdue&amp;start=2026-05-01&amp;end=2026-05-31&amp;unit=education" in page
    listing = client.get("/performance/cases/?figure=overdue&start=2026-05-01&end=2026-05-31&unit=education")
    assert may_cases["B"].application.tracking_code in listing.content.decode()
    pdf = client.get("/performance/briefing.pdf?year=2026")
    assert pdf.content.startswith(b"%PDF")


def test_a_window_clerk_may_not_open_the_dashboard(staff, client):
    client.force_login(staff("window_clerk"))
    resp = client.get("/performance/")
    assert resp.status_code == 403 and "不能查看" in resp.content.decode()


def test_demo_seed_is_idempotent(may_cases, policy):
    demo.seed(policy=policy, today=date(2026, 6, 1))
    n = KpiSnapshot.objects.count()
    demo.seed(policy=policy, today=date(2026, 6, 1))
    assert (
        KpiSnapshot.objects.count()
        == n
        == 12 * (1 + len({u for u in KpiSnapshot.objects.values_list("unit", flat=True) if u}))
    )


def test_period_page_shows_figures_with_links_and_dashes_for_missing_areas(may_cases, staff, client):
    client.force_login(staff("approver"))
    page = client.get("/performance/kpis/?unit=education&start=2026-05-01&end=2026-05-31").content.decode()
    assert "实时计算" in page and "66.7%" in page
    assert "figure=late&amp;start=2026-05-01&amp;end=2026-05-31&amp;unit=education" in page
    assert "家庭收入超过标准：2 件" in page
