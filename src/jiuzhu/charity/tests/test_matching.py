"""Open needs not met by government services and the offers that fit them, with reasons; a
partner sees the needs of its area anonymised and may claim one; the household's chain and
the volunteer summaries."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client

from jiuzhu.charity import matching, referrals, selectors, services
from jiuzhu.charity.models import NeedClaim
from jiuzhu.common.errors import PermissionDenied
from jiuzhu.decisions.testing import grant_signed
from jiuzhu.intake import handling
from jiuzhu.intake import services as intake
from jiuzhu.intake.models import Notification

from .conftest import D0


@pytest.fixture
def clerk(staff):
    return staff("window_clerk", "town_chengdong")


@pytest.fixture
def caseworker_cd(staff):
    return staff("town_caseworker", "town_chengdong")


def _close(app_needs, codes, household, clerk, staff, *, grant=(), refuse=()):
    app = intake.application_create(actor=clerk, household=household, needs=app_needs, today=D0)
    refs = intake.refer(actor=clerk, application=app, service_codes=codes, today=D0)
    for r in refs:
        officer = staff("department_officer", r.unit.code)
        handling.referral_accept(actor=officer, referral=r)
        if r.service_code in grant:
            grant_signed(
                actor=officer,
                approver=staff("approver", "civil_affairs"),
                referral=r,
                amount="500",
                start_month=date(2026, 10, 1),
                period="once",
                today=D0,
            )
        else:
            handling.referral_refuse(
                actor=officer, referral=r, reasons="不符合", basis="办法", alternatives="慈善", today=D0
            )
    return app


def test_open_needs_from_refusals_partly_met_requests_and_emergencies(
    setup, clerk, household, staff, make_household, caseworker_cd
):
    # asked for medical and education help; education granted, medical never referred
    app = _close(
        ["medical", "education"], ["edu_compulsory"], household, clerk, staff, grant=("edu_compulsory",)
    )
    other = make_household(members=[{"name": "刘强", "birth": date(1965, 2, 2)}])
    refused = _close(["medical"], ["medical_emergency"], other, clerk, staff)
    ir = refused.referrals.get()
    app3 = intake.application_create(actor=clerk, household=other, needs=["emergency"], today=D0)
    aid = intake.emergency_grant(actor=caseworker_cd, application=app3, amount="1000", cause="fire", today=D0)
    needs = {n.key: n for n in matching.open_needs(today=D0)}
    assert set(needs) == {
        f"partly_met:{app.pk}:medical",
        f"intake_refused:{ir.pk}:medical",
        f"emergency:{aid.pk}:emergency",
    }
    medical = needs[f"intake_refused:{ir.pk}:medical"]
    (match,) = medical.matches
    assert match.offer == setup["cash"]
    assert match.reasons[:2] == ["需求相符：医疗", "服务全市"] and "资金余额 5000.00 元" in match.reasons[3]
    rice = needs[f"emergency:{aid.pk}:emergency"].matches[0]
    assert rice.offer == setup["goods"] and "服务区域含城东街道" in rice.reasons
    # referred once, the need is no longer open
    referrals.refer(
        actor=caseworker_cd,
        household=other,
        offer=setup["goods"],
        need="emergency",
        consent_by="刘强",
        consent_on=D0,
        quantity="2",
        source_kind="emergency",
        source_id=str(aid.pk),
        today=D0,
    )
    assert f"emergency:{aid.pk}:emergency" not in {n.key for n in matching.open_needs(today=D0)}
    # the emergency's application hears of it in its chain
    assert app3.events.filter(kind="charity", note__contains="转介示范粮油有限公司").exists()


def test_partner_sees_anonymised_needs_of_its_area_and_claims_one(
    setup, clerk, household, staff, red_user, grain_user, make_household
):
    _close(["medical"], ["medical_emergency"], household, clerk, staff)
    far = make_household(members=[{"name": "吴敏", "birth": date(1980, 1, 1)}], town="town_chengxi")
    clerk_w = staff("window_clerk", "town_chengxi")
    _close(["emergency"], ["temporary_emergency"], far, clerk_w, staff)
    seen = matching.needs_for_partner(setup["redcross"], today=D0)
    assert {n["need"] for n in seen} == {"medical", "emergency"}  # city-wide charity
    assert all("王建国" not in str(n) and household.code not in str(n) for n in seen)
    grain_seen = matching.needs_for_partner(setup["grainco"], today=D0)
    assert [n["town"] for n in grain_seen] == ["城东街道"]  # its area only
    key = next(n["key"] for n in seen if n["need"] == "medical")
    r = Client()
    r.force_login(red_user)
    resp = r.post("/charity/claim/", {"need": key}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and "已认领" in resp.content.decode()
    assert NeedClaim.objects.filter(partner=setup["redcross"], need_key=key).exists()
    assert Notification.objects.filter(kind="charity_claim", unit__code="town_chengdong").exists()
    assert "示范市红十字会" in matching.need_by_key(key).claims
    far_key = next(n["key"] for n in seen if n["need"] == "emergency")
    with pytest.raises(PermissionDenied) as exc:
        services.need_claim(actor=grain_user, need_key=far_key)
    assert exc.value.code == "outside_area"


def test_chain_entries_and_volunteer_summaries(setup, caseworker, household, grain_user, admin):
    cr = referrals.refer(
        actor=caseworker,
        household=household,
        offer=setup["goods"],
        need="living",
        consent_by="王建国",
        consent_on=D0,
        quantity="3",
        today=D0,
    )
    referrals.accept(actor=grain_user, referral=cr, today=D0)
    referrals.deliver(actor=grain_user, referral=cr, result="已送达", today=D0)
    chain = selectors.chain_entries(household=household, role="town_caseworker")
    assert [e["title"] for e in chain] == ["转介示范粮油有限公司·爱心大米", "示范粮油有限公司已帮扶"]
    assert chain[1]["detail"].startswith("3袋")
    team = setup["team"]
    for who, day, hours in [
        ("甲", date(2026, 9, 5), "2"),
        ("乙", date(2026, 9, 6), "3.5"),
        ("甲", date(2026, 10, 3), "4"),
    ]:
        services.volunteer_log(
            actor=admin,
            partner=team,
            team="辅导组",
            volunteer=who,
            served_on=day,
            hours=hours,
            kind="tutoring",
        )
    s = selectors.volunteer_summary(partner=team)
    assert [(r["month"], r["hours"], r["people"]) for r in s["by_month"]] == [
        ("2026-09", Decimal("5.50"), 2),
        ("2026-10", Decimal("4.00"), 1),
    ]
    assert s["by_volunteer"][0]["volunteer"] == "甲" and s["by_volunteer"][0]["hours"] == Decimal("6.00")
    assert s["total_hours"] == Decimal("9.50")


def test_an_open_omission_alert_is_a_need_and_a_referral_keeps_its_reference(
    setup, household, caseworker_cd, units
):
    screening = pytest.importorskip("jiuzhu.screening.models")
    alert = screening.Alert.objects.create(
        kind="omission",
        rule="low_income_not_covered",
        severity="medium",
        unit=units["town_chengdong"],
        household=household,
        raised_on=D0,
        due_on=D0,
        summary="疑似漏保",
        fingerprint="charity-test-1",
    )
    key = f"alert:{alert.pk}:living"
    need = matching.need_by_key(key)
    assert need is not None and need.source_display == "漏保预警"
    assert [x.offer for x in need.matches] == [setup["goods"]]
    r = referrals.refer(
        actor=caseworker_cd,
        household=household,
        offer=setup["goods"],
        need="living",
        consent_by="王建国",
        consent_on=D0,
        quantity="1",
        source_kind="alert",
        source_id=str(alert.pk),
        today=D0,
    )
    assert (r.source_kind, r.source_id) == ("alert", str(alert.pk))
    assert matching.need_by_key(key) is None
