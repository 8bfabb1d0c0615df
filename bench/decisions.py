"""The decisions demo seed at city scale: N demo households generated and bulk-loaded, the
rules' batch path over the registry, the eligible households admitted through the real workflow
(window, verification, investigations, notice, approval: ``decisions.demo_admit``, at most
``demo_admit.LIMIT`` of them; before session 11 they were written set-based, and the 20 s target
below was set for that path), a few cases in every state; then the periodic review generation
for the entitlements due.

    uv run python bench/decisions.py            # 5,000 households (target: seed < 20 s)
    uv run python bench/decisions.py --small    # 1,000 households (CI smoke run)

Runs against a scratch SQLite database in a temporary directory. Prints the figures; checks
its own results (every eligible household has exactly one entitlement; a second seed adds
nothing) and exits 1 when one is wrong.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 20.0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--small", action="store_true", help="1,000 households (CI)")
    ap.add_argument("--households", type=int, default=5_000)
    ap.add_argument("--check", action="store_true", help="exit 1 when the target is missed")
    args = ap.parse_args(argv)
    n = 1_000 if args.small else args.households
    tmp = tempfile.mkdtemp(prefix="jz-decisions-bench-")
    os.environ["JIUZHU_DATA_DIR"] = tmp
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.config.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from jiuzhu.decisions import demo, demo_admit, reviews
    from jiuzhu.decisions.models import Case, Entitlement
    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry import bulk, demogen
    from jiuzhu.registry.services import units_sync

    today = date.today()
    call_command("migrate", interactive=False, verbosity=0)
    policy = current_policy()
    units_sync(policy=policy)
    t0 = time.perf_counter()
    chunks = demogen.generate(
        towns=demogen.towns_from_policy(policy),
        households=n,
        seed=2026,
        as_of=today,
        city_name=policy.city.name,
    )
    bulk.bulk_load(chunks, progress=False)
    load_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    summary = demo.seed(policy=policy, today=today)
    seed_s = time.perf_counter() - t0
    ents = Entitlement.objects.filter(referral__application__description=demo_admit.MARK).count()
    t0 = time.perf_counter()
    again = demo.seed(policy=policy, today=today)
    again_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    gen = reviews.reviews_generate(on=today)
    review_s = time.perf_counter() - t0

    print(f"households loaded: {n:,} in {load_s:.1f} s")
    print(f"seed: {seed_s:.2f} s ({n / seed_s:,.0f} households/s) — {summary}")
    print(
        f"approved with entitlements: {ents:,} ({ents / n:.1%} of households); cases: {Case.objects.count():,}"
    )
    print(f"second seed: {again_s:.2f} s — {again}")
    print(f"review tasks generated for {today}: {gen.cycle + gen.death:,} in {review_s:.2f} s ({gen})")
    print(
        f"target seed < {TARGET_S:.0f} s at 5,000 households: ratio {seed_s / TARGET_S * 5_000 / n:.2f} (scaled)"
    )
    ok = True
    dup = (
        Entitlement.objects.filter(referral__application__description=demo_admit.MARK)
        .values("household_id")
        .distinct()
        .count()
    )
    if dup != ents:
        print("ERROR: a household has more than one entitlement")
        ok = False
    if "新增批准 0 户" not in again:
        print("ERROR: the second seed added decisions")
        ok = False
    if args.check and not args.small and seed_s > TARGET_S:
        print("ERROR: seed slower than the target")
        ok = False
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
