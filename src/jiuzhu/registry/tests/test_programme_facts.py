"""Programme facts (issue 16 item 2): recorded over the API as new dated rows, bad input refused
with the field and a stable code and nothing written, another town refused both ways, health
facts hidden from the window, and the one facts reader the rules take sees the current row."""

from datetime import date, timedelta

import pytest
from django.test import Client

from jiuzhu.common import clock
from jiuzhu.decisions.frames import household_facts
from jiuzhu.registry.models import ProgrammeFact

TODAY = clock.today()


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def household(make_household):
    return make_household(
        members=[{"name": "孙大", "birth": date(1960, 1, 1)}, {"name": "孙小", "birth": date(2012, 1, 1)}]
    )


def _post(client, household, body):
    return client.post(
        f"/api/registry/households/{household.code}/facts", body, content_type="application/json"
    )


NEED = {"kind": "temporary_need", "data": {"need_kind": "emergency", "cause": "fire", "amount": "4000"}}


@pytest.mark.parametrize(
    "body, field, code",
    [
        ({"kind": "lottery", "data": {}}, "kind", "invalid_choice"),
        ({**NEED, "data": {**NEED["data"], "amount": "-5"}}, "data.amount", "negative_amount"),
        ({**NEED, "data": {**NEED["data"], "amount": "12.345"}}, "data.amount", "invalid_amount"),
        ({**NEED, "data": {**NEED["data"], "cause": "gambling"}}, "data.cause", "invalid_choice"),
        ({**NEED, "data": {**NEED["data"], "bonus": "1"}}, "data.bonus", "unknown_field"),
        ({**NEED, "effective_on": (TODAY + timedelta(days=1)).isoformat()}, "effective_on", "date_in_future"),
        (
            {
                "kind": "disaster",
                "data": {
                    "event": "洪涝",
                    "event_on": TODAY.isoformat(),
                    "disaster_kind": "flood",
                    "house_damage": "none",
                    "persons_affected": 1,
                    "persons_displaced": 3,
                    "displaced_days": 5,
                },
            },
            "data.persons_displaced",
            "out_of_range",
        ),
        ({"kind": "support_mode", "data": {"mode": "institutional"}}, "person_id_number", "required"),
        ({"kind": "rigid_spending", "data": {"medical": "100"}}, "data.education", "required"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(household, staff, body, field, code):
    r = _post(_client(staff("window_clerk")), household, body)
    assert r.status_code == 400, r.json()
    assert (r.json()["field"], r.json()["code"]) == (field, code)
    assert r.json()["message"]
    assert not ProgrammeFact.objects.exists()


def test_a_new_row_per_change_and_the_reader_takes_the_latest(household, staff):
    client = _client(staff("window_clerk"))
    old = {**NEED, "effective_on": (TODAY - timedelta(days=3)).isoformat()}
    assert _post(client, household, old).status_code == 201
    new = {**NEED, "data": {**NEED["data"], "amount": "6000"}}
    assert _post(client, household, new).status_code == 201
    assert _post(client, household, new).status_code == 201  # posted twice: recorded once
    assert ProgrammeFact.objects.filter(household=household, kind="temporary_need").count() == 2
    facts = household_facts(household, TODAY)
    assert (facts.temporary.kind, facts.temporary.cause, str(facts.temporary.amount)) == (
        "emergency",
        "fire",
        "6000.00",
    )
    # on a date before the second row, the first one is read
    assert str(household_facts(household, TODAY - timedelta(days=1)).temporary.amount) == "4000.00"
    listed = client.get(f"/api/registry/households/{household.code}/facts").json()
    assert [(f["data"]["amount"], f["current"]) for f in listed] == [("6000.00", True), ("4000.00", False)]
    assert ("困难原因", "火灾") in [tuple(x) for x in listed[0]["shown"]]


def test_the_self_care_assessment_reaches_the_rules(household, staff):
    client = _client(staff("window_clerk"))
    head = household.members.order_by("id").first()
    items = {"assessor": "民政所 刘评估", "eating": True, "dressing": True, "bathing": True, "walking": False}
    body = {"kind": "self_care", "person_id_number": head.id_number, "data": items}
    assert _post(client, household, body).status_code == 201
    assert household_facts(household, TODAY).members[0].self_care_items_failed == 3


def test_another_town_can_neither_record_nor_read(household, staff):
    other = _client(staff("window_clerk", "town_chengxi"))
    assert _post(other, household, NEED).status_code == 403
    assert other.get(f"/api/registry/households/{household.code}/facts").status_code == 403
    assert not ProgrammeFact.objects.exists()


def test_medical_costs_are_hidden_from_the_window_and_shown_to_the_caseworker(household, staff):
    head = household.members.order_by("id").first()
    body = {
        "kind": "medical_costs",
        "person_id_number": head.id_number,
        "data": {"out_of_pocket": "9000", "paid_this_year": "1000"},
    }
    assert _post(_client(staff("window_clerk")), household, body).status_code == 201
    seen = _client(staff("window_clerk")).get(f"/api/registry/households/{household.code}/facts").json()
    assert seen[0]["data"] == {} and "9000" not in str(seen[0])
    seen = _client(staff("town_caseworker")).get(f"/api/registry/households/{household.code}/facts").json()
    assert seen[0]["data"]["out_of_pocket"] == "9000.00"


def test_a_bulk_list_cleans_each_row_even_when_it_prints_like_an_earlier_one(make_household):
    """A village list's rows are cleaned once per shape of damage; a 'True' typed as text is not
    the yes of the row before it and is refused (nothing written)."""
    from jiuzhu.common.errors import ValidationFailed
    from jiuzhu.registry.programme import area_facts_record_many

    a = make_household(members=[{"name": "周一", "birth": date(1970, 1, 1)}])
    b = make_household(members=[{"name": "周二", "birth": date(1971, 1, 1)}])
    damage = {
        "event": "洪涝",
        "event_on": TODAY.isoformat(),
        "disaster_kind": "flood",
        "house_damage": "general",
        "persons_affected": 1,
        "winter_hardship": True,
    }
    rows = [(a.pk, TODAY, damage), (b.pk, TODAY, {**damage, "winter_hardship": "True"})]
    with pytest.raises(ValidationFailed) as exc:
        area_facts_record_many(recorded_by=None, kind="disaster", rows=rows)
    assert (exc.value.field, exc.value.code) == ("data.winter_hardship", "invalid_boolean")
    assert not ProgrammeFact.objects.filter(household__in=[a, b]).exists()
    made = area_facts_record_many(recorded_by=None, kind="disaster", rows=rows[:1] + [(b.pk, TODAY, damage)])
    assert ProgrammeFact.objects.get(pk=made[b.pk]).data["winter_hardship"] is True
