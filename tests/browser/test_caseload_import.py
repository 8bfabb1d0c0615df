"""In Debian's chromium (headless, through Playwright): a town caseworker opens the caseload
import page, downloads nothing, uploads a workbook with a wrong ID number and a missing column,
and reads the report naming the sheet, the row and the column of each error."""

from __future__ import annotations

import pytest


@pytest.mark.django_db(transaction=True)
def test_upload_with_errors_shows_the_report(live_server, browser, login, staff, units, tmp_path):
    from jiuzhu.caseload.testing import household_rows, workbook

    staff("town_caseworker", username="caseworker")
    rows = household_rows("OLD-9", [{"name": "陈一", "id_number": "110101199001011234", "relation": "户主"}])
    rows["incomes"] = [
        {
            "id_number": "110101199001011234",
            "kind": "wages",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        }
    ]
    path = tmp_path / "存量数据.xlsx"
    path.write_bytes(workbook(rows, drop={"incomes": {"monthly_amount"}}))

    page = login(browser, live_server.url, "caseworker")
    page.goto(f"{live_server.url}/caseload/")
    assert page.get_by_role("link", name="下载 Excel 模板（含填写示例）").is_visible()
    page.set_input_files("#caseload-file", str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/caseload/imports/*/")

    # the wrong number is reported where it is typed: the member's row and the income's row
    assert page.get_by_role("heading", name="校验报告：共 3 个错误").is_visible()
    table = page.locator("table.errors").inner_text()
    assert "成员\t第 2 行\t身份证号码\t身份证号码校验位错误" in table
    assert "收入\t第 2 行\t身份证号码\t身份证号码校验位错误" in table
    assert "收入\t第 1 行\t月均金额（元）\t缺少必填列“月均金额（元）”" in table
    assert page.get_by_role("button", name="审核通过并导入").count() == 0  # not by the uploader
