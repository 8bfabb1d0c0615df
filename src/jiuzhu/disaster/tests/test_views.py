"""The screens as the emergency-management officer uses them: declare an event, upload a
village list with a bad row, read the report, apply, settle a month, see the figures."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jiuzhu.common import jobs
from jiuzhu.disaster.models import AffectedHousehold, DisasterEvent
from jiuzhu.disaster.testing import village_rows, workbook

pytestmark = pytest.mark.django_db


def _text(resp) -> str:
    return re.sub(r"<[^>]+>", "", resp.content.decode())


def test_declare_upload_report_apply_settle(client, officer, units, first_month):
    client.force_login(officer)
    resp = client.post(
        "/disaster/events/new/",
        {
            "name": "城西山洪",
            "kind": "flood",
            "occurred_on": (first_month + timedelta(days=4)).isoformat(),
            "level": "III",
            "towns": [units["town_chengxi"].pk],
            "fund": "200000",
        },
    )
    event = DisasterEvent.objects.get(name="城西山洪")
    assert resp.status_code == 302 and resp.url == f"/disaster/events/{event.pk}/"

    rows = village_rows(3, town="城西街道", village="石门村")
    rows[0].update({"受灾人口": "2", "需过渡安置人数": "2"})
    rows[1]["受灾人口"] = "十"
    f = SimpleUploadedFile("石门村.xlsx", workbook(rows))
    resp = client.post(f"/disaster/events/{event.pk}/lists/upload/", {"file": f})
    assert resp.status_code == 302 and resp.url.startswith("/jobs/")
    assert jobs.work_off() == 1  # the worker reads the list
    resp = client.get(client.get(resp.url).context["job"].result["url"])
    page = _text(resp)
    assert "3 行，可导入 2 行，1 行有错误" in page
    assert "第 3 行" in page and "受灾人口“十”应为 0 到 50 的整数" in page

    resp = client.post(resp.request["PATH_INFO"] + "apply/")
    assert resp.status_code == 302
    page = _text(client.get(resp.url))
    assert "已导入受灾家庭 2 户（其中新建家庭 2 户）" in page
    assert "2 户（登记时新建家庭 2 户）" in page and "石门村" in page
    assert AffectedHousehold.objects.filter(event=event).count() == 2

    resp = client.post(f"/disaster/events/{event.pk}/settle/", {"month": first_month.strftime("%Y-%m")})
    page = _text(client.get(resp.url))
    days = ((first_month.replace(day=28) + timedelta(days=4)).replace(day=1) - first_month).days - 4
    assert f"已核发 1 户，金额 {40 * days}.00 元" in page
    assert f"已核发 {2 * days} 人·天" in page


def test_a_bad_file_is_reported_not_crashed(client, officer, event):
    client.force_login(officer)
    f = SimpleUploadedFile("名单.txt", b"hello")
    resp = client.post(f"/disaster/events/{event.pk}/lists/upload/", {"file": f}, follow=True)
    assert "请上传 Excel（.xlsx）或 CSV 文件" in _text(resp)


def test_another_department_cannot_open_the_event(client, staff, event):
    client.force_login(staff("department_officer", "education"))
    assert client.get(f"/disaster/events/{event.pk}/").status_code == 403
    page = _text(client.get("/disaster/"))
    assert event.name not in page and "暂无灾害事件" in page
