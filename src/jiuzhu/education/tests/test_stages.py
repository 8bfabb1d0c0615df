"""The stage advances each school year (DOMAIN §7 教育): on 31 August nothing moves; from
1 September a pupil in his last primary year goes on to junior secondary at the same school, a
pupil in his last senior year graduates (his schooling, and the grant, end), a pupil mid-stage
stays; the registry's school stage follows; running it again changes nothing; the autumn term
list then grants the junior amount and leaves the graduate out. Another bureau's officer
advances only his own schools; the API answers with the counts."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.education import selectors, services
from jiuzhu.education.models import Enrolment
from jiuzhu.registry.models import Person

AUTUMN = date(2026, 9, 1)


@pytest.fixture
def world(officer, register_school, dibao_home, enrol):
    school = register_school("SCH-9", "示范市九年一贯制学校", "622800001111000009")
    home = dibao_home(
        ("六年级乙", date(2014, 2, 2), "primary"),
        ("高三丙", date(2008, 3, 3), "senior"),
        ("初一丁", date(2013, 4, 4), "junior"),
    )
    m = {p.name: p for p in home.members.all()}
    for name, stage, year in (("六年级乙", "primary", 6), ("高三丙", "senior", 3), ("初一丁", "junior", 1)):
        enrol(school, m[name], stage, year_in_stage=year)
    return {"officer": officer, "school": school, "m": m}


def _open(person):
    e = Enrolment.objects.filter(person=person, left_on__isnull=True).first()
    return e.stage if e else None


def test_the_stage_advances_from_september_first_and_once(world, policy):
    w, m = world, world["m"]
    before = services.stages_advance(actor=w["officer"], on=date(2026, 8, 31), policy=policy)
    assert (before["advanced"], before["graduated"]) == (0, 0)
    assert [_open(m[n]) for n in ("六年级乙", "高三丙", "初一丁")] == ["primary", "senior", "junior"]

    out = services.stages_advance(actor=w["officer"], on=AUTUMN, policy=policy)
    assert (out["school_year"], out["advanced"], out["graduated"]) == (AUTUMN, 1, 1)
    assert [_open(m[n]) for n in ("六年级乙", "高三丙", "初一丁")] == ["junior", None, "junior"]
    old = Enrolment.objects.get(person=m["六年级乙"], stage="primary")
    assert (old.left_on, old.left_reason) == (date(2026, 8, 31), "graduated")
    assert [Person.objects.get(pk=m[n].pk).school_stage for n in ("六年级乙", "高三丙", "初一丁")] == [
        "junior",
        "",
        "junior",
    ]
    assert Person.objects.get(pk=m["六年级乙"].pk).history.first().history_user_id == w["officer"].pk

    again = services.stages_advance(actor=w["officer"], on=date(2026, 10, 15), policy=policy)
    assert (again["advanced"], again["graduated"]) == (0, 0)
    assert Enrolment.objects.count() == 4

    autumn = selectors.term_eligible(actor=w["officer"], school=w["school"], term=AUTUMN, policy=policy)
    assert [(r["name"], r["stage"], r["grant"].amount) for r in autumn] == [
        ("六年级乙", "junior", Decimal("625.00")),
        ("初一丁", "junior", Decimal("625.00")),
    ]


def test_another_bureau_advances_only_its_own_schools_and_the_api_answers(world, staff, policy):
    out = services.stages_advance(actor=staff("department_officer", "housing"), on=AUTUMN, policy=policy)
    assert (out["advanced"], out["graduated"]) == (0, 0)
    assert Enrolment.objects.filter(left_on__isnull=True).count() == 3
    c = Client()
    c.force_login(world["officer"])
    r = c.post("/api/education/stages/advance", {}, content_type="application/json")
    assert (r.status_code, r.json()["advanced"], r.json()["graduated"]) == (200, 1, 1)
    clerk = Client()
    clerk.force_login(staff("window_clerk"))
    r = clerk.post("/api/education/stages/advance", {}, content_type="application/json")
    assert (r.status_code, r.json()["code"]) == (403, "role_not_allowed")
