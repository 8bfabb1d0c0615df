"""Benchmark of the one-stop medical settlement import (issue 17: a 50,000-line settlement file
under 30 s on SQLite): a generated file of stays (four per person, tekun and dibao members, 20
hospitals, some tekun stays large enough to reach the yearly cap) validated (per-row report,
shares computed), settled (one line per stay, one transfer per hospital), then the same file
uploaded again (every row reported as already settled, nothing written).

    uv run python bench/medical.py            # 50,000 settlement lines, CSV (the agency's export)
    uv run python bench/medical.py --xlsx     # the same lines as an Excel workbook
    uv run python bench/medical.py --small    # 1,000 lines (CI smoke run)

Database: PostgreSQL when DATABASE_URL is set (a throw-away ``<name>_bench_<pid>`` database,
dropped at the end); otherwise SQLite in a temporary directory. Set-up (households, persons,
entitlements) is bulk-inserted and not timed. Exits non-zero when a correctness check fails.
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

STAYS_PER_PERSON = 4
HOSPITALS = 20


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def setup_people(persons: int):
    """``persons`` members of dibao (even) and tekun (odd) households, entitled from January."""
    from datetime import date, timedelta

    from jiuzhu.decisions.models import Entitlement
    from jiuzhu.registry.models import Household, Person, Unit, User
    from jiuzhu.registry.testing import make_id

    town = Unit.objects.get(code="town_chengdong")
    approver = User.objects.create(
        username="bench_approver", role="approver", unit=Unit.objects.get(code="civil_affairs")
    )
    Household.objects.bulk_create(
        [
            Household(
                code=f"MB{i:08d}",
                town=town,
                community="示范社区",
                division_code="329901001",
                area="urban",
                address="示范路1号",
            )
            for i in range(persons)
        ],
        batch_size=5000,
    )
    hh = dict(Household.objects.filter(code__startswith="MB").values_list("code", "pk"))
    Person.objects.bulk_create(
        [
            Person(
                household_id=hh[f"MB{i:08d}"],
                relation="head",
                name=f"住院{i}",
                gender="M",
                birth_date=date(1940, 1, 1) + timedelta(days=i),
                id_number=make_id(date(1940, 1, 1) + timedelta(days=i), seq=0),
            )
            for i in range(persons)
        ],
        batch_size=5000,
    )
    people = list(
        Person.objects.filter(household__code__startswith="MB")
        .order_by("pk")
        .values_list("pk", "household_id", "name", "id_number")
    )
    civil = Unit.objects.get(code="civil_affairs")
    Entitlement.objects.bulk_create(
        [
            Entitlement(
                household_id=hid,
                payee_id=pid,
                service_code="dibao" if i % 2 == 0 else "tekun_dispersed",
                category="minimum_living" if i % 2 == 0 else "extreme_poverty",
                unit=civil,
                amount="900.00",
                amount_period="month",
                start_month=date(2026, 1, 1),
                created_by=approver,
                reason="基准测试",
            )
            for i, (pid, hid, _, _) in enumerate(people)
        ],
        batch_size=5000,
    )
    return people


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--small", action="store_true")
    ap.add_argument("--xlsx", action="store_true", help="an Excel workbook instead of CSV")
    args = ap.parse_args()
    n = 1_000 if args.small else int(os.environ.get("BENCH_MEDICAL_LINES", 50_000))
    drop = setup_database("medical")
    try:
        import django

        django.setup()
        from datetime import date, timedelta
        from decimal import Decimal

        from django.core.management import call_command
        from django.db.models import Sum

        call_command("migrate", verbosity=0)
        from jiuzhu.medical import settlement
        from jiuzhu.medical.models import SettlementLine
        from jiuzhu.payments import institutions
        from jiuzhu.payments.models import InstitutionTransfer
        from jiuzhu.policy.selectors import current_policy
        from jiuzhu.registry.models import Unit, User
        from jiuzhu.registry.services import units_sync

        policy = current_policy()
        units_sync(policy=policy)
        unit = Unit.objects.get(code="medical_insurance")
        officer = User.objects.create(username="bench_medical", role="department_officer", unit=unit)
        t0 = time.perf_counter()
        people = setup_people(n // STAYS_PER_PERSON)
        for h in range(HOSPITALS):
            institutions.institution_register(
                actor=officer,
                code=f"BH{h:03d}",
                name=f"基准医院{h}",
                kind=institutions.Institution.HOSPITAL,
                unit=unit,
                bank_name="示范市建设银行",
                holder_name=f"基准医院{h}",
                account=f"6227000000{h:08d}",
            )
        rows = []
        for i, (_, _, name, idn) in enumerate(people):
            for k in range(STAYS_PER_PERSON):
                oop = (
                    30_000 if (i % 10 == 1) else 500 + (i * 37 + k * 211) % 8000
                )  # tekun i%10==1: cap reached
                admitted = date(2026, 1, 5) + timedelta(days=k * 40 + i % 20)
                rows.append(
                    {
                        "姓名": name,
                        "身份证号码": idn,
                        "医疗机构编码": f"BH{(i + k) % HOSPITALS:03d}",
                        "入院日期": admitted.isoformat(),
                        "出院日期": (admitted + timedelta(days=5)).isoformat(),
                        "医疗总费用": str(oop * 3),
                        "基本医保支付": str(oop),
                        "大病保险支付": str(oop // 2),
                        "政策范围内个人自付": str(oop),
                    }
                )
        if args.xlsx:
            data, filename = settlement.workbook(rows), "bench.xlsx"
        else:
            lines = [
                ",".join(settlement.HEADERS),
                *(",".join(r[h] for h in settlement.HEADERS) for r in rows),
            ]
            data, filename = ("\n".join(lines) + "\n").encode(), "bench.csv"
        setup_s = time.perf_counter() - t0

        cpu0 = time.process_time()  # this process's CPU: the wall time's floor on an idle machine
        f, t_validate = timed(
            lambda: settlement.file_validate(actor=officer, unit=unit, data=data, filename=filename)
        )
        result, t_apply = timed(lambda: settlement.file_apply(actor=officer, sfile=f))
        cpu = time.process_time() - cpu0
        again, t_again = timed(
            lambda: settlement.file_validate(
                actor=officer, unit=unit, data=data, filename="again-" + filename
            )
        )
        total = t_validate + t_apply
        print(
            f"settlement lines in the {filename[-4:]} file: {len(rows):,} ({len(people):,} persons, {HOSPITALS} hospitals); "
            f"set-up {setup_s:.1f} s (not timed)"
        )
        print(f"validate + report: {t_validate:.2f} s; settle: {t_apply:.2f} s; total {total:.2f} s")
        print(f"settlement rate: {len(rows) / total:,.0f} lines/s")
        print(f"same file again (all reported, nothing written): {t_again:.2f} s")
        print(
            f"CPU time of validate + apply in this process: {cpu:.2f} s (SQLite runs in-process; under load the wall time above is longer)"
        )
        capped_people = [p for i, p in enumerate(people) if i % 10 == 1]
        cap = Decimal(policy.param("medical.annual_cap", date(2026, 6, 1)))
        per_person = dict(
            SettlementLine.objects.filter(person_id__in=[p[0] for p in capped_people[:500]])
            .values_list("person_id")
            .annotate(s=Sum("assistance"))
        )
        paid = SettlementLine.objects.aggregate(s=Sum("assistance"))["s"]
        checks = {
            "no errors in the generated file": not f.errors,
            "every stay settled": SettlementLine.objects.count() == len(rows),
            "one transfer per hospital": InstitutionTransfer.objects.count() == HOSPITALS,
            "transfers add up to the shares": InstitutionTransfer.objects.aggregate(s=Sum("amount"))["s"]
            == paid,
            "cap reached exactly": bool(per_person) and set(per_person.values()) == {cap},
            "second upload all already settled": not again.rows
            and {e["code"] for e in again.errors} == {"already_settled"},
            "result counts": result["stays"] == len(rows),
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
