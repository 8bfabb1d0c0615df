"""End to end in Debian's chromium (headless, through Playwright): the clerk registers a
request for a household and refers it to two services; one department transfers it, the other
asks for material and then answers; the applicant's public page shows both results.

Skipped (with the reason) only when /usr/bin/chromium is absent; CI installs it."""

from __future__ import annotations

from datetime import date

import pytest


def _messages(page) -> str:
    return page.locator("main").inner_text()


@pytest.mark.django_db(transaction=True)
def test_intake_flow(catalogue, live_server, browser, login, staff, make_household, policy):
    from jiuzhu.intake.models import Application, Referral
    from jiuzhu.intake.testing import two_services

    household = make_household(
        members=[
            {"name": "周志强", "birth": date(1972, 7, 7), "relation": "head"},
            {"name": "周小雨", "birth": date(2011, 3, 3), "relation": "child", "gender": "F"},
        ]
    )
    a, b = two_services(policy)
    clerk = staff("window_clerk", "town_chengdong", username="clerk")
    staff("department_officer", a.unit_code, username="officer_a")
    staff("department_officer", b.unit_code, username="officer_b")
    to = next(
        u for u in ("civil_affairs", "housing", "education", "hrss") if u not in (a.unit_code, b.unit_code)
    )
    base = live_server.url
    assert clerk.unit.code == "town_chengdong"

    # 1. the clerk finds the household and registers the request
    page = login(browser, base, "clerk")
    page.goto(f"{base}/intake/")
    page.fill("#q", household.code)
    page.keyboard.press("Enter")
    page.click(f"a[href='/intake/new/{household.code}/']")
    page.check("input[name=needs][value=education]")
    page.check("input[name=needs][value=medical]")
    page.fill("#description", "孩子上学和看病负担重")
    page.click("button:has-text('受理并生成查询码')")
    page.wait_for_url("**/intake/a/*/")
    app = Application.objects.get()
    assert "已受理" in _messages(page)

    # 2. refers to two services from the proposals
    for s in (a, b):  # the services are grouped by category; a folded group is opened first
        if not page.locator(f"#svc-{s.code}").is_visible():
            page.click(f"details:has(#svc-{s.code}) > summary")
        page.check(f"#svc-{s.code}")
    page.click("button:has-text('确认分办所选事项')")
    assert "已分办" in _messages(page)
    receipt = page.context.new_page()
    receipt.goto(f"{base}/intake/a/{app.tracking_code}/receipt/")
    assert "受理回执" in receipt.inner_text("body") and a.name in receipt.inner_text("body")
    ra = Referral.objects.get(service_code=a.code)
    rb = Referral.objects.get(service_code=b.code)

    # 3. department A transfers it to another unit
    pa = login(browser, base, "officer_a")
    pa.goto(f"{base}/intake/inbox/")
    pa.click(f"a[href='/intake/r/{ra.pk}/']")
    pa.select_option("#to_unit", to)
    pa.fill("#reason", "该事项属接收单位职责")
    pa.click("button:has-text('转办')")
    assert "已转办" in _messages(pa)

    # 4. department B asks for material; the window records it; B answers
    pb = login(browser, base, "officer_b")
    pb.goto(f"{base}/intake/r/{rb.pk}/")
    pb.fill("#missing", "学籍证明；医疗费用票据")
    pb.click("button:has-text('要求补正（暂停计时）')")
    assert "计时暂停" in _messages(pb)
    page.goto(f"{base}/intake/a/{app.tracking_code}/")
    page.click("button:has-text('补正材料已送达')")
    assert "计时恢复" in _messages(page)
    pb.goto(f"{base}/intake/r/{rb.pk}/")
    pb.fill("#reasons", "家庭人均收入高于标准")
    pb.fill("#basis", "社会救助暂行办法第三十三条")
    pb.fill("#alternatives", "可申请慈善助学项目")
    pb.click("button:has-text('反馈不予救助')")
    assert "已反馈" in _messages(pb)

    # 5. the applicant's page (no log-in) shows both results
    public = browser.new_context(locale="zh-CN").new_page()
    public.goto(f"{base}/intake/track/")
    public.fill("#code", app.tracking_code)
    public.fill("#id_tail", app.id_tail)
    public.keyboard.press("Enter")
    public.wait_for_selector("#result")
    text = public.inner_text("#result")
    assert a.name in text and b.name in text
    assert "已转办" not in text or "转至" in text
    assert "已分办待签收" in text  # A's new leg waits at the receiving unit
    assert "不予救助" in text and "社会救助暂行办法第三十三条" in text and "慈善助学" in text
    assert "周志强" not in text and household.code not in text
