"""Screens and API through the test client: the desk's needs list with matched offers and
reasons, referral by form, the partner's handling, another partner refused (HTML and API),
receipts, the partner ledger page and the public page (no log-in, nothing personal)."""

import json
from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.charity import referrals
from jiuzhu.charity.models import CharityReferral, Donation
from jiuzhu.common.testing import download_name
from jiuzhu.intake import handling
from jiuzhu.intake import services as intake

from .conftest import D0


@pytest.fixture
def as_user():
    def make(user):
        c = Client()
        c.force_login(user)
        return c

    return make


@pytest.fixture
def referral(setup, caseworker, household):
    return referrals.refer(
        actor=caseworker,
        household=household,
        offer=setup["cash"],
        need="medical",
        consent_by="王建国",
        consent_on=D0,
        amount="500",
        today=D0,
    )


def test_another_partner_is_refused_in_html_and_api(as_user, referral, grain_user, red_user):
    c = as_user(grain_user)
    page = c.get(f"/charity/r/{referral.pk}/")
    assert page.status_code == 403 and "不属于本机构" in page.content.decode()
    c.post(f"/charity/r/{referral.pk}/accept/", {"version": referral.version})
    home = c.get("/charity/").content.decode()
    assert f"#{referral.pk}" not in home
    api = c.get(f"/api/charity/referrals/{referral.pk}")
    assert api.status_code == 403 and api.json()["code"] == "not_your_partner"
    api = c.post(f"/api/charity/referrals/{referral.pk}/accept", "{}", content_type="application/json")
    assert api.status_code == 403 and api.json()["code"] == "not_your_partner"
    assert c.get("/api/charity/referrals").json() == []
    referral.refresh_from_db()
    assert referral.state == CharityReferral.REFERRED
    # its own partner sees it, masked, and can act
    own = as_user(red_user).get(f"/api/charity/referrals/{referral.pk}").json()
    assert (
        own["shared"]["name"] == "王*国"
        and own["household"] is None
        and own["actions"] == ["accept", "decline"]
    )


def test_desk_lists_a_refused_need_with_matching_offers_and_refers_by_form(
    as_user, setup, caseworker, household, staff, red_user
):
    clerk = staff("window_clerk", "town_chengdong")
    app = intake.application_create(actor=clerk, household=household, needs=["medical"], today=D0)
    (ir,) = intake.refer(actor=clerk, application=app, service_codes=["medical_emergency"], today=D0)
    officer = staff("department_officer", "health")
    handling.referral_accept(actor=officer, referral=ir)
    handling.referral_refuse(
        actor=officer,
        referral=ir,
        reasons="不符合条件",
        basis="办法第十条",
        alternatives="慈善医疗",
        today=D0,
    )
    c = as_user(caseworker)
    page = c.get("/charity/").content.decode()
    assert household.code in page and "大病医疗慈善救助金" in page and "需求相符：医疗" in page
    # the partner sees the need anonymised: no household code, no name
    partner_page = as_user(red_user).get("/charity/").content.decode()
    assert "医疗" in partner_page and household.code not in partner_page and "王建国" not in partner_page
    r = c.post(
        f"/charity/refer/{household.code}/",
        {
            "need": "medical",
            "offer": setup["cash"].pk,
            "intake_referral": ir.pk,
            "amount": "1200",
            "consent_by": "王建国",
            "consent_on": D0.isoformat(),
            "description": "自付费用高",
        },
    )
    cr = CharityReferral.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/charity/r/{cr.pk}/"
    assert cr.source_kind == "intake_refused" and cr.application_id == app.pk
    # once referred the need leaves the open list
    assert household.code not in c.get("/charity/").content.decode().split("转介事项")[0]
    # the partner accepts and delivers through its screens
    pc = as_user(red_user)
    pc.post(f"/charity/r/{cr.pk}/accept/", {"version": cr.version})
    cr.refresh_from_db()
    pc.post(f"/charity/r/{cr.pk}/deliver/", {"version": cr.version, "result": "已支付"})
    cr.refresh_from_db()
    assert cr.state == "delivered"
    app_page = as_user(clerk).get(f"/intake/a/{app.tracking_code}/").content.decode()
    assert "已资助 1200.00 元" in app_page
    # the window's desk lists the partner's feedback among its charity notices
    assert "示范市红十字会反馈" in as_user(clerk).get("/charity/").content.decode()


def test_form_errors_come_back_in_chinese_and_change_nothing(as_user, setup, caseworker, household):
    c = as_user(caseworker)
    r = c.post(
        f"/charity/refer/{household.code}/",
        {"need": "medical", "offer": setup["cash"].pk, "amount": "100", "consent_by": "", "consent_on": ""},
    )
    assert r.status_code == 200 and "征得家庭同意" in r.content.decode()
    assert not CharityReferral.objects.exists()
    api = c.post(
        "/api/charity/referrals",
        json.dumps(
            {
                "household": household.code,
                "partner": "redcross",
                "offer": "medical_cash",
                "need": "medical",
                "consent_by": "王建国",
                "consent_on": D0.isoformat(),
                "amount": "9999",
            }
        ),
        content_type="application/json",
    )
    assert api.status_code == 400 and api.json()["code"] == "over_offer_max"


def test_receipt_ledger_and_public_page(as_user, setup, admin, red_user, grain_user):
    d = Donation.objects.filter(partner=setup["redcross"]).first()
    pdf = as_user(red_user).get(f"/charity/d/{d.pk}/receipt.pdf")
    assert (
        pdf.status_code == 200
        and pdf.content.startswith(b"%PDF")
        and pdf["Content-Type"] == "application/pdf"
    )
    assert download_name(pdf) == f"捐赠收据-{d.receipt_no}.pdf"
    assert as_user(grain_user).get(f"/charity/d/{d.pk}/receipt.pdf").status_code == 403
    c = as_user(red_user)
    r = c.post(
        "/charity/p/redcross/donations/",
        {
            "kind": "money",
            "donor_name": "张先生",
            "amount": "1000.50",
            "fund": setup["fund"].pk,
            "received_on": date(2026, 10, 8).isoformat(),
        },
    )
    assert r.status_code == 302
    page = c.get("/charity/p/redcross/").content.decode()
    assert "账实相符" in page and "6000.50" in page and "张先生" in page
    c.post(
        "/charity/p/redcross/volunteers/",
        {"team": "急救队", "volunteer": "刘医生", "served_on": "2026-10-08", "hours": "2.5", "kind": "care"},
    )
    assert "2.50" in c.get("/charity/volunteers/").content.decode()
    public = Client().get("/charity/public/redcross/")
    text = public.content.decode()
    assert public.status_code == 200 and "6000.50" in text and "<svg" in text
    assert "张先生" not in text and "大病医疗慈善救助金" in text
    assert Client().get("/api/charity/public/redcross").json()["money_received"] == "6000.50"
    assert as_user(grain_user).get("/api/charity/partners/redcross/ledger").status_code == 403


def test_ledger_export_and_access_log(as_user, setup, caseworker, household, red_user, grain_user):
    import io

    from openpyxl import load_workbook

    from jiuzhu.common.models import AccessLog

    cr = referrals.refer(
        actor=caseworker,
        household=household,
        offer=setup["cash"],
        need="medical",
        consent_by="王建国",
        consent_on=D0,
        amount="700",
        today=D0,
    )
    referrals.accept(actor=red_user, referral=cr, today=D0)
    referrals.deliver(actor=red_user, referral=cr, result="已支付", today=D0)
    c = as_user(red_user)
    assert c.get(f"/charity/r/{cr.pk}/").status_code == 200
    log = AccessLog.objects.get(object_type="charity.referral")
    assert log.username == "red_staff" and log.household_code == household.code
    x = c.get("/charity/p/redcross/ledger.xlsx")
    wb = load_workbook(io.BytesIO(x.content))
    money = [r for r in wb["资金台账"].iter_rows(min_row=3, values_only=True)]
    assert [r[6] for r in money] == [3000, 5000, 4300]  # running balance
    assert "王*国" in money[-1][2] and "王建国" not in str(money)
    assert list(wb["核对结果"].iter_rows(min_row=3, values_only=True))[0][1] == "相符"
    assert as_user(grain_user).get("/charity/p/redcross/ledger.xlsx").status_code == 403


def test_another_towns_clerk_cannot_open_the_referral(as_user, referral, staff):
    other = as_user(staff("window_clerk", "town_chengxi"))
    assert other.get(f"/charity/r/{referral.pk}/").status_code == 403
    assert other.get(f"/api/charity/referrals/{referral.pk}").json()["code"] == "not_your_unit"
    assert other.get("/api/charity/referrals").json() == []
    assert as_user(staff("approver")).get(f"/charity/r/{referral.pk}/").status_code == 200


def test_api_records_donations_and_volunteer_hours_for_its_own_partner_only(
    as_user, setup, red_user, grain_user
):
    c = as_user(red_user)
    r = c.post(
        "/api/charity/partners/redcross/donations",
        json.dumps({"kind": "money", "anonymous": True, "fund": "medical", "amount": "250.00"}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["receipt_no"].startswith("REDCROSS-")
    setup["fund"].refresh_from_db()
    assert setup["fund"].balance == Decimal("5250.00")
    bad = c.post(
        "/api/charity/partners/redcross/donations",
        json.dumps({"kind": "money", "donor_name": "某人", "fund": "medical", "amount": "-5"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_amount"
    other = as_user(grain_user).post(
        "/api/charity/partners/redcross/donations",
        json.dumps({"kind": "money", "anonymous": True, "fund": "medical", "amount": "1.00"}),
        content_type="application/json",
    )
    assert other.status_code == 403 and other.json()["code"] == "not_your_partner"
    v = as_user(grain_user).post(
        "/api/charity/partners/grainco/volunteer-services",
        json.dumps(
            {"team": "送米队", "volunteer": "郑义", "served_on": "2026-10-01", "hours": "25", "kind": "other"}
        ),
        content_type="application/json",
    )
    assert v.status_code == 400 and v.json()["code"] == "hours_over_24"
    setup["fund"].refresh_from_db()
    assert setup["fund"].balance == Decimal("5250.00")


def test_approver_registers_a_partner_with_a_fund_an_offer_and_a_login(as_user, staff):
    from jiuzhu.charity.models import Offer, Partner
    from jiuzhu.registry.models import User

    c = as_user(staff("approver"))
    c.post(
        "/charity/manage/partner/",
        {"code": "lions", "name": "狮子会", "kind": "charity", "towns": ["town_chengdong"]},
    )
    c.post(
        "/charity/manage/fund/", {"partner": "lions", "code": "edu", "name": "助学金", "needs": ["education"]}
    )
    r = c.post("/charity/manage/fund/", {"partner": "lions", "code": "edu", "name": "重复"})
    assert r.status_code == 302
    c.post(
        "/charity/manage/offer/",
        {
            "partner": "lions",
            "code": "grant",
            "name": "助学金发放",
            "kind": "cash",
            "needs": ["education"],
            "fund": "edu",
            "max_amount": "1500",
            "capacity": "x",
        },
    )
    assert not Offer.objects.filter(code="grant").exists()  # bad capacity: nothing saved
    c.post(
        "/charity/manage/offer/",
        {
            "partner": "lions",
            "code": "grant",
            "name": "助学金发放",
            "kind": "cash",
            "needs": ["education"],
            "fund": "edu",
            "max_amount": "1500",
            "capacity": "30",
            "period_days": "180",
        },
    )
    o = Offer.objects.get(code="grant")
    assert (o.max_amount, o.capacity, o.period_days, o.fund.code) == (Decimal("1500.00"), 30, 180, "edu")
    u = User.objects.create_user(username="lions_staff", password="test-pass-123", role="partner")
    c.post("/charity/manage/user/", {"partner": "lions", "user": u.pk})
    assert Partner.objects.get(code="lions").users.get().user == u
    assert as_user(staff("town_caseworker")).get("/charity/manage/").status_code == 403


def test_a_partner_never_reaches_the_households_personal_data(
    as_user, referral, household, red_user, caseworker
):
    """Held in issue 13 (partner masking): a partner's log-in sees its referral's need, never the
    household's file: the registry page, API and searches are all refused, and the
    referral page carries no ID number; the household's own town opens the file."""
    number = household.members.order_by("id").first().id_number
    c = as_user(red_user)
    for r in (
        c.get(f"/households/{household.code}/"),
        c.get(f"/api/registry/households/{household.code}"),
        c.get("/api/registry/households", {"q": number}),
        c.get("/search/", {"q": "王"}),
    ):
        assert r.status_code in (403, 404) and number not in r.content.decode()
    page = c.get(f"/charity/r/{referral.pk}/")
    assert page.status_code == 200 and number not in page.content.decode()
    assert number in as_user(caseworker).get(f"/households/{household.code}/").content.decode()


@pytest.mark.parametrize(
    "path, body, field, code",
    [
        (
            "donations",
            {"kind": "money", "donor_name": "某\x00人", "fund": "medical", "amount": "5.00"},
            "donor_name",
            "control_characters",
        ),
        (
            "donations",
            {"kind": "money", "anonymous": True, "purpose": "助" * 201, "fund": "medical", "amount": "5.00"},
            "purpose",
            "too_long",
        ),
        (
            "donations",
            {"kind": "money", "anonymous": True, "fund": "medical", "amount": "1e30"},
            "amount",
            "amount_out_of_range",
        ),
        (
            "volunteer-services",
            {
                "team": "送米队",
                "volunteer": "郑\x1b义",
                "served_on": "2026-10-01",
                "hours": "2",
                "kind": "other",
            },
            "volunteer",
            "control_characters",
        ),
        (
            "volunteer-services",
            {
                "team": "送米队",
                "volunteer": "郑义",
                "served_on": "2026-10-01",
                "hours": "2",
                "kind": "other",
                "note": "说" * 201,
            },
            "note",
            "too_long",
        ),
    ],
)
def test_api_refuses_control_characters_long_text_and_absurd_amounts_writing_nothing(
    as_user, setup, red_user, path, body, field, code
):
    from jiuzhu.charity.models import VolunteerService

    r = as_user(red_user).post(
        f"/api/charity/partners/redcross/{path}", json.dumps(body), content_type="application/json"
    )
    assert r.status_code == 400, r.content
    assert r.json()["field"] == field and r.json()["code"] == code and r.json()["message"]
    assert not Donation.objects.filter(partner__code="redcross", recorded_by=red_user).exists()
    assert not VolunteerService.objects.exists()
    setup["fund"].refresh_from_db()
    assert setup["fund"].balance == Decimal("5000.00")
