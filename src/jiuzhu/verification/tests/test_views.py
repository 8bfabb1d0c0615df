"""Screens: the desks render for each role; upload → report → apply through forms; a report
page is logged and shows detail or summary by role."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jiuzhu.common import jobs
from jiuzhu.common.models import AccessLog
from jiuzhu.verification import services, testing
from jiuzhu.verification.models import DatasetUpload

from .conftest import TODAY, stranger_rows


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_desks_upload_and_report_pages(worked, clerk, officer, provider_of, staff, all_datasets):
    p = login(provider_of("banks"))
    assert p.get("/verification/").status_code == 200
    data = testing.csv_bytes("banks", stranger_rows("banks"))
    r = p.post(
        "/verification/upload/",
        {"file": SimpleUploadedFile("b.csv", data), "source": "banks", "as_of": "2026-03-01"},
    )
    assert r.status_code == 302 and r["Location"].startswith("/jobs/")
    assert jobs.work_off() == 1
    up = DatasetUpload.objects.get()
    assert f"/verification/upload/{up.pk}/" in p.get(r["Location"]).content.decode()
    page = p.get(f"/verification/upload/{up.pk}/")
    assert "没有错误" in page.content.decode()
    r = p.post(f"/verification/upload/{up.pk}/apply/", {"mode": "whole"})
    assert r["Location"].startswith("/jobs/") and jobs.work_off() == 1
    assert "已导入第 1 版" in p.get(r["Location"]).content.decode()
    up.refresh_from_db()
    assert up.state == DatasetUpload.APPLIED

    all_datasets()
    testing.authorise(worked, clerk, on=TODAY)
    req = services.request_create(actor=clerk, household=worked, service_code="dibao", today=TODAY)
    o = login(officer)
    assert "出具核对报告" in o.get(f"/verification/r/{req.pk}/").content.decode()
    r = o.post(f"/verification/r/{req.pk}/issue/")
    assert r.status_code == 302
    report_url = r["Location"]
    html = o.get(report_url).content.decode()
    assert "张建国" in html and "与“最低生活保障”标准比较" in html
    other = login(staff("supervisor")).get(report_url).content.decode()
    assert "明细仅向核对员和本案经办人显示" in other and "张建国" not in other
    outsider = login(staff("department_officer", "education")).get(report_url).content.decode()
    assert "不能查阅核对报告" in outsider and "张建国" not in outsider
    assert AccessLog.objects.filter(object_type="verification_report").count() == 2
    assert login(clerk).get("/verification/").status_code == 200
