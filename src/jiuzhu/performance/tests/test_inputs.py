"""The evaluator's points and evidence, and the period a page is asked for, go through
``common.values``: a score out of range or not a number, evidence with a control character or
over the bound, a year the calendar cannot hold are refused with the Chinese reason (the API:
422 with the field and code) and nothing is written."""

import pytest

from jiuzhu.common import values
from jiuzhu.performance.models import ManualItem

URL = "/performance/evaluation/town_chengdong/?year=2026"


@pytest.mark.parametrize(
    "points, evidence, words",
    [
        ("NaN", "公开栏照片", "得分应为数字"),
        ("1e30", "公开栏照片", "得分超出合理范围"),
        ("-1", "公开栏照片", "得分不能为负数"),
        ("4.125", "公开栏照片", "最多两位小数"),
        ("4", "公开栏\x00照片", "佐证材料说明含有不可见的控制字符"),
        ("4", "证" * (values.NOTE_MAX + 1), f"佐证材料说明不能超过 {values.NOTE_MAX} 个字"),
    ],
)
def test_the_evaluation_form_refuses_bad_points_or_evidence(units, staff, client, points, evidence, words):
    client.force_login(staff("convener"))
    page = client.post(
        URL, {"indicator": "disclosure", "points": points, "evidence": evidence}, follow=True
    ).content.decode()
    assert words in page
    assert not ManualItem.objects.exists()


@pytest.mark.parametrize("year", ["99999", "0", "1066", "abc"])
def test_a_year_the_platform_cannot_hold_is_refused_not_a_crash(units, staff, client, year):
    client.force_login(staff("convener"))
    for page in ("/performance/", "/performance/briefing.pdf"):
        resp = client.get(page, {"year": year})
        assert resp.status_code == 400 and "年份" in resp.content.decode(), page
    assert client.get("/performance/public/", {"year": year}).status_code == 200  # this year's figures
    resp = client.get(f"/performance/evaluation/town_chengdong/?year={year}")
    assert resp.status_code == 400 and "年份" in resp.content.decode()
    resp = client.post(
        f"/performance/evaluation/town_chengdong/?year={year}",
        {"indicator": "disclosure", "points": "4", "evidence": "公开栏照片"},
    )
    assert resp.status_code == 400 and not ManualItem.objects.exists()


def test_the_api_refuses_a_period_outside_the_window_with_its_code(units, staff, client):
    client.force_login(staff("convener"))
    resp = client.get("/api/performance/kpis?start=2099-01-01")
    body = resp.json()
    assert resp.status_code == 422 and body["field"] == "start"
    assert body["errors"][0]["type"] == "date_out_of_range" and "不在可查询范围" in body["message"]
