"""``jiuzhu demo``'s year of work (issue 17 item 7): every unit that pays a service has spent
this year, through its own services, and the ledger spends civil affairs' and the other
departments' budget parts in about the city's proportion (¥47.355M : ¥22.449M), printed."""

from datetime import date
from decimal import Decimal
from io import StringIO

from django.core.management import call_command

from jiuzhu.common import clock
from jiuzhu.decisions.models import Case
from jiuzhu.intake.models import Referral
from jiuzhu.payments import selectors
from jiuzhu.payments.demo_year import MARK
from jiuzhu.payments.models import Budget

DAY = date(2026, 11, 16)  # the demo's year as of mid-November: ten months of rolls paid
CITY = Decimal("47355000") / Decimal("22449000")
TOLERANCE = Decimal("0.15")  # the printed ratio within 15 % of the city's


def test_the_demo_year_spends_every_paying_unit_in_proportion(db, policy, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    out = StringIO()
    with clock.on(DAY):
        call_command("demo", no_serve=True, households=1500, seed=2026, stdout=out)
    text = out.getvalue()
    paying = set(Budget.objects.filter(year=DAY.year, amount__gt=0).values_list("unit__code", flat=True))
    assert len(paying) == 26  # 14 towns, civil affairs and 11 other departments pay services
    paid = {r["key"]: r["paid"] for r in selectors.balances(year=DAY.year, by="unit")}
    assert [c for c in sorted(paying) if not paid.get(c)] == []
    # the table: every member unit of the joint conference, by name, with what it spent
    members = [u for u in policy.units if u.conference]
    assert len(members) == 32
    for u in members:
        amount = paid.get(u.code) or Decimal("0.00")
        rows = [ln for ln in text.splitlines() if ln.startswith(f"  {u.name}") and "已支出" in ln]
        assert len(rows) == 1 and f"已支出 ¥{amount:>14,.2f}" in rows[0], u.name
    split = selectors.city_split(year=DAY.year)
    ratio = split["civil_affairs"]["paid"] / split["others"]["paid"]
    assert abs(ratio / CITY - 1) <= TOLERANCE, ratio
    assert f"两部分之比 {ratio:.2f}" in text
    # the departments' work went the real way: referred at a window, answered by the unit
    granted = Referral.objects.filter(application__description=MARK, state=Referral.GRANTED)
    assert granted.values("unit").distinct().count() >= 8
    assert not Case.objects.filter(state=Case.APPROVED, investigations__isnull=True).exists()
