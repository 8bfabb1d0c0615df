"""Screens: the public notice page shows only what may be shown and takes objections
(throttled); the caseworker and the approver work a case from the screens; letters as PDF."""

import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from jiuzhu.common import clock
from jiuzhu.common.testing import download_name
from jiuzhu.decisions import cases
from jiuzhu.decisions.models import Case, Letter, Notice, Objection
from jiuzhu.registry.models import Unit
from jiuzhu.registry.services import asset_add
from jiuzhu.verification.testing import verified

from .conftest import D0
from .test_workflow import investigate


def login(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.fixture
def on_notice(refer_to, poor_household, caseworker):
    head = poor_household.members.get(relation="head")
    head.serious_illness = "尿毒症"
    head.phone = "13912345678"
    head.save()
    r = refer_to(poor_household, "dibao")
    c = cases.case_open(actor=caseworker, referral=r, today=D0)
    investigate(c, caseworker)
    today = clock.today()
    verified(poor_household, requester=caseworker, service_code="dibao", today=today)
    return cases.opinion_give(actor=caseworker, case=c, recommend="approve", today=today)


def test_public_notice_page_masks_and_never_shows_personal_details(on_notice, poor_household):
    page = Client().get("/decisions/notices/", {"community": "幸福社区"})
    body = page.content.decode()
    assert page.status_code == 200 and "王*国" in body and "幸福社区" in body
    assert f"¥{on_notice.amount:,.2f}" in body and "最低生活保障" in body
    for p in poor_household.members.all():
        assert p.id_number not in body and p.name not in body
    assert "13912345678" not in body and "尿毒症" not in body


def test_public_filter_keeps_same_named_villages_of_two_towns_apart(on_notice):
    n = on_notice.notices.get()
    other_town = Unit.objects.get(code="town_chengxi")
    Notice.objects.create(
        case=on_notice,
        town=other_town,
        community=n.community,
        shown_name="赵*",
        household_size=1,
        service_name=n.service_name,
        amount=n.amount,
        starts_on=n.starts_on,
        ends_on=n.ends_on,
    )
    page = Client().get("/decisions/notices/").content.decode()
    # The filter offers the village once per town, chosen within its town.
    assert page.count(f"{n.town.name} · {n.community}</option>") == 1
    assert page.count(f"{other_town.name} · {n.community}</option>") == 1
    one = Client().get("/decisions/notices/", {"place": f"{other_town.code}|{n.community}"}).content.decode()
    assert "赵*" in one and "王*国" not in one
    mine = Client().get("/decisions/notices/", {"place": f"{n.town.code}|{n.community}"}).content.decode()
    assert "王*国" in mine and "赵*" not in mine


def test_objection_from_the_public_page_is_throttled_per_client(on_notice, settings):
    settings.JIUZHU_OBJECTION_MAX_PER_CLIENT = 2
    n = on_notice.notices.get()
    c = Client(REMOTE_ADDR="203.0.113.5")
    url = f"/decisions/notices/{n.pk}/objection/"
    assert c.post(url, {"text": "该户家中有门面出租收入"}).status_code == 200
    assert c.post(url, {"text": "x"}).status_code == 400  # too short: nothing stored
    assert c.post(url, {"text": "该户儿子在外地工作收入较高"}).status_code == 200
    third = c.post(url, {"text": "再次反映该户情况属实"})
    assert third.status_code == 429 and third["Retry-After"]
    assert Objection.objects.count() == 2
    assert Client(REMOTE_ADDR="203.0.113.6").post(url, {"text": "另一位居民的异议内容"}).status_code == 200


def test_case_screens_for_caseworker_and_approver(on_notice, caseworker, approver, staff):
    page = login(caseworker).get(f"/decisions/c/{on_notice.pk}/")
    assert page.status_code == 200 and "公示与异议" in page.content.decode()
    assert (
        login(staff("town_caseworker", "town_chengxi")).get(f"/decisions/c/{on_notice.pk}/").status_code
        == 403
    )
    home = login(approver).get("/decisions/", {"state": "notice"}, HTTP_HX_REQUEST="true")
    assert home.status_code == 200 and f"#{on_notice.pk}" in home.content.decode()
    c = login(approver)
    c.post(f"/decisions/c/{on_notice.pk}/approve/", {"note": "同意"})
    on_notice.refresh_from_db()
    assert on_notice.state == Case.NOTICE  # the notice is still running: refused with a message
    Case.objects.filter(pk=on_notice.pk).update(state=Case.DECISION)
    on_notice.notices.update(ends_on=clock.today() - timedelta(days=1))
    c.post(f"/decisions/c/{on_notice.pk}/approve/", {"note": "同意", "without_account": "1"})
    on_notice.refresh_from_db()
    assert on_notice.state == Case.APPROVED and on_notice.entitlement is not None
    letter = Letter.objects.get(case=on_notice)
    pdf = c.get(f"/decisions/letters/{letter.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content[:4] == b"%PDF"
    assert download_name(pdf) == f"批准决定书-{letter.number}.pdf"
    chain = c.get(reverse("registry:household", args=[on_notice.household.code]))
    body = chain.content.decode()
    assert chain.status_code == 200 and f"批准，每月 {on_notice.amount} 元" in body  # on the chain
    past = Client().get("/decisions/notices/").content.decode()
    assert "已公示并批准的保障对象名单" in past and "王*国" in past
    x = Client().get("/decisions/notices.xlsx")
    rows = list(load_workbook(io.BytesIO(x.content)).active.iter_rows(min_row=3, values_only=True))
    assert x.status_code == 200 and [r[:5] for r in rows] == [
        ("王*国", "城东街道", "幸福社区", 3, "最低生活保障")
    ]


def test_caseworker_opens_a_case_from_the_screen(refer_to, make_household, caseworker):
    hh = make_household(
        members=[{"name": "孤老人", "birth": date(1940, 1, 1), "has_capable_supporter": False}]
    )
    asset_add(actor=None, household=hh, kind="financial", value="1000", as_of=D0)
    r = refer_to(hh, "tekun_dispersed", verify=True)
    home = login(caseworker).get("/decisions/")
    assert "启动调查" in home.content.decode()
    resp = login(caseworker).post(f"/decisions/open/{r.pk}/")
    c = Case.objects.get(referral=r)
    assert resp.status_code == 302 and resp["Location"] == f"/decisions/c/{c.pk}/"
