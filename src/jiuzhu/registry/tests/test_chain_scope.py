"""The household's assistance chain links only to what the reader may open (issue 13): an
officer of another town sees the step of another town's application but no link to it."""

from datetime import date

from django.test import Client
from django.urls import reverse

from jiuzhu.intake import services as intake


def page(user, household):
    c = Client()
    c.force_login(user)
    r = c.get(reverse("registry:household", args=[household.code]))
    assert r.status_code == 200
    return r.content.decode()


def test_chain_links_follow_the_readers_scope(make_household, staff):
    h = make_household(members=[{"name": "王建国", "birth": date(1975, 3, 2)}])  # a household of 城东
    east = intake.application_create(
        actor=staff("window_clerk", "town_chengdong"), household=h, needs=["living"]
    )
    # one window: 城西's window takes a request of the same household, which lets 城西 read it
    west = intake.application_create(
        actor=staff("window_clerk", "town_chengxi"), household=h, needs=["medical"]
    )
    east_link, west_link = (f'href="/intake/a/{a.tracking_code}/"' for a in (east, west))

    west_view = page(staff("town_caseworker", "town_chengxi"), h)
    assert west_link in west_view and east_link not in west_view
    east_view = page(staff("town_caseworker", "town_chengdong"), h)
    assert east_link in east_view and west_link not in east_view
    city = page(staff("approver"), h)
    assert east_link in city and west_link in city
