"""Benchmark of the disaster village-list registration (issue 17: 20,000 households under 30 s
on SQLite): a generated list of households the registry does not know, plus a share it does
(matched, not created), validated (per-row report) and applied (new households written
set-based, affected households and transitional aid), then the same list uploaded again
(every row reported as already registered, nothing written).

    uv run python bench/disaster.py            # 20,000 households
    uv run python bench/disaster.py --small    # 300 households (CI smoke run)

Database: PostgreSQL when DATABASE_URL is set (a throw-away ``<name>_bench_<pid>`` database,
dropped at the end); otherwise SQLite in a temporary directory. Exits non-zero when a
correctness check fails.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
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
    n = 300 if args.small else int(os.environ.get("BENCH_DISASTER_HOUSEHOLDS", 20_000))
    known_share = 10  # one row in 10 names a person the registry knows
    drop = setup_database("disaster")
    try:
        import django

        django.setup()
        from datetime import timedelta

        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        from jiuzhu.common import clock
        from jiuzhu.disaster import services, villagelists
        from jiuzhu.disaster.models import AffectedHousehold, TransitionalAid
        from jiuzhu.disaster.testing import village_rows, workbook
        from jiuzhu.policy.selectors import current_policy
        from jiuzhu.registry.models import Household, ProgrammeFact, Unit, User
        from jiuzhu.registry.services import household_create, units_sync

        policy = current_policy()
        units_sync(policy=policy)
        town = Unit.objects.get(code="town_chengdong")
        officer = User.objects.create(
            username="bench_emergency", role="department_officer", unit=Unit.objects.get(code="emergency")
        )
        admin = User.objects.create(username="bench_admin", role="admin", unit=town, is_superuser=True)
        rows = village_rows(n, town="城东街道")
        for i, r in enumerate(rows):  # the registry already knows some of them
            if i % known_share == 0:
                household_create(
                    actor=admin,
                    data={
                        "town": town.code,
                        "community": "河口村",
                        "division_code": "329901001",
                        "area": "rural",
                        "address": r["居住地址"],
                    },
                    members=[{"name": r["户主姓名"], "id_number": r["户主身份证号码"], "relation": "head"}],
                )
        known = (n + known_share - 1) // known_share
        event = services.event_declare(
            actor=officer,
            name="基准测试洪涝",
            kind="flood",
            occurred_on=clock.today() - timedelta(days=40),
            level="II",
            towns=[town],
            fund="100000000",
        )
        data = workbook(rows)
        before = Household.objects.count()

        cpu0 = time.process_time()  # this process's CPU: the wall time's floor on an idle machine
        vlist, t_validate = timed(
            lambda: villagelists.list_validate(actor=officer, event=event, data=data, filename="bench.xlsx")
        )
        result, t_apply = timed(lambda: villagelists.list_apply(actor=officer, vlist=vlist))
        cpu = time.process_time() - cpu0
        again, t_again = timed(
            lambda: villagelists.list_validate(actor=officer, event=event, data=data, filename="bench2.xlsx")
        )
        total = t_validate + t_apply
        print(f"households in the list: {n:,} ({known:,} already in the registry)")
        print(f"validate + report: {t_validate:.2f} s; apply: {t_apply:.2f} s; total {total:.2f} s")
        print(f"registration rate: {n / total:,.0f} households/s")
        print(f"same list again (all reported, nothing written): {t_again:.2f} s")
        print(
            f"CPU time of validate + apply in this process: {cpu:.2f} s (SQLite runs in-process; under load the wall time above is longer)"
        )
        checks = {
            "no errors in the generated list": not vlist.errors,
            "every row registered": AffectedHousehold.objects.filter(event=event).count() == n,
            "new households created": Household.objects.count() - before == n - known,
            "result counts": result["households"] == n and result["new_households"] == n - known,
            "damage recorded once, as the registry's disaster fact": ProgrammeFact.objects.filter(
                kind="disaster", disaster_registration__event=event
            ).count()
            == n,
            "aid for displaced": TransitionalAid.objects.filter(affected__event=event).count()
            == sum(1 for r in rows if r["需过渡安置人数"] != "0"),
            "second upload all already registered": not again.rows
            and {e["code"] for e in again.errors} == {"already_registered"},
        }
        failed = [k for k, ok in checks.items() if not ok]
        if failed:
            print("FAILED:", ", ".join(failed))
            return 1
        if not args.small and total > 30:
            print(f"over the 30 s target ({total:.1f} s)")
        return 0
    finally:
        drop()


if __name__ == "__main__":
    sys.exit(main())
