"""The damage of a household on a village list is recorded once, as the household's disaster
fact in the registry (issue 16/17 leftover): the rules read it, so a household registered from
the bulk list pre-checks eligible for the disaster services at the window without anyone
typing the fact again, and the event's report counts the same figures."""

from datetime import date

import pytest
from django.test import Client

from jiuzhu.disaster import selectors, villagelists
from jiuzhu.disaster.models import AffectedHousehold
from jiuzhu.disaster.testing import village_rows, workbook
from jiuzhu.intake import services as intake
from jiuzhu.registry.models import ProgrammeFact

pytestmark = pytest.mark.django_db


def test_a_household_on_the_village_list_prechecks_eligible_at_the_window(
    officer, event, make_household, staff, policy
):
    known = make_household(members=[{"name": "赵大山", "birth": date(1962, 3, 4)}], town="town_chengdong")
    head = known.members.get()
    row = {
        **village_rows(1, town="城东街道")[0],
        "户主姓名": "赵大山",
        "户主身份证号码": head.id_number,
        "受灾人口": "3",
        "需过渡安置人数": "2",
        "住房损毁": "倒塌",
    }
    vlist = villagelists.list_validate(
        actor=officer,
        event=event,
        data=workbook([row, *village_rows(2, town="城东街道", start=3)]),
        filename="l.xlsx",
    )
    villagelists.list_apply(actor=officer, vlist=vlist)

    fact = ProgrammeFact.objects.get(household=known, kind="disaster")
    assert fact.effective_on == event.occurred_on and fact.recorded_by == officer
    assert (fact.data["persons_affected"], fact.data["persons_displaced"], fact.data["house_damage"]) == (
        3,
        2,
        "destroyed",
    )
    affected = AffectedHousehold.objects.get(event=event, household=known)
    assert affected.fact == fact  # one record: the event's row links to the registry's fact

    clerk = staff("window_clerk", "town_chengdong")
    window = Client()
    window.force_login(clerk)
    app = intake.application_create(actor=clerk, household=known, needs=["living"])
    got = {
        p["service_code"]: p
        for p in window.get(f"/api/intake/applications/{app.tracking_code}/proposals").json()
    }
    days = policy.param("disaster.max_days", event.occurred_on)
    rate = policy.param("disaster.daily_allowance", event.occurred_on)
    assert got["disaster_transitional"]["eligible"] is True, got["disaster_transitional"]["reasons"]
    assert float(got["disaster_transitional"]["amount"]) == float(rate * 2 * days)
    assert got["disaster_rebuild"]["eligible"] is True, got["disaster_rebuild"]["reasons"]
    assert got["disaster_winter"]["eligible"] is False  # the October survey's, not the list's

    # the household page shows the fact the list recorded, in words
    page = window.get(f"/api/registry/households/{known.code}/facts?kind=disaster").json()
    assert [(f["current"], f["data"]["event"]) for f in page] == [(True, event.name)]

    rep = selectors.event_report(actor=officer, event=event)
    listed = [row, *village_rows(2, town="城东街道", start=3)]
    assert rep.persons == sum(int(r["受灾人口"]) for r in listed)
    assert rep.displaced == sum(int(r["需过渡安置人数"]) for r in listed)
    assert rep.damage["倒塌"] == sum(1 for r in listed if r["住房损毁"] == "倒塌")


def test_a_bad_list_writes_no_fact(officer, event):
    rows = village_rows(2, town="城东街道")
    rows[1]["受灾人口"] = "abc"
    vlist = villagelists.list_validate(actor=officer, event=event, data=workbook(rows), filename="l.xlsx")
    villagelists.list_apply(actor=officer, vlist=vlist)
    assert ProgrammeFact.objects.filter(kind="disaster").count() == 1 == AffectedHousehold.objects.count()
