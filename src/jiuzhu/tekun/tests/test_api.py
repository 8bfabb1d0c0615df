"""Extreme-poverty support over the API as civil affairs uses it: register a home's beds, place
two persons who chose centralised support, pay June's support to the institution in one transfer,
record a resident's death and leaving, and grant the funeral benefit to the institution, once.
A department officer of another unit is refused (403), and a bad date or bed count is refused with
its field and nothing written."""

from datetime import date

import pytest
from django.test import Client

from jiuzhu.common.models import AccessLog
from jiuzhu.payments.models import InstitutionTransfer
from jiuzhu.tekun.models import FuneralBenefit, Placement, SupportHome

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(staff, supported, support_institution):
    maker = staff("approver")
    people = {name: supported(name, actor=maker) for name in ("周老汉", "吴阿婆")}
    inst = support_institution(maker, "SUP-1", "示范市社会福利院", "622800005555000001")
    c = Client()
    c.force_login(maker)
    return {"c": c, "p": people, "inst": inst}


def _post(c, url, body):
    return c.post(url, body, content_type="application/json")


def test_home_placements_june_transfer_death_and_funeral_benefit(world):
    c, p = world["c"], world["p"]
    r = _post(c, "/api/tekun/homes", {"institution": world["inst"].pk, "beds": 2})
    assert r.status_code == 201, r.content
    home = r.json()
    assert (home["beds"], home["free"], home["name"]) == (2, 2, "示范市社会福利院")
    placed = []
    for name, day in (("周老汉", "2026-03-02"), ("吴阿婆", "2026-05-20")):
        r = _post(
            c,
            f"/api/tekun/homes/{home['id']}/placements",
            {"id_number": p[name].id_number, "entered_on": day},
        )
        assert r.status_code == 201, r.content
        placed.append(r.json())
    assert [x["free"] for x in c.get("/api/tekun/homes").json()] == [0]
    r = _post(c, f"/api/tekun/homes/{home['id']}/transfers", {"month": "2026-06"})
    assert r.status_code == 201, r.content
    assert (r.json()["amount"], r.json()["residents"], r.json()["state"]) == ("3070.00", 2, "pending")
    assert InstitutionTransfer.objects.get().institution_id == world["inst"].pk

    p["周老汉"].deceased_on = date(2026, 6, 15)
    p["周老汉"].save()
    r = _post(c, f"/api/tekun/placements/{placed[0]['id']}/leave", {"on": "2026-06-15", "reason": "died"})
    assert (r.status_code, r.json()["left_reason_display"]) == (200, "死亡")
    r = _post(c, "/api/tekun/funeral-benefits", {"id_number": p["周老汉"].id_number})
    assert r.status_code == 201, r.content
    assert (r.json()["paid_to"], r.json()["institution"], r.json()["amount"]) == (
        "institution",
        "示范市社会福利院",
        "3000.00",
    )
    again = _post(c, "/api/tekun/funeral-benefits", {"id_number": p["周老汉"].id_number})
    assert (again.status_code, again.json()["code"]) == (400, "already_granted")
    assert FuneralBenefit.objects.count() == 1

    detail = c.get(f"/api/tekun/homes/{home['id']}").json()
    assert [x["name"] for x in detail["residents"]] == ["吴阿婆"]  # this month: he died in June
    assert AccessLog.objects.filter(object_type="tekun.home", object_id=str(home["id"])).exists()


def test_another_unit_is_refused(world, staff):
    c = world["c"]
    home = _post(c, "/api/tekun/homes", {"institution": world["inst"].pk, "beds": 2}).json()
    other = Client()
    other.force_login(staff("department_officer", "education"))
    r = other.get(f"/api/tekun/homes/{home['id']}")
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    r = _post(
        other,
        f"/api/tekun/homes/{home['id']}/placements",
        {"id_number": world["p"]["周老汉"].id_number, "entered_on": "2026-03-02"},
    )
    assert (r.status_code, r.json()["code"]) == (403, "out_of_scope")
    assert other.get("/api/tekun/homes").json() == []
    assert not Placement.objects.exists()
    assert c.get("/api/tekun/homes/99999999").status_code == 404


def test_bad_input_is_refused_with_its_field_and_nothing_written(world):
    c, p = world["c"], world["p"]
    r = _post(c, "/api/tekun/homes", {"institution": world["inst"].pk, "beds": 0})
    assert (r.status_code, r.json()["field"]) == (422, "beds")
    assert not SupportHome.objects.exists()
    home = _post(c, "/api/tekun/homes", {"institution": world["inst"].pk, "beds": 2}).json()
    r = _post(
        c,
        f"/api/tekun/homes/{home['id']}/placements",
        {"id_number": p["周老汉"].id_number, "entered_on": "2099-01-01"},
    )
    assert (r.status_code, r.json()["field"], r.json()["code"]) == (400, "entered_on", "date_in_future")
    r = _post(
        c,
        f"/api/tekun/homes/{home['id']}/placements",
        {"id_number": "11010119900307123X", "entered_on": "2026-03-02"},
    )
    assert (r.status_code, r.json()["field"]) == (400, "id_number")
    assert not Placement.objects.exists()
