"""In Debian's chromium (headless, through Playwright): the emergency bureau's officer opens a
disaster event, uploads a village list with a bad row (checked by the background worker, its job
page linking to the report), reads the report naming the row, the
column and the reason, imports the good rows and sees the event's figures."""

from __future__ import annotations

from datetime import timedelta

import pytest


@pytest.mark.django_db(transaction=True)
def test_village_list_with_a_bad_row_is_reported_then_applied(
    live_server, browser, login, staff, units, tmp_path
):
    from jiuzhu.common import clock
    from jiuzhu.disaster.services import event_declare
    from jiuzhu.disaster.testing import village_rows, workbook

    officer = staff("department_officer", "emergency", username="emergency")
    event = event_declare(
        actor=officer,
        name="城东洪涝",
        kind="flood",
        occurred_on=clock.today() - timedelta(days=20),
        level="IV",
        towns=[units["town_chengdong"]],
        fund="100000",
    )
    rows = village_rows(3, town="城东街道")
    rows[1]["户主身份证号码"] = rows[1]["户主身份证号码"][:17] + (
        "1" if rows[1]["户主身份证号码"][17] != "1" else "2"
    )
    path = tmp_path / "河口村.xlsx"
    path.write_bytes(workbook(rows))

    page = login(browser, live_server.url, "emergency")
    page.goto(f"{live_server.url}/disaster/")
    page.get_by_role("link", name="城东洪涝").click()
    page.set_input_files("#list-file", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/jobs/*/")  # the list is checked by the background worker
    from jiuzhu.common import jobs

    assert jobs.work_off() == 1
    page.get_by_role("link", name="查看校验报告").click()  # the job's panel shows it when done
    page.wait_for_url("**/disaster/lists/*/")

    assert page.get_by_role("heading", name="校验报告：3 行，可导入 2 行，1 行有错误（共 1 个）").is_visible()
    table = page.locator("table.errors").inner_text()
    assert "第 3 行\t户主身份证号码\t身份证号码校验位错误" in table

    page.get_by_role("button", name="导入校验通过的 2 户").click()
    page.wait_for_url(f"**/disaster/events/{event.pk}/")
    assert page.get_by_text("已导入受灾家庭 2 户（其中新建家庭 2 户）").is_visible()
    assert page.get_by_text("2 户（登记时新建家庭 2 户）").is_visible()
