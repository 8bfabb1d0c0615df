"""The 特困 screens (issue 17 leftover): placement into a home with a free bed, leaving (date,
reason) and the funeral benefit — each form calls its service; refusals come back in Chinese;
a window clerk cannot open them. Browser-free (Django's test client)."""

from datetime import date

import pytest
from django.test import Client

from jiuzhu.common.masking import present
from jiuzhu.payments.models import InstitutionTransfer
from jiuzhu.registry.models import ProgrammeFact
from jiuzhu.tekun import services
from jiuzhu.tekun.models import FuneralBenefit, Placement

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(officer):
    c = Client()
    c.force_login(officer)
    return c


def _page(resp) -> str:
    return resp.content.decode()


def test_placement_screen_admits_into_a_home_with_a_free_bed(browser, elder, home, officer, staff):
    page = _page(browser.get("/tekun/placements/new/"))
    assert present("name", elder.name, officer.role) in page and elder.household.code in page
    assert "示范市第二社会福利院（空余 2 张）" in page

    refused = browser.post(
        "/tekun/placements/", {"person": elder.pk, "home": home.pk, "entered_on": "2099-01-01"}, follow=True
    )
    assert "晚于今天" in _page(refused) and not Placement.objects.exists()

    done = browser.post(
        "/tekun/placements/", {"person": elder.pk, "home": home.pk, "entered_on": "2026-03-02"}, follow=True
    )
    assert "已办理入住示范市第二社会福利院（2026-03-02）" in _page(done)
    assert Placement.objects.get().person == elder
    assert ProgrammeFact.objects.filter(person=elder, kind="support_mode").latest("id").data["mode"] == (
        "institutional"
    )
    assert elder.household.code not in _page(browser.get("/tekun/placements/new/"))  # placed: not offered

    again = browser.post(
        "/tekun/placements/", {"person": elder.pk, "home": home.pk, "entered_on": "2026-03-03"}, follow=True
    )
    assert "该人员已在供养服务机构入住" in _page(again)

    clerk = Client()
    clerk.force_login(staff("window_clerk", "town_chengdong"))
    assert clerk.get("/tekun/placements/new/").status_code == 403


def test_leaving_is_recorded_from_the_home_page(browser, elder, home, officer):
    pl = services.placement_create(actor=officer, home=home, person=elder, entered_on=date(2026, 3, 2))
    page = _page(browser.get(f"/tekun/homes/{home.pk}/"))
    assert "登记离开" in page and "转为分散供养" in page

    no_reason = browser.post(f"/tekun/placements/{pl.pk}/leave/", {"on": "2026-08-31"}, follow=True)
    assert "请选择离开原因" in _page(no_reason)
    early = browser.post(
        f"/tekun/placements/{pl.pk}/leave/", {"on": "2026-01-01", "reason": "home"}, follow=True
    )
    assert "离开日期早于入住日期" in _page(early)
    pl.refresh_from_db()
    assert pl.left_on is None

    done = browser.post(
        f"/tekun/placements/{pl.pk}/leave/", {"on": "2026-08-31", "reason": "home"}, follow=True
    )
    assert "已登记离开：转为分散供养（2026-08-31）" in _page(done)
    pl.refresh_from_db()
    assert (pl.left_on, pl.left_reason) == (date(2026, 8, 31), "home")
    assert (
        ProgrammeFact.objects.filter(person=elder, kind="support_mode").latest("id").data["mode"]
        == "dispersed"
    )


def test_funeral_benefit_screen_pays_the_home_once(browser, elder, home, officer):
    services.placement_create(actor=officer, home=home, person=elder, entered_on=date(2026, 3, 2))
    elder.deceased_on = date(2026, 6, 15)
    elder.save()

    listed = _page(browser.get("/tekun/funerals/"))
    assert elder.household.code in listed and "2026-06-15" in listed
    form = _page(browser.get(f"/tekun/funerals/{elder.pk}/"))
    assert "¥3,000" in form
    assert f'value="{home.institution.pk}" selected' in form  # the home he died in, by default

    both = browser.post(
        f"/tekun/funerals/{elder.pk}/grant/",
        {"institution": home.institution.pk, "payee": elder.pk},
        follow=True,
    )
    assert "只能选择其一" in _page(both) and not FuneralBenefit.objects.exists()

    done = browser.post(
        f"/tekun/funerals/{elder.pk}/grant/", {"institution": home.institution.pk}, follow=True
    )
    assert "已给予丧葬补助 3000.00 元，支付给示范市第二社会福利院" in _page(done)
    fb = FuneralBenefit.objects.get()
    assert fb.institution == home.institution and fb.transfer.state == InstitutionTransfer.PENDING
    assert elder.household.code not in _page(browser.get("/tekun/funerals/"))

    twice = browser.post(
        f"/tekun/funerals/{elder.pk}/grant/", {"institution": home.institution.pk}, follow=True
    )
    assert "不是待发放丧葬补助的特困人员" in _page(twice) and FuneralBenefit.objects.count() == 1
