"""Issue 20's screening causes, planted through the platform's own services and screened on
the real database: a re-registration from a mistyped 15-digit card, one cause worded two
ways, a backdated subsidy over charity-paid months, a legitimate top-up (silent), and one
need paid under two service codes by two units."""

from datetime import UTC, date, datetime

import pytest

from jiuzhu.charity import referrals, services
from jiuzhu.charity.models import Offer
from jiuzhu.charity.testing import make_partner_user
from jiuzhu.common.errors import ValidationFailed
from jiuzhu.decisions.models import Entitlement
from jiuzhu.screening.models import Alert

PAID_ON = date(2026, 1, 10)


def _alerts(rule, household):
    return list(Alert.objects.filter(rule=rule, household=household))


@pytest.fixture
def rent_charity(staff):
    """A charity with a rent fund and a cash offer for housing, and its staff log-in."""
    admin = staff("admin")
    partner = services.partner_save(actor=admin, code="rentaid", name="安居慈善基金会", kind="charity")
    fund = services.fund_create(partner=partner, code="rent", name="租房救助金", needs=["housing"])
    services.donation_receive(
        actor=admin,
        partner=partner,
        kind="money",
        anonymous=True,
        amount="20000",
        fund=fund,
        received_on=PAID_ON,
    )
    offer = services.offer_save(
        partner=partner,
        code="rent_cash",
        name="困难家庭房租资助",
        kind=Offer.CASH,
        needs=["housing"],
        fund=fund,
        period_days=365,
    )
    return offer, make_partner_user(partner, "rentaid_staff")


def _charity_rent(offer, user, caseworker, household, *, amount, cost=None, months=(1, 3)):
    """Charity cash for the rent of 2026's months ``months`` (inclusive), referred and paid on PAID_ON."""
    r = referrals.refer(
        actor=caseworker,
        household=household,
        offer=offer,
        need="housing",
        consent_by="户主",
        consent_on=PAID_ON,
        amount=amount,
        cost_amount=cost,
        cover_from=date(2026, months[0], 1),
        cover_to=date(2026, months[1], 1),
        today=PAID_ON,
    )
    referrals.accept(actor=user, referral=r, today=PAID_ON)
    return referrals.deliver(actor=user, referral=r, result="已支付房租", today=PAID_ON)


def test_a_re_registration_from_a_mistyped_15_digit_card_is_found(make_household, grant, screen, clean_town):
    a = make_household(members=[{"name": "刘思俊", "birth": date(1966, 7, 8)}])
    grant(a, "dibao", "950")
    n = a.members.get().id_number
    old = n[:6] + n[8:17]  # the old 15-digit card of the same person
    seq = old[12:15]
    swapped = seq[1] + seq[0] + seq[2] if seq[0] != seq[1] else seq[0] + seq[2] + seq[1]
    typed = old[:12] + swapped  # typed with two digits swapped
    assert typed != old
    # registered again in another town from the card, under a homophone of the name
    b = make_household(
        members=[{"name": "刘思骏", "birth": date(1966, 7, 8), "id_number": typed}], town="town_xishan"
    )
    copy = b.members.get()
    assert copy.id_upgraded and copy.id_number != n
    grant(b, "dibao", "800", start=date(2026, 4, 1))

    screen()

    twice = Alert.objects.filter(rule="registered_twice")
    assert [sorted(x.evidence["persons"]) for x in twice] == [sorted([a.members.get().pk, copy.pk])]
    towns = Alert.objects.filter(rule="two_towns")
    assert [(x.household_id, x.unit.code) for x in towns] == [(b.pk, "town_xishan")]
    assert not Alert.objects.filter(household=clean_town).exists()


def test_one_cause_worded_two_ways_is_one_cause(make_household, grant, screen):
    h = make_household(members=[{"name": "陈遇险", "birth": date(1979, 3, 3)}])
    grant(h, "temporary_emergency", "2000", start=date(2025, 12, 1), cause="accident", cause_note="交通事故")
    grant(
        h, "temporary_emergency", "1500", start=date(2026, 4, 1), cause="accident", cause_note="遭遇交通事故"
    )
    # another household: two different causes within 12 months are no case
    other = make_household(members=[{"name": "陈两事", "birth": date(1981, 4, 4)}])
    grant(other, "temporary_emergency", "2000", start=date(2025, 12, 1), cause="fire", cause_note="火灾")
    grant(
        other, "temporary_emergency", "1500", start=date(2026, 4, 1), cause="illness", cause_note="突发脑溢血"
    )

    screen()

    (alert,) = _alerts("temporary_same_cause", h)
    assert alert.evidence["cause"] == "交通事故等意外"
    assert "“交通事故”" in alert.evidence["records"][0] and "“遭遇交通事故”" in alert.evidence["records"][1]
    assert "accident" not in alert.summary
    assert not _alerts("temporary_same_cause", other)


def test_a_cause_not_on_the_list_is_refused(make_household, grant):
    h = make_household(members=[{"name": "陈无列", "birth": date(1979, 3, 3)}])
    with pytest.raises(ValidationFailed) as exc:
        grant(h, "temporary_emergency", "2000", cause="家中失火")
    assert exc.value.field == "cause" and exc.value.code == "invalid_choice"
    assert not Entitlement.objects.filter(household=h).exists()


def test_old_free_text_causes_become_other_with_the_text_kept(make_household, grant):
    import importlib

    from django.apps import apps

    h = make_household(members=[{"name": "陈旧档", "birth": date(1979, 3, 3)}])
    old = grant(h, "temporary_emergency", "2000")
    coded = grant(h, "temporary_emergency", "1000", cause="fire", cause_note="厨房起火")
    Entitlement.objects.filter(pk=old.pk).update(cause="家中失火")  # as the free-text field held it
    migration = importlib.import_module("jiuzhu.decisions.migrations.0009_entitlement_cause_note")
    migration.free_text_to_other(apps, None)
    old.refresh_from_db()
    coded.refresh_from_db()
    assert (old.cause, old.cause_note) == ("other", "家中失火")
    assert (coded.cause, coded.cause_note) == ("fire", "厨房起火")


def test_a_backdated_subsidy_over_charity_paid_months_is_a_duplicate(
    make_household, grant, screen, staff, rent_charity
):
    offer, user = rent_charity
    caseworker = staff("town_caseworker", "town_chengdong")
    h = make_household(members=[{"name": "黄租房", "birth": date(1972, 2, 2)}])
    # charity paid the whole rent of January to March (¥1,000 a month) first
    _charity_rent(offer, user, caseworker, h, amount="3000")
    # then the housing bureau grants the rent subsidy backdated to January: ¥600 a month
    grant(h, "housing_rent_subsidy", "600", start=date(2026, 1, 1))

    screen()

    (alert,) = _alerts("charity_covers_paid_cost", h)
    assert alert.unit.code == "housing"  # the later payment's unit corrects it
    assert alert.evidence["cost"] == "3000.00" and alert.evidence["government_paid"] == "1800.00"
    assert alert.evidence["excess"] == "1800.00"
    assert "住房" in alert.summary and "2026-01至2026-03" in alert.summary


def test_charity_topping_up_the_uncovered_part_stays_silent(
    make_household, grant, screen, staff, rent_charity
):
    offer, user = rent_charity
    caseworker = staff("town_caseworker", "town_chengdong")
    h = make_household(members=[{"name": "黄补足", "birth": date(1973, 3, 3)}])
    grant(h, "housing_rent_subsidy", "600", start=date(2026, 1, 1))
    # rent ¥1,000 a month for January–March: the subsidy paid ¥1,800, charity tops up ¥1,200
    _charity_rent(offer, user, caseworker, h, amount="1200", cost="3000")
    # and a second household whose charity top-up overshoots the stated cost by ¥300
    over = make_household(members=[{"name": "黄超付", "birth": date(1974, 4, 4)}])
    grant(over, "housing_rent_subsidy", "600", start=date(2026, 1, 1))
    # (granted on 5 January, before the charity paid: the charity's payment is the one to correct)
    Entitlement.objects.filter(household=over).update(created_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    _charity_rent(offer, user, caseworker, over, amount="1500", cost="3000")

    screen()

    assert not Alert.objects.filter(household=h, kind="duplicate").exists()
    (alert,) = _alerts("charity_covers_paid_cost", over)
    assert alert.evidence["excess"] == "300.00" and alert.unit.code == "charity_federation"


def test_one_need_paid_under_two_service_codes_by_two_units(make_household, grant, screen):
    h = make_household(
        members=[
            {"name": "林家长", "birth": date(1980, 5, 5), "relation": "head"},
            {"name": "林小学", "birth": date(2015, 9, 9), "relation": "child"},
        ]
    )
    pupil = h.members.get(relation="child")
    grant(h, "edu_compulsory", "1000", start=date(2025, 9, 1), members=[pupil], payee=pupil)
    grant(
        h,
        "youth_education_aid",
        "800",
        start=date(2025, 9, 1),
        members=[pupil],
        payee=pupil,
        amount_period="year",
    )

    screen()

    (alert,) = _alerts("same_need_two_units", h)
    assert alert.person_id == pupil.pk and alert.evidence["need"] == "教育"
    assert "希望工程助学" in alert.summary and "义务教育" in alert.summary


@pytest.fixture
def clean_town(make_household, grant):
    hh = make_household(members=[{"name": "赵清白", "birth": date(1975, 4, 2)}], town="town_chengxi")
    grant(hh, "dibao", "950")
    return hh
