"""KPIs at city scale: 1,000,000 persons (registry bulk loader over demogen) and 200,000
intake cases in 2026, then the full KPI refresh (every unit, every month of the year) and
the leaders' dashboard page.

    uv run python bench/kpis.py             # 1,000,000 persons, 200,000 cases
    uv run python bench/kpis.py --small     # 5,000 persons, 2,000 cases (CI smoke run)

Database: a throw-away PostgreSQL database next to the one DATABASE_URL names (dropped at the
end); without DATABASE_URL, SQLite in a temporary directory. Set-up (persons, cases and
entitlements, inserted in bulk) is reported apart from the timed steps. Targets: refresh
< 5 s, dashboard page < 300 ms. The run checks that the snapshot gives the same figures as the
live computation for one unit and month, and exits 1 when it does not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC
from pathlib import Path

from benchdb import scratch_postgres

ROOT = Path(__file__).resolve().parents[1]
TARGET_REFRESH_S = 5.0
TARGET_PAGE_MS = 300.0
YEAR = 2026


def setup(persons: int, cases: int, seed: int = 7) -> dict:
    from datetime import date, datetime, timedelta
    from decimal import Decimal

    import numpy as np
    from django.core.management import call_command
    from django.db import transaction

    from jiuzhu.decisions.models import Entitlement
    from jiuzhu.intake.models import Application, Referral
    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry import bulk, demogen
    from jiuzhu.registry.models import Person, Unit, User
    from jiuzhu.registry.services import units_sync

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    policy = current_policy()
    units_sync(policy=policy)
    chunks = demogen.generate(
        towns=demogen.towns_from_policy(policy), persons=persons, seed=seed, as_of=date(YEAR, 1, 1)
    )
    bulk.bulk_load(chunks, total_persons=persons, progress=sys.stderr.isatty())
    t_persons = time.perf_counter() - t0

    t1 = time.perf_counter()
    rng = np.random.default_rng(seed)
    clerk = User.objects.create_user(
        username="bench_clerk",
        password="x",
        role="window_clerk",
        unit=Unit.objects.filter(kind=Unit.Kind.TOWN).first(),
    )
    User.objects.create_user(
        username="bench_convener", password="x", role="convener", unit=Unit.objects.get(code="civil_affairs")
    )
    heads = list(
        Person.objects.filter(relation="head")
        .order_by("id")
        .values_list("id", "household_id", "household__town_id", "id_number")[:cases]
    )
    depts = list(Unit.objects.exclude(kind=Unit.Kind.TOWN).values_list("id", flat=True))
    cats = ["minimum_living", "extreme_poverty", "medical", "education", "housing", "temporary"]
    n = len(heads)
    day0 = date(YEAR, 1, 1)
    offs = rng.integers(0, 330, n)
    limits = rng.choice([10, 20, 30], n)
    closed_after = rng.integers(2, 60, n)
    outcome = rng.random(n)
    unit_pick = rng.integers(0, len(depts), n)
    cat_pick = rng.integers(0, len(cats), n)
    apps, refs = [], []
    now = datetime(YEAR, 1, 1, tzinfo=UTC)
    for i, (pid, hid, town, idn) in enumerate(heads):
        received = day0 + timedelta(days=int(offs[i]))
        apps.append(
            Application(
                tracking_code=f"B{i:09d}",
                household_id=hid,
                window_id=town,
                applicant_id=pid,
                id_tail=idn[-4:],
                received_at=now,
                received_on=received,
                received_by=clerk,
                needs=["living"],
            )
        )
    with transaction.atomic():
        Application.objects.bulk_create(apps, batch_size=5000)
        app_ids = dict(Application.objects.values_list("tracking_code", "id"))
        for i in range(n):
            referred = day0 + timedelta(days=int(offs[i]))
            due = referred + timedelta(days=int(limits[i]) * 7 // 5)
            closed = referred + timedelta(days=int(closed_after[i]))
            if outcome[i] < 0.15 or closed.year > YEAR:
                state, closed = Referral.IN_PROGRESS, None
            elif outcome[i] < 0.25:
                state = Referral.TRANSFERRED
            elif outcome[i] < 0.45:
                state = Referral.REFUSED
            else:
                state = Referral.GRANTED
            refs.append(
                Referral(
                    application_id=app_ids[f"B{i:09d}"],
                    service_code=cats[cat_pick[i]],
                    service_name=cats[cat_pick[i]],
                    category=cats[cat_pick[i]],
                    unit_id=depts[unit_pick[i]],
                    state=state,
                    referred_at=now,
                    referred_on=referred,
                    limit_days=int(limits[i]),
                    due_on=due,
                    closed_on=closed,
                    reasons="家庭收入超过标准" if state == Referral.REFUSED else "",
                )
            )
        Referral.objects.bulk_create(refs, batch_size=5000)
    # entitlements for one in five low-income applicants' households (dibao/tekun)
    civil = Unit.objects.get(code="civil_affairs")
    ents = []
    picks = [
        i
        for i in range(n)
        if cats[cat_pick[i]] in ("minimum_living", "extreme_poverty") and outcome[i] >= 0.45
    ]
    for i in picks[: max(1, len(picks) // 2)]:
        pid, hid, _town, _idn = heads[i]
        ents.append(
            Entitlement(
                household_id=hid,
                payee_id=pid,
                service_code=cats[cat_pick[i]],
                category=cats[cat_pick[i]],
                unit=civil,
                amount=Decimal("1200.00"),
                start_month=date(YEAR, 1 + int(offs[i]) // 31, 1),
                created_by=clerk,
            )
        )
    with transaction.atomic():
        Entitlement.objects.bulk_create(ents, batch_size=5000)
        through = Entitlement.members.through
        links = [
            through(entitlement_id=e.pk, person_id=e.payee_id)
            for e in Entitlement.objects.only("id", "payee_id")
        ]
        through.objects.bulk_create(links, batch_size=5000)
    return {
        "persons_s": t_persons,
        "cases_s": time.perf_counter() - t1,
        "cases": n,
        "entitlements": len(ents),
    }


def measure(repeat: int) -> dict:
    from datetime import date

    from django.test import Client

    from jiuzhu.performance import kpis, selectors, services
    from jiuzhu.performance.monitoring import monitoring_refresh
    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry.models import Unit, User

    t = time.perf_counter()  # the nightly step before the refresh: the rules over every household
    monitored = monitoring_refresh(policy=current_policy(), on=date(YEAR, 12, 31))
    monitor_s = time.perf_counter() - t
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        rows = services.snapshot_refresh(year=YEAR)
        times.append(time.perf_counter() - t)
    # correctness: snapshot == live for the busiest unit in June
    unit = Unit.objects.exclude(kind=Unit.Kind.TOWN).order_by("id").first()
    june = (date(YEAR, 6, 1), kpis.month_end(date(YEAR, 6, 1)))
    snap, _ = selectors.intake_figures(start=june[0], end=june[1], unit=unit)
    live = kpis.derive(selectors.live_figures(start=june[0], end=june[1], unit=unit))
    keys = (
        "received",
        "closed",
        "on_time",
        "late",
        "transfers",
        "refused",
        "open_at_end",
        "p90_days",
        "avg_days",
    )
    mismatch = [k for k in keys if snap[k] != live[k]]
    t = time.perf_counter()
    selectors.city_kpis(start=date(YEAR, 3, 15), end=date(YEAR, 9, 14))
    live_s = time.perf_counter() - t
    client = Client()
    client.force_login(User.objects.get(username="bench_convener"))
    page = []
    for i in range(repeat + 1):
        t = time.perf_counter()
        resp = client.get(f"/performance/?year={YEAR}")
        if i:  # the first request warms templates and the URL map
            page.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200
    live_page = []
    for _ in range(3):  # the live section the page loads after itself (reads every entitlement)
        t = time.perf_counter()
        resp = client.get("/performance/live/")
        live_page.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200 and "今日实时" in resp.content.decode()
    return {
        "rows": rows,
        "monitored": monitored,
        "monitor_s": monitor_s,
        "refresh_s": min(times),
        "page_ms": statistics.median(page),
        "live_page_ms": statistics.median(live_page),
        "live_s": live_s,
        "mismatch": mismatch,
        "closed_june": snap["closed"],
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--persons", type=int, default=None)
    ap.add_argument("--cases", type=int, default=None)
    args = ap.parse_args()
    persons = args.persons or (5_000 if args.small else 1_000_000)
    cases = args.cases or (2_000 if args.small else 200_000)
    tmp = tempfile.mkdtemp(prefix="kpibench_")
    os.environ["JIUZHU_DATA_DIR"] = tmp
    drop = None
    url = os.environ.get("DATABASE_URL")
    if url:
        os.environ["DATABASE_URL"], drop = scratch_postgres(
            url, "kpibench", via=url.rpartition("/")[0] + "/postgres"
        )
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.db import connection

    try:
        s = setup(persons, cases)
        m = measure(2 if args.small else 3)
        backend = connection.vendor
    finally:
        from django.db import connections

        connections.close_all()
        if drop:
            drop()
    print(f"backend            {backend}")
    print(f"persons            {persons:,} (migrate + bulk load {s['persons_s']:.1f} s)")
    print(
        f"intake cases       {s['cases']:,}, entitlements {s['entitlements']:,} (insert {s['cases_s']:.1f} s)"
    )
    print(
        f"full KPI refresh   {m['refresh_s']:.2f} s for {m['rows']} snapshot rows (target < {TARGET_REFRESH_S} s, "
        f"ratio {m['refresh_s'] / TARGET_REFRESH_S:.2f})"
    )
    print(
        f"dashboard page     {m['page_ms']:.0f} ms median (target < {TARGET_PAGE_MS:.0f} ms, "
        f"ratio {m['page_ms'] / TARGET_PAGE_MS:.2f})"
    )
    print(f"today's live part  {m['live_page_ms']:.0f} ms median (/performance/live/, loaded after the page)")
    print(f"live city KPIs     {m['live_s']:.2f} s for an arbitrary 6-month period")
    print(
        f"monitoring (night) {m['monitor_s']:.2f} s: the rules over every household, {m['monitored']:,} monitored"
    )
    if m["mismatch"]:
        print(f"MISMATCH snapshot vs live: {m['mismatch']}")
        return 1
    print(f"check              snapshot = live for one unit in June ({m['closed_june']} closed)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
