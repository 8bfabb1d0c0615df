"""Term files (DOMAIN §7 教育): the bureau downloads a school's eligible pupils as a workbook, the
school marks 确认在读 是/否 and sends it back; the upload is checked by the background worker
(nothing granted yet), the report shows the problem rows, a file with problems cannot be applied,
a clean one is applied once and grants the confirmed pupils only."""

from datetime import date
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from jiuzhu.common import jobs
from jiuzhu.common.models import AccessLog
from jiuzhu.education.models import TermGrant, TermReturn

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(officer, register_school, dibao_home, enrol):
    school = register_school("SCH-F", "示范市第三中学", "622800001111000003")
    home = dibao_home(("小学乙", date(2016, 2, 2)), ("高中丙", date(2009, 3, 3)))
    m = {p.name: p for p in home.members.all()}
    for name, stage in (("小学乙", "primary"), ("高中丙", "senior")):
        enrol(school, m[name], stage)
    return {"officer": officer, "school": school, "m": m}


def _download(client, w):
    r = client.get(f"/education/schools/{w['school'].pk}/term.xlsx?term=2026-03-01")
    assert r.status_code == 200 and "spreadsheetml" in r["Content-Type"]
    return load_workbook(BytesIO(r.content))


def _upload(client, w, wb):
    out = BytesIO()
    wb.save(out)
    f = SimpleUploadedFile("回传.xlsx", out.getvalue())
    r = client.post(f"/education/schools/{w['school'].pk}/term/upload/", {"term": "2026-03-01", "file": f})
    assert r.status_code == 302 and r["Location"].startswith("/jobs/"), r
    assert not TermGrant.objects.exists()  # the request only queued the check
    assert jobs.work_off() == 1
    return client.get(r["Location"]).context["job"].result["url"]


def _rows(wb):
    ws = wb.worksheets[0]
    start = next(r[0].row for r in ws.iter_rows() if r[0].value == "人员编号")
    return ws, [r for r in ws.iter_rows(min_row=start + 1) if r[0].value is not None]


def test_the_school_returns_the_list_checked_reported_and_applied_once(world, client):
    w = world
    client.force_login(w["officer"])
    wb = _download(client, w)
    ws, rows = _rows(wb)
    assert [r[1].value for r in rows] == ["小学乙", "高中丙"] and all("*" in r[2].value for r in rows)
    assert AccessLog.objects.filter(action="export", object_type="education.term").exists()

    rows[1][6].value = "不确定"  # a problem row
    ws.append([999999, "外校学生", "", "", "", "", "是"])
    report = _upload(client, w, wb)
    page = client.get(report).content.decode()
    assert "问题 2 处" in page and "不在本学期可资助名单中" in page and "按回传名单确认发放" not in page
    bad = TermReturn.objects.get()
    r = client.post(f"/education/returns/{bad.pk}/apply/", follow=True)
    assert "请学校改正后重新上传" in r.content.decode() and not TermGrant.objects.exists()

    wb = _download(client, w)
    ws, rows = _rows(wb)
    rows[1][6].value = "否"  # 高中丙 no longer at this school
    report = _upload(client, w, wb)
    good = TermReturn.objects.latest("pk")
    assert (good.confirmed, good.declined, good.errors) == ([w["m"]["小学乙"].pk], [w["m"]["高中丙"].pk], [])
    page = client.post(f"/education/returns/{good.pk}/apply/", follow=True).content.decode()
    assert "已按学校回传名单确认发放 1 名学生" in page
    assert list(TermGrant.objects.values_list("person__name", flat=True)) == ["小学乙"]
    again = client.post(f"/education/returns/{good.pk}/apply/", follow=True).content.decode()
    assert "已确认发放" in again and TermGrant.objects.count() == 1


def test_not_a_workbook_and_another_bureau_are_refused(world, client, staff):
    w = world
    client.force_login(w["officer"])
    f = SimpleUploadedFile("名单.xlsx", b"not a workbook")
    r = client.post(f"/education/schools/{w['school'].pk}/term/upload/", {"term": "2026-03-01", "file": f})
    jobs.work_off()
    job = client.get(r["Location"]).context["job"]
    assert job.state == "failed" and "不是有效的 Excel" in job.message
    assert not TermReturn.objects.exists()
    client.force_login(staff("department_officer", "housing"))
    assert client.get(f"/education/schools/{w['school'].pk}/term.xlsx?term=2026-03-01").status_code == 403
