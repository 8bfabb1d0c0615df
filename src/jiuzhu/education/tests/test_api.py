"""Education over the API as the education bureau uses it: enrol pupils by ID number, read the
spring term batch of the school (eligible pupils with the grant by the rule, masked for the
reader), confirm it (each pupil granted once: a second confirmation adds nothing), a pupil
graduates. Another bureau is refused (403); a bad stage, date or term is refused with its field
and nothing written."""

from datetime import date

import pytest
from django.test import Client

from jiuzhu.common.models import AccessLog
from jiuzhu.education.models import Enrolment, TermGrant

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(officer, register_school, dibao_home, make_household):
    school = register_school("SCH-1", "示范市第一中学", "622800001111000001")
    dibao = dibao_home(("小学乙", date(2016, 2, 2)), ("高中丙", date(2009, 3, 3)))
    plain = make_household(members=[{"name": "普通戊", "birth": date(2015, 5, 5)}])
    m = {p.name: p for p in [*dibao.members.all(), *plain.members.all()]}
    c = Client()
    c.force_login(officer)
    return {"c": c, "school": school, "m": m}


def _post(c, url, body):
    return c.post(url, body, content_type="application/json")


def _enrol(w):
    url = f"/api/education/schools/{w['school'].pk}/pupils"
    for name, stage in (("小学乙", "primary"), ("高中丙", "senior"), ("普通戊", "primary")):
        r = _post(
            w["c"], url, {"id_number": w["m"][name].id_number, "stage": stage, "entered_on": "2025-09-01"}
        )
        assert r.status_code == 201, r.content


def test_enrol_term_batch_confirm_once_and_graduate(world):
    c, m, sid = world["c"], world["m"], world["school"].pk
    _enrol(world)
    pupils = c.get(f"/api/education/schools/{sid}/pupils").json()
    assert len(pupils) == 3 and all("*" in p["id_number"] for p in pupils)
    assert [s["pupils"] for s in c.get("/api/education/schools").json()] == [3]

    batch = c.get(f"/api/education/schools/{sid}/term?term=2026-03").json()
    assert batch["term_name"] == "2026年春季学期"
    assert [(r["name"], r["amount"], r["to_school"]) for r in batch["eligible"]] == [
        ("小学乙", "500.00", False),
        ("高中丙", "1250.00", True),
    ]
    assert AccessLog.objects.filter(object_type="education.term", object_id=f"{sid}:2026-03").exists()
    wanted = [r["person"] for r in batch["eligible"]] + [m["普通戊"].pk]
    r = _post(c, f"/api/education/schools/{sid}/term/confirm", {"term": "2026-03", "confirmed": wanted})
    assert r.status_code == 200, r.content
    assert (r.json()["granted"], r.json()["to_school"], r.json()["to_family"], r.json()["refused"]) == (
        2,
        "1250.00",
        "500.00",
        [m["普通戊"].pk],
    )
    again = _post(c, f"/api/education/schools/{sid}/term/confirm", {"term": "2026-03", "confirmed": wanted})
    assert (again.status_code, again.json()["code"]) == (400, "nothing_to_grant")
    assert TermGrant.objects.count() == 2
    batch = c.get(f"/api/education/schools/{sid}/term?term=2026-03").json()
    assert (batch["eligible"], len(batch["granted"])) == ([], 2)

    senior = next(p for p in pupils if p["stage"] == "senior")
    r = _post(c, f"/api/education/pupils/{senior['id']}/leave", {"on": "2026-07-01", "reason": "graduated"})
    assert (r.status_code, r.json()["left_reason"]) == (200, "graduated")
    autumn = c.get(f"/api/education/schools/{sid}/term?term=2026-09").json()
    assert [x["name"] for x in autumn["eligible"]] == ["小学乙"]


def test_another_bureau_is_refused(world, staff):
    _enrol(world)
    sid = world["school"].pk
    other = Client()
    other.force_login(staff("department_officer", "housing"))
    for r in (
        other.get(f"/api/education/schools/{sid}/term?term=2026-03"),
        _post(
            other,
            f"/api/education/schools/{sid}/term/confirm",
            {"term": "2026-03", "confirmed": [world["m"]["小学乙"].pk]},
        ),
    ):
        assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    assert other.get("/api/education/schools").json() == []
    assert not TermGrant.objects.exists()
    assert world["c"].get("/api/education/schools/99999999/pupils").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"stage": "postgraduate"}, 422, "stage"),
        ({"entered_on": "2099-09-01"}, 400, "entered_on"),
        ({"id_number": "11010119900307123"}, 400, "id_number"),
    ],
)
def test_a_bad_enrolment_is_refused_with_its_field_and_nothing_written(world, body, status, field):
    good = {"id_number": world["m"]["小学乙"].id_number, "stage": "primary", "entered_on": "2025-09-01"}
    r = _post(world["c"], f"/api/education/schools/{world['school'].pk}/pupils", {**good, **body})
    assert (r.status_code, r.json()["field"]) == (status, field)
    assert not Enrolment.objects.exists()


def test_a_term_outside_the_window_is_refused(world):
    _enrol(world)
    sid = world["school"].pk
    r = _post(world["c"], f"/api/education/schools/{sid}/term/confirm", {"term": "5404-03", "confirmed": [1]})
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (400, "term", "month_out_of_range")
    r = world["c"].get(f"/api/education/schools/{sid}/term?term=5404-03")
    assert (r.status_code, r.json()["field"]) == (422, "term")
    assert not TermGrant.objects.exists()
