"""The household page records programme facts (the window's form): a wrong amount is shown next
to its field and nothing is written; a right one lands as a dated row the page lists in words
and marks as the current one; another town's clerk cannot open the form."""

from datetime import date

import pytest
from django.test import Client

from jiuzhu.registry.models import ProgrammeFact


@pytest.fixture
def household(make_household):
    return make_household(members=[{"name": "钱大", "birth": date(1966, 1, 1)}])


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def test_the_window_records_a_temporary_need_on_the_household_page(household, staff):
    clerk = _client(staff("window_clerk"))
    url = f"/households/{household.code}/facts/temporary_need/new/"
    page = clerk.get(url)
    assert page.status_code == 200 and "登记临时困难" in page.text and "火灾" in page.text

    bad = clerk.post(url, {"need_kind": "emergency", "cause": "fire", "amount": "三千"})
    assert bad.status_code == 400
    assert "所需金额（元）应为数字" in bad.text
    assert not ProgrammeFact.objects.exists()

    ok = clerk.post(url, {"need_kind": "emergency", "cause": "fire", "amount": "3000"})
    assert ok.status_code == 302
    fact = ProgrammeFact.objects.get()
    assert (fact.kind, fact.data["amount"], fact.recorded_by.role) == (
        "temporary_need",
        "3000.00",
        "window_clerk",
    )
    shown = clerk.get(f"/households/{household.code}/").text
    assert "困难原因：火灾" in shown and "困难类型：急难型" in shown and "现行" in shown
    assert "temporary_need" not in shown.split('id="programme"')[1].split("</table>")[0]


def test_a_member_fact_needs_the_member_and_another_town_cannot_record(household, staff):
    clerk = _client(staff("window_clerk"))
    url = f"/households/{household.code}/facts/support_mode/new/"
    r = clerk.post(url, {"mode": "institutional", "institution": "示范市社会福利院"})
    assert r.status_code == 400 and "须指明家庭成员" in r.text
    other = _client(staff("window_clerk", "town_chengxi"))
    assert other.get(url).status_code == 403
    person = household.members.get()
    assert other.post(url, {"person": person.pk, "mode": "dispersed"}).status_code == 403
    assert not ProgrammeFact.objects.exists()
