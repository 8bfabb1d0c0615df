"""The public pre-check API: ages from ID numbers, 422s that name the field, OpenAPI, and
nothing stored."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from jiuzhu.policy.api import EXAMPLE
from jiuzhu.registry.testing import make_id

URL = "/api/eligibility/evaluate"


def post(client, body):
    return client.post(URL, body, content_type="application/json")


def alone(member: dict, as_of="2026-03-01") -> dict:
    return {"as_of": as_of, "household": {"area": "urban", "members": [member]}}


@pytest.mark.parametrize(("born", "amount"), [(date(1956, 3, 2), "950.00"), (date(1956, 3, 1), "1140.00")])
def test_age_comes_from_the_id_number(client, born, amount):
    """Aged 69 the day before the 70th birthday: no add-on; on the birthday: 20% add-on."""
    body = alone({"id_number": make_id(born, gender="F"), "labour_capacity": "partial"})
    body["services"] = ["dibao"]
    r = post(client, body)
    assert r.status_code == 200
    (result,) = r.json()["results"]
    assert (result["service"], result["eligible"], result["monthly_amount"]) == ("dibao", True, amount)


def test_example_in_openapi_and_it_works(client):
    schema = client.get("/api/openapi.json").json()
    op = schema["paths"]["/api/eligibility/evaluate"]["post"]
    assert "security" not in op or op["security"] in ([], [{}])
    assert post(client, EXAMPLE).status_code == 200
    body = post(client, EXAMPLE).json()
    dibao = next(r for r in body["results"] if r["service"] == "dibao")
    assert dibao["monthly_amount"] == "1840.00" and dibao["amount_period"] == "month"
    assert all(set(x) == {"rule", "basis", "passed", "detail"} for x in dibao["reasons"])


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        (
            lambda b: b["household"]["members"][0].update(id_number="329901198001010012"),
            "household.members.0.id_number",
            "id_number_check_digit",
        ),
        (
            lambda b: b["household"]["members"][0].update(id_number="32990119800230001X"),
            "household.members.0.id_number",
            "id_number_birth_date",
        ),
        (
            lambda b: b["household"]["members"][1].update(school_stage="college"),
            "household.members.1.school_stage",
            "invalid_request",
        ),
        (
            lambda b: b["household"]["members"][0]["income"].update(wages="1500.001"),
            "household.members.0.income.wages",
            "invalid_request",
        ),
        (
            lambda b: b["household"]["members"][0]["income"].update(wages="-1"),
            "household.members.0.income.wages",
            "invalid_request",
        ),
        (lambda b: b["household"]["assets"].update(cars=1), "household.assets.cars", "invalid_request"),
        (lambda b: b["household"].update(members=[]), "household.members", "invalid_request"),
        (lambda b: b["household"].update(area="suburb"), "household.area", "invalid_request"),
        (lambda b: b.update(as_of="2026-02-30"), "as_of", "invalid_request"),
        (lambda b: b.update(as_of="2024-12-31"), "as_of", "policy_parameter_not_in_force"),
        (lambda b: b.update(services=["dibao", "nope"]), "services", "unknown_service"),
        (
            lambda b: b["household"]["members"][2].update(age=None),
            "household.members.2.birth_date",
            "invalid_household",
        ),
        (
            lambda b: b["household"]["members"][2].update(disability_kind="physical"),
            "household.members.2.disability_grade",
            "invalid_household",
        ),
        (
            lambda b: b["household"]["members"][0].update(birth_date="1981-01-01"),
            "household.members.0.birth_date",
            "invalid_household",
        ),
    ],
)
def test_invalid_bodies_are_422_with_the_field(client, change, field, code):
    body = copy.deepcopy(EXAMPLE)
    change(body)
    r = post(client, body)
    assert r.status_code == 422, r.content
    err = r.json()
    assert (err["field"], err["code"]) == (field, code)
    assert err["message"]


@pytest.mark.django_db
def test_nothing_is_stored(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert post(client, EXAMPLE).status_code == 200
