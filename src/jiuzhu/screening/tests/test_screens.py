"""The page, one alert, resolving through HTMX, the Excel report, the API and the command."""

import io
from datetime import date

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from jiuzhu.common import jobs
from jiuzhu.common.models import AccessLog, Job
from jiuzhu.registry.models import Person
from jiuzhu.registry.testing import make_id
from jiuzhu.screening.models import Alert
from jiuzhu.screening.selectors import kpi_alerts

from .conftest import AS_OF


@pytest.fixture
def raised(make_household, grant, screen):
    """Two alerts: a dead person still paid (town_chengnan's household, civil affairs acts) and
    extreme poverty on top of dibao."""
    b = make_household(members=[{"name": "孙已故", "birth": date(1940, 2, 2)}], town="town_chengnan")
    grant(b, "dibao", "950")
    Person.objects.filter(household=b).update(deceased_on=date(2026, 2, 10))
    a = make_household(members=[{"name": "钱双领", "birth": date(1950, 1, 9)}])
    grant(a, "dibao", "1140")  # the rules' amount: ¥950 + the add-on for 70 and over (grant control)
    grant(a, "tekun_dispersed", "1335", start=date(2026, 3, 1))
    screen()
    return {
        "dead": Alert.objects.get(rule="paid_after_death"),
        "double": Alert.objects.get(rule="exclusive_services"),
    }


def test_page_shows_charts_and_alerts_masked_for_a_department(client, staff, raised):
    client.force_login(staff("approver"))
    page = client.get("/screening/").content.decode()
    assert "<svg" in page and "死亡后仍发放" in page and "不得同时享受的事项同时享受" in page
    assert "钱双领" in page  # approvers see names
    officer = staff("department_officer", "civil_affairs")
    client.force_login(officer)
    detail = client.get(f"/screening/alerts/{raised['double'].pk}/").content.decode()
    full_id = raised["double"].person.id_number
    assert "钱双领" in detail and full_id not in detail and full_id[:3] in detail  # ID masked for departments
    assert AccessLog.objects.filter(object_type="screening.alert", username=officer.username).exists()


def test_town_sees_only_its_alerts_and_data_providers_nothing(client, staff, raised):
    client.force_login(staff("town_caseworker", "town_liuhe"))
    assert client.get(f"/screening/alerts/{raised['dead'].pk}/").status_code == 404
    client.force_login(staff("data_provider"))
    assert client.get("/screening/").status_code == 403


def test_resolve_through_htmx_and_errors_in_place(client, staff, raised):
    client.force_login(staff("approver"))
    pk = raised["dead"].pk
    bad = client.post(
        f"/screening/alerts/{pk}/resolve/", {"status": "false_positive", "note": ""}, HTTP_HX_REQUEST="true"
    )
    assert bad.status_code == 400 and "须写明理由" in bad.content.decode()
    ok = client.post(
        f"/screening/alerts/{pk}/resolve/",
        {"status": "confirmed", "action": "stop", "note": "已停发"},
        HTTP_HX_REQUEST="true",
    )
    assert ok.status_code == 200 and "已核实" in ok.content.decode() and "停发" in ok.content.decode()
    assert Alert.objects.get(pk=pk).status == "confirmed"


def test_excel_report_lists_alerts_and_is_logged(client, staff, raised, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    user = staff("supervisor")  # a supervisor changes nothing, but may have the report built
    client.force_login(user)
    queued = client.post("/screening/report.xlsx", {"status": ""})
    job = Job.objects.get(kind="screening.report")
    assert queued.status_code == 302 and queued.url == f"/jobs/{job.pk}/"
    assert jobs.work_off() == 1
    resp = client.get(f"/jobs/{job.pk}/file")
    assert resp.status_code == 200
    wb = load_workbook(io.BytesIO(resp.content))
    rows = list(wb["预警清单"].iter_rows(values_only=True))
    assert rows[0][0] == "编号" and len(rows) == 3
    assert {r[2] for r in rows[1:]} == {"死亡后仍发放", "不得同时享受的事项同时享受"}
    assert AccessLog.objects.filter(object_type="screening.report", username=user.username).exists()


def test_api_lists_and_resolves(client, staff, raised):
    client.force_login(staff("approver"))
    data = client.get("/api/screening/alerts?kind=duplicate").json()
    assert {a["rule"] for a in data} == {"paid_after_death", "exclusive_services"}
    pk = raised["double"].pk
    r = client.post(
        f"/api/screening/alerts/{pk}/resolve",
        {"status": "false_positive", "note": ""},
        content_type="application/json",
    )
    assert r.status_code == 400 and r.json()["code"] == "reason_required"
    r = client.post(
        f"/api/screening/alerts/{pk}/resolve",
        {"status": "false_positive", "note": "同月转换"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "false_positive"


def test_kpi_counts_raised_resolved_overdue(staff, raised):
    approver = staff("approver")
    from jiuzhu.screening.services import alert_resolve

    alert_resolve(alert_id=raised["dead"].pk, actor=approver, status="confirmed", action="stop", on=AS_OF)
    k = kpi_alerts(start=date(2026, 6, 1), end=date(2026, 6, 30))
    assert k["alerts_raised"] == 2 and k["alerts_raised_duplicate"] == 2 and k["alerts_raised_omission"] == 0
    assert k["alerts_resolved"] == 1 and k["alerts_confirmed"] == 1 and k["alerts_resolved_on_time"] == 1
    assert k["alerts_open"] == 1 and k["alerts_overdue"] == 1  # the other is past its due date by 30 June
    town = kpi_alerts(start=date(2026, 6, 1), end=date(2026, 6, 30), unit="town_liuhe")
    assert town["alerts_raised"] == 0


def test_screen_command_prints_new_alerts_per_kind_and_repeats(make_household, grant, capsys, db):
    b = make_household(members=[{"name": "孙已故", "birth": date(1940, 2, 2)}])
    grant(b, "dibao", "950")
    Person.objects.filter(household=b).update(deceased_on=date(2026, 2, 10))
    call_command("screen", "--as-of", "2026-06-15", "--no-progress")
    out = capsys.readouterr().out
    assert "查重（duplicate）：新增 1 条" in out and "查漏（omission）：新增 0 条" in out
    call_command("screen", "--as-of", "2026-06-15", "--no-progress")
    assert "新增预警合计 0 条" in capsys.readouterr().out


def test_link_command_on_an_english_person_file(tmp_path, db):
    from jiuzhu.linkage import synth

    left, right = synth.link_pair(400, seed=5)
    en = {"name": "full_name", "birth_date": "dob"}
    left.select("rec_id", "name", "birth_date").rename(en).write_csv(tmp_path / "a.csv")
    right.select("rec_id", "name", "birth_date").rename(en).write_csv(tmp_path / "b.csv")
    out = tmp_path / "pairs.csv"
    call_command(
        "link",
        str(tmp_path / "a.csv"),
        str(tmp_path / "b.csv"),
        "--id",
        "rec_id",
        "--compare",
        "full_name:name",
        "--compare",
        "dob:date",
        "--out",
        str(out),
        "--quiet",
    )
    assert out.read_text().startswith("id_l,id_r,match_probability")


def test_resolving_another_units_alert_through_htmx_is_refused(client, staff, raised):
    client.force_login(staff("town_caseworker", "town_liuhe"))
    r = client.post(
        f"/screening/alerts/{raised['dead'].pk}/resolve/",
        {"status": "confirmed", "action": "stop"},
        HTTP_HX_REQUEST="true",
    )
    assert r.status_code == 404 and "不属于本单位" in r.content.decode()
    assert Alert.objects.get(pk=raised["dead"].pk).status == "open"


def test_department_list_upload_page_validates_an_excel_file_then_applies_it(client, staff, db):
    from openpyxl import Workbook

    from jiuzhu.screening.models import DepartmentList

    wb = Workbook()
    wb.active.append(["姓名", "身份证号码", "出生日期"])
    wb.active.append(["何独居", make_id(date(1945, 1, 1)), date(1945, 1, 1)])
    wb.active.append(["吕无号", "", "1946-02-02"])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "独居老人.xlsx"
    client.force_login(staff("department_officer", "civil_affairs"))
    resp = client.post("/screening/lists/", {"kind": "elderly_alone", "file": buf})
    assert resp.status_code == 302 and resp["Location"].startswith("/jobs/")
    assert not DepartmentList.objects.exists()  # read by the worker, not in the request
    assert jobs.work_off() == 1
    job = client.get(resp["Location"]).content.decode()
    assert "有效 2 行" in job and "查看校验结果并确认导入" in job
    dl = DepartmentList.objects.get()
    page = client.get(f"/screening/lists/?report={dl.pk}").content.decode()
    assert "有效 2 行" in page and "确认导入" in page
    assert dl.state == "validated" and dl.rows.count() == 0
    client.post(f"/screening/lists/{dl.pk}/apply/")
    dl.refresh_from_db()
    assert dl.state == "applied" and sorted(dl.rows.values_list("name", flat=True)) == ["何独居", "吕无号"]
    assert dl.rows.get(name="吕无号").birth_date == date(1946, 2, 2)
