"""The demo seed: partners with log-ins on the demo password, reconciled ledgers, a delivered
and an open referral; a second run adds nothing."""

from datetime import date

from django.contrib.auth import authenticate

from jiuzhu.charity import demo, selectors
from jiuzhu.charity.models import CharityReferral, Donation, Partner
from jiuzhu.common import clock
from jiuzhu.registry.management.commands.demo import DEMO_PASSWORD


def test_demo_seed_is_idempotent_and_usable(staff, make_household, policy):
    staff("admin")
    staff("town_caseworker", "town_chengdong")
    for name in ("钱一", "孙二"):
        make_household(members=[{"name": name, "birth": date(1968, 4, 4)}])
    today = clock.today()
    summary = demo.seed(policy=policy, today=today)
    assert "合作方 4 家" in summary and "转介 2 件" in summary
    assert demo.seed(policy=policy, today=today) == ""
    assert Partner.objects.count() == 4 and Donation.objects.count() == 6
    assert authenticate(username="partner_redcross", password=DEMO_PASSWORD) is not None
    assert all(row["reconciled"] for row in selectors.ledger_check())
    states = sorted(CharityReferral.objects.values_list("state", flat=True))
    assert states == ["delivered", "referred"]
