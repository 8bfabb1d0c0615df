"""Benchmark of social forces (charity): the open-needs list with matching, referrals with the
double-help check, delivery (cash from a fund traced to donations, goods from stock), the
ledger check and screening's ``cash_aid_rows``.

    uv run python bench/charity.py            # ~1-2 minutes
    uv run python bench/charity.py --small    # a few seconds (CI smoke run)

Database: PostgreSQL when DATABASE_URL is set (a throw-away ``<name>_bench_<pid>`` database,
dropped at the end); otherwise SQLite in a temporary directory. Set-up rows (households,
refused intake referrals) are bulk-inserted; everything measured goes through the services
and selectors as the screens call them. Prints figures and the ratio of the time per need for
the whole city to the time per need for one town's share (1/14 of it; 1.0 = linear). Exits non-zero when a
correctness check fails (ledger not reconciled, needs not counted right, rows missing).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from benchdb import setup_database  # noqa: E402


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true")
    args = ap.parse_args()
    n_households = 200 if args.small else 4000
    n_refer = 40 if args.small else 400
    drop = setup_database("charity")
    try:
        return run(n_households, n_refer)
    finally:
        drop()


def run(n_households: int, n_refer: int) -> int:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    from jiuzhu.charity import matching, referrals, selectors, services
    from jiuzhu.charity.models import Offer
    from jiuzhu.charity.testing import make_partner_user
    from jiuzhu.intake.models import Application, Referral
    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry.models import Household, Person, Unit, User
    from jiuzhu.registry.services import units_sync
    from jiuzhu.registry.testing import make_id

    units_sync(policy=current_policy())
    towns = list(Unit.objects.filter(kind="town").order_by("code"))
    health = Unit.objects.get(code="health")
    admin = User.objects.create_user(
        username="bench_admin", password="x-bench-123", role="admin", unit=health
    )
    cw = User.objects.create_user(
        username="bench_cw", password="x-bench-123", role="town_caseworker", unit=towns[0]
    )
    # each household is referred by a caseworker of its own town (scope row charity.refer)
    cws = {towns[0].pk: cw} | {
        t.pk: User.objects.create_user(
            username=f"bench_cw_{t.code}", password="x-bench-123", role="town_caseworker", unit=t
        )
        for t in towns[1:]
    }
    today = date.today()

    # --- set-up rows (bulk) --------------------------------------------------------------
    t0 = time.perf_counter()
    hh = Household.objects.bulk_create(
        [
            Household(
                code=f"BENCH{i:07d}",
                town=towns[i % len(towns)],
                community="基准社区",
                division_code=towns[i % len(towns)].division_code or "329901001",
                area="urban",
                address=f"示范市基准路{i}号",
            )
            for i in range(n_households)
        ],
        batch_size=2000,
    )
    people = Person.objects.bulk_create(
        [
            Person(
                household=h,
                relation="head",
                id_number=make_id(date(1950 + i % 50, 1 + i % 12, 1 + i % 28), seq=i),
                name=f"基准{i}",
                gender="M",
                birth_date=date(1950 + i % 50, 1 + i % 12, 1 + i % 28),
            )
            for i, h in enumerate(hh)
        ],
        batch_size=2000,
    )
    apps = Application.objects.bulk_create(
        [
            Application(
                tracking_code=f"B{i:09d}",
                household=h,
                window=h.town,
                applicant=p,
                needs=["medical"],
                id_tail=p.id_number[-4:],
                received_on=today - timedelta(days=20),
                received_by=cw,
                status=Application.CLOSED,
            )
            for i, (h, p) in enumerate(zip(hh, people, strict=True))
        ],
        batch_size=2000,
    )
    Referral.objects.bulk_create(
        [
            Referral(
                application=a,
                service_code="medical_emergency",
                service_name="疾病应急救助",
                category="medical",
                unit=health,
                state=Referral.REFUSED,
                referred_on=today - timedelta(days=20),
                limit_days=5,
                due_on=today - timedelta(days=13),
                closed_on=today - timedelta(days=15),
                reasons="不符合条件",
            )
            for a in apps
        ],
        batch_size=2000,
    )
    setup_s = time.perf_counter() - t0

    # partners: 20 charities with a medical cash offer each (city-wide), 14 grain companies
    # with rice for their own town
    offers = []
    for k in range(20):
        p = services.partner_save(actor=admin, code=f"c{k}", name=f"慈善组织{k}", kind="charity")
        f = services.fund_create(partner=p, code="m", name=f"医疗基金{k}", needs=["medical"])
        services.donation_receive(
            actor=admin, partner=p, kind="money", anonymous=True, amount="1000000", fund=f
        )
        offers.append(
            services.offer_save(
                partner=p,
                code="cash",
                name="医疗救助金",
                kind=Offer.CASH,
                needs=["medical"],
                fund=f,
                max_amount="3000",
                capacity=n_refer,
            )
        )
    for k, town in enumerate(towns):
        p = services.partner_save(
            actor=admin, code=f"g{k}", name=f"粮油企业{k}", kind="enterprise", towns=[town.code]
        )
        item = services.stock_item_create(partner=p, code="rice", name="大米", unit="袋")
        services.donation_receive(
            actor=admin, partner=p, kind="goods", donor_name="企业", stock_item=item, quantity="100000"
        )
        services.offer_save(
            partner=p,
            code="rice",
            name="爱心大米",
            kind=Offer.GOODS,
            needs=["medical", "living"],
            stock_item=item,
        )
    partner_user = make_partner_user(offers[0].partner, "bench_partner")

    # --- open needs with matching --------------------------------------------------------

    quarter_town = towns[0].code

    def needs_all():
        return matching.open_needs(today=today, limit=10**9)

    (needs, t_needs) = timed(needs_all)
    if len(needs) != n_households:
        print(f"FAIL: {len(needs)} open needs, expected {n_households}")
        return 1
    # a quarter of the data: time the same list restricted to one town's share scaled
    (_, t_town) = timed(lambda: matching.open_needs(town=quarter_town, today=today, limit=10**9))
    per_need_full = t_needs / n_households
    per_need_town = t_town / max(1, n_households // len(towns))
    (_, t_desk) = timed(lambda: matching.open_needs(today=today))  # what the desk reads (200)
    (pneeds, t_partner) = timed(lambda: matching.needs_for_partner(offers[0].partner, today=today))

    # --- referrals, delivery ----------------------------------------------------------------
    targets = needs[:n_refer]
    t = time.perf_counter()
    made = []
    for n in targets:
        made.append(
            referrals.refer(
                actor=cws[n.household.town_id],
                household=n.household,
                offer=offers[0],
                need="medical",
                consent_by="户主",
                consent_on=today,
                amount="1000.00",
                source_kind=n.source_kind,
                source_id=n.source_id,
                intake_referral=Referral.objects.get(pk=n.intake_referral_id),
                today=today,
            )
        )
    t_refer = time.perf_counter() - t
    t = time.perf_counter()
    for r in made:
        referrals.accept(actor=partner_user, referral=r, today=today)
        referrals.deliver(actor=partner_user, referral=r, result="已支付", today=today)
    t_deliver = time.perf_counter() - t
    # queries of one referral and one delivery (what a screen's POST costs)
    from django.test.utils import CaptureQueriesContext

    extra = needs[n_refer]
    with CaptureQueriesContext(connection) as q_refer:
        one = referrals.refer(
            actor=cws[extra.household.town_id],
            household=extra.household,
            offer=offers[2],
            need="medical",
            consent_by="户主",
            consent_on=today,
            amount="100.00",
            today=today,
        )
    other_partner = make_partner_user(offers[2].partner, "bench_partner2")
    referrals.accept(actor=other_partner, referral=one, today=today)
    with CaptureQueriesContext(connection) as q_deliver:
        referrals.deliver(actor=other_partner, referral=one, result="已支付", today=today)
    # the double-help check refuses each household a second time
    refused = 0
    t = time.perf_counter()
    for r in made[: min(50, len(made))]:
        try:
            referrals.refer(
                actor=cws[r.household.town_id],
                household=r.household,
                offer=offers[1],
                need="medical",
                consent_by="户主",
                consent_on=today,
                amount="500",
                today=today,
            )
        except Exception as exc:  # the typed Conflict
            refused += getattr(exc, "code", "") == "charity_cash_twice"
    t_twice = time.perf_counter() - t
    if refused != min(50, len(made)):
        print(f"FAIL: double help refused {refused} of {min(50, len(made))}")
        return 1

    # --- ledger, rows for screening, KPI -------------------------------------------------
    (ledger, t_ledger) = timed(lambda: selectors.ledger_check())
    if not all(row["reconciled"] for row in ledger):
        print("FAIL: ledger not reconciled:", [r["differences"] for r in ledger if not r["reconciled"]])
        return 1
    (rows, t_rows) = timed(lambda: list(selectors.cash_aid_rows()))
    if len(rows) != n_refer + 1:
        print(f"FAIL: {len(rows)} cash rows, expected {n_refer + 1}")
        return 1
    (kpi, t_kpi) = timed(lambda: selectors.kpi_charity(start=today - timedelta(days=30), end=today))
    (left, t_after) = timed(needs_all)
    if len(left) != n_households - n_refer:  # the extra one was referred without its source
        print(f"FAIL: {len(left)} open needs after referring, expected {n_households - n_refer}")
        return 1

    print(f"charity bench on {connection.vendor}: {n_households} households/refused needs, 34 partners")
    print(f"  set-up (bulk)                 {setup_s:8.2f} s")
    print(f"  open needs + matching (all)   {t_needs:8.2f} s  {n_households / t_needs:10.0f} needs/s")
    print(f"  desk page's newest 200 needs  {t_desk:8.2f} s")
    print(f"  open needs of one town        {t_town:8.2f} s")
    print(f"  partner's anonymised needs    {t_partner:8.2f} s  ({len(pneeds)} needs)")
    print(f"  referrals (with checks)       {t_refer:8.2f} s  {n_refer / t_refer:10.1f} referrals/s")
    print(f"  accept + deliver cash         {t_deliver:8.2f} s  {n_refer / t_deliver:10.1f} deliveries/s")
    print(f"  queries: one referral {len(q_refer)}, one delivery {len(q_deliver)}")
    print(f"  double help refused (x{min(50, len(made))})     {t_twice:8.2f} s")
    print(f"  ledger check (34 partners)    {t_ledger:8.2f} s")
    print(f"  cash_aid_rows ({len(rows)})         {t_rows:8.3f} s")
    print(
        f"  kpi_charity                   {t_kpi:8.3f} s  {kpi['referrals_made']} made, {kpi['cash_paid']} yuan"
    )
    print(f"  ratio per-need time all/one-town {per_need_full / per_need_town:6.2f}  (1.0 = linear)")
    print(f"  open needs after referring    {t_after:8.2f} s  ({len(left)} left)")

    return 0


if __name__ == "__main__":
    sys.exit(main())
