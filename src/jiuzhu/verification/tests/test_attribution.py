"""A household's report holds no other person's record: among a member's own record with a
mistyped old card, his twin's (the twin's valid number, and the twin's old card with a
look-alike given name), a namesake elsewhere and a similar name in the town, only his own is
used; the twin's old card goes to the officer, whose desk shows the evidence for and against
side by side. (Dataset validation refuses an 18-digit number with a wrong check character, so
on the platform damaged numbers arrive as old 15-digit cards or not at all; the 18-digit case
is in test_acceptance.py.)"""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.common.idnumber import check_char
from jiuzhu.common.models import AccessLog
from jiuzhu.verification import services, testing
from jiuzhu.verification.models import Match, VerificationRequest

from .conftest import TODAY

BIRTH = date(1972, 3, 15)
OWN = "33010219720315123"
OWN += check_char(OWN)
TWIN_BODY = OWN[:16] + "5"  # sequence 125: the twin brother


def card(body17: str) -> str:
    """The old 15-digit card of an 18-digit number's body."""
    return body17[:6] + body17[8:17]


def wages(id_number, name, amount, **extra):
    return {
        "id_number": id_number,
        "name": name,
        "birth_date": BIRTH.isoformat(),
        "income_kind": "工资薪金所得",
        "payer": "某公司",
        "amount": amount,
        "period_start": "2025-09-01",
        "period_end": "2026-02-28",
        **extra,
    }


@pytest.fixture
def twins_town(make_household, clerk, all_datasets):
    hh = make_household(
        members=[
            {
                "name": "王志文",
                "id_number": OWN,
                "birth": BIRTH,
                "relation": "head",
                "gender": "M",
                "phone": "13900000008",
            }
        ],
        address="示范市城东街道幸福路8号2栋101室",
    )
    slip = OWN[:3] + str((int(OWN[3]) + 1) % 10) + OWN[4:17]  # his own card, the area code mistyped
    all_datasets(
        {
            "tax": [
                wages(card(slip), "王志文", "3000"),  # his own record, damaged
                wages(TWIN_BODY + check_char(TWIN_BODY), "王志天", "90000", phone="13900000008"),  # the twin
                wages(card(TWIN_BODY), "王志天", "80000", phone="13900000008"),  # the twin's old card
                wages(card("440305" + OWN[6:14] + "371"), "王志文", "70000"),  # namesake elsewhere
                wages("", "王志刚", "60000", phone="18655554444"),  # a similar name in the town
            ]
        }
    )
    testing.authorise(hh, clerk, on=TODAY)
    return hh


def test_the_report_holds_no_other_persons_record(twins_town, clerk, officer):
    req = services.request_create(actor=clerk, household=twins_town, service_code="dibao", today=TODAY)
    accepted = req.matches.filter(state=Match.ACCEPTED).select_related("record")
    assert [(m.record.name, m.record.amount) for m in accepted] == [("王志文", Decimal("500.00"))]
    pending = req.matches.get(state=Match.PENDING)  # the twin's old card: the officer decides
    assert (pending.record.name, req.state) == ("王志天", VerificationRequest.REVIEW)

    desk = Client()
    desk.force_login(officer)
    html = desk.get("/verification/").content.decode()
    assert "可能是双胞胎" in html  # why it was not used by itself
    assert "<strong>支持是本人：</strong>出生日期、电话" in html
    assert "<strong>相近：</strong>姓名" in html and "<strong>不支持：</strong>身份证号码" in html
    assert (
        "王志文" in html and "王志天" in html and "15位号码仅顺序码不同（双胞胎特征）" in html
    )  # side by side
    assert AccessLog.objects.filter(
        object_type="verification_review", household_code=twins_town.code
    ).exists()

    (api,) = desk.get("/api/verification/reviews").json()  # the same evidence through the API
    assert api["reason"].startswith("号码仅顺序码不同、姓名同音、形近")
    stances = {e["field"]: (e["member"], e["record"], e["stance"]) for e in api["evidence"]}
    assert stances["name"] == ("王志文", "王志天", "near") and stances["id_number"][2] == "against"

    services.review_decide(actor=officer, match=pending, accept=False, reason="双胞胎兄弟的记录")
    report = services.report_issue(actor=officer, request=req)
    (member,) = report.snapshot["members"]
    assert [(i["source"], i["amount"]) for i in member["items"]] == [("tax", "500.00")]
    # 6 months of 500 over 12, less the employment cost; any of the others' wages (60,000 to
    # 90,000 over six months) would put the household far above
    assert Decimal(report.snapshot["totals"]["income_counted"]) < Decimal("300")
