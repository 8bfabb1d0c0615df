"""/api/performance/: KPIs, a unit's evaluation with its items, the ranking — for the roles that
judge units, refused to the others, bounded periods."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.test import Client


@pytest.fixture
def as_role(staff):
    def login(role):
        c = Client()
        c.force_login(staff(role))
        return c

    return login


def test_kpis_for_the_city_and_a_unit(as_role):
    convener = as_role("convener")
    city = convener.get("/api/performance/kpis?start=2026-01-01&end=2026-06-30")
    assert city.status_code == 200, city.content
    body = city.json()
    assert body["unit"] is None and body["start"] == "2026-01-01"
    assert "received" in body["kpis"]["intake"] and "indicators" in body["kpis"]
    one = convener.get("/api/performance/kpis?unit=town_chengdong")
    assert one.status_code == 200 and one.json()["unit"] == "town_chengdong"


def test_evaluation_lists_its_items_and_the_ranking_is_in_score_order(as_role, units):
    approver = as_role("approver")
    r = approver.get("/api/performance/evaluations/civil_affairs?start=2026-01-01&end=2026-12-31")
    assert r.status_code == 200, r.content
    ev = r.json()
    assert ev["unit"] == "civil_affairs" and ev["lines"]
    for line in ev["lines"]:
        assert Decimal("0") <= Decimal(line["points"]) <= Decimal(line["max_points"])
    ranking = approver.get("/api/performance/ranking?start=2026-01-01&end=2026-12-31").json()
    members = [u for u in units.values() if u.is_conference_member]
    assert [row["rank"] for row in ranking] == list(range(1, len(members) + 1))
    scores = [Decimal(row["score"]) for row in ranking]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "url, status, code",
    [
        ("/api/performance/kpis?start=2026-06-01&end=2026-01-01", 400, "bad_period"),
        ("/api/performance/kpis?start=1990-01-01", 422, "invalid_request"),  # outside values.date_window
        ("/api/performance/kpis?start=5404-03-01", 422, "invalid_request"),
        ("/api/performance/kpis?start=2026-02-30", 422, "invalid_request"),
        ("/api/performance/kpis?unit=nowhere", 404, "unit_not_found"),
        ("/api/performance/evaluations/nowhere", 404, "unit_not_found"),
    ],
)
def test_bad_periods_and_units_are_refused_by_name(as_role, url, status, code):
    r = as_role("supervisor").get(url)
    assert r.status_code == status, r.content
    assert r.json()["code"] == code and r.json()["request_id"]


@pytest.mark.parametrize("role", ["window_clerk", "department_officer", "data_provider"])
def test_other_roles_are_refused(as_role, role):
    for url in (
        "/api/performance/kpis",
        "/api/performance/ranking",
        "/api/performance/evaluations/civil_affairs",
    ):
        r = as_role(role).get(url)
        assert r.status_code == 403 and r.json()["code"] == "role_not_allowed", (role, url)


def test_anonymous_is_asked_to_log_in(client):
    assert client.get("/api/performance/ranking").status_code == 401


def test_figures_equal_the_screens(as_role, may_cases):
    """The API reads the screens' selectors: the same KPIs, evaluation items and ranking for the
    same unit and period (May 2026, the hand-counted cases of conftest)."""
    c = as_role("convener")
    period = "start=2026-05-01&end=2026-05-31"
    api_kpis = c.get(f"/api/performance/kpis?unit=education&{period}").json()["kpis"]
    screen = c.get(f"/performance/kpis/?unit=education&{period}").context
    assert api_kpis["intake"]["received"] == screen["i"]["received"] > 0
    assert api_kpis["intake"] == json.loads(json.dumps(screen["i"], cls=DjangoJSONEncoder))
    api_ev = c.get(f"/api/performance/evaluations/education?{period}").json()
    ev = c.get(f"/performance/evaluation/education/?{period}").context["ev"]
    assert Decimal(api_ev["score"]) == ev.score and api_ev["grade"] == ev.grade
    assert [(row["code"], Decimal(row["points"])) for row in api_ev["lines"]] == [
        (line.code, line.points) for line in ev.lines
    ]
    api_rank = c.get(f"/api/performance/ranking?{period}").json()
    rows = c.get(f"/performance/ranking/?{period}").context["rows"]
    assert [(r["unit"], Decimal(r["score"])) for r in api_rank] == [(e.unit.code, e.score) for e in rows]
