"""Payment rolls at city scale: a month's rolls for 100,000 recipients across the 33 services,
the drafts rebuilt, review and approval of every roll, the bank files, the bank's return files (1 % failed),
and the same month generated again (nothing may change).

    uv run python bench/payments.py            # 100,000 recipients; SQLite, and PostgreSQL
                                               # when DATABASE_URL names a server
    uv run python bench/payments.py --small    # 3,000 recipients (CI smoke run)

Each backend runs in a child process against a scratch database (SQLite in a temporary
directory; a throw-away PostgreSQL database next to the one DATABASE_URL names, dropped at
the end). Set-up (households, persons, entitlements, encrypted accounts) is bulk-inserted and
reported apart from the timed steps. Then 1 % of the amounts are raised and 0.5 % stopped
from the paid month, and the next month's rolls (with their back pay and recoveries) are timed. Target: roll generation for 100,000 recipients < 10 s on
PostgreSQL. The run checks its own results (totals reconcile, ledger = paid lines, a second
generation adds nothing) and exits 1 when one is wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchdb import scratch_postgres

ROOT = Path(__file__).resolve().parents[1]
RESULT = "RESULT "
TARGET_ROLL_S = 10.0


def setup_data(n: int) -> dict:
    from datetime import date

    from django.core.management import call_command

    from jiuzhu.decisions.models import Entitlement
    from jiuzhu.payments.services import budgets_sync
    from jiuzhu.payments.testing import accounts_bulk
    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry.models import Household, Person, Unit, User
    from jiuzhu.registry.services import units_sync

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    policy = current_policy()
    units_sync(policy=policy)
    budgets_sync(policy=policy)
    units = {u.code: u for u in Unit.objects.all()}
    towns = [units[t.code] for t in policy.towns]
    actor = User.objects.create_user(
        username="bench_approver", password="bench-pass-123", role="approver", unit=units["civil_affairs"]
    )
    Household.objects.bulk_create(
        [
            Household(
                code=f"BENCH{i:07d}",
                town=towns[i % len(towns)],
                community="示范社区",
                division_code=towns[i % len(towns)].division_code or "329901001",
                area="urban",
                address="示范路1号",
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    hh = dict(Household.objects.filter(code__startswith="BENCH").values_list("code", "pk"))
    Person.objects.bulk_create(
        [
            Person(
                household_id=hh[f"BENCH{i:07d}"],
                relation="head",
                id_number=f"BP{i:016d}",
                name=f"测试{i}",
                gender="M",
                birth_date=date(1950 + i % 50, 1, 1),
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    persons = list(
        Person.objects.filter(id_number__startswith="BP").values_list("pk", "household_id", "name")
    )
    services = policy.services  # all 33
    ents = []
    for i, (pid, hid, _) in enumerate(persons):
        s = services[i % len(services)]
        ents.append(
            Entitlement(
                household_id=hid,
                payee_id=pid,
                service_code=s.code,
                category=s.category,
                unit=units[s.owner_unit],
                amount=f"{300 + i % 900}.00",
                amount_period="month",
                start_month=date(2026, 1, 1),
                created_by=actor,
                reason="基准测试",
            )
        )
    Entitlement.objects.bulk_create(ents, batch_size=5000)
    accounts_bulk((pid, name) for pid, _, name in persons)
    return {
        "setup_s": time.perf_counter() - t0,
        "actor": actor,
        "services": len({e.service_code for e in ents}),
    }


def child(args) -> dict:
    import django

    django.setup()
    from datetime import date

    from django.db import connection
    from django.db.models import Sum

    from jiuzhu.payments import bankfiles, services
    from jiuzhu.payments.models import LedgerEntry, PaymentLine, PaymentRoll

    data = setup_data(args.recipients)
    actor = data["actor"]
    month = date(2026, 3, 1)
    out = {
        "backend": connection.vendor,
        "recipients": args.recipients,
        "services": data["services"],
        "setup_s": data["setup_s"],
    }

    t = time.perf_counter()
    counts = services.rolls_generate(month=month, actor=actor)
    out["generate_s"] = time.perf_counter() - t
    rolls = list(PaymentRoll.objects.filter(month=month))
    out["rolls"] = len(rolls)
    out["lines"] = counts["regular"]

    t = time.perf_counter()
    rebuilt = services.rolls_generate(month=month, actor=actor)
    out["rebuild_s"] = time.perf_counter() - t

    t = time.perf_counter()
    for r in rolls:
        services.roll_review(actor=actor, roll=r)
        services.roll_approve(actor=actor, roll=r, confirm_overrun=True, note="基准测试")
    out["approve_s"] = time.perf_counter() - t

    t = time.perf_counter()
    exported = 0
    for r in rolls:
        exported += len(bankfiles.roll_export(actor=actor, roll=r)[1])
    out["export_s"] = time.perf_counter() - t
    out["export_mb"] = exported / 1e6

    returns = []
    for r in rolls:
        r.refresh_from_db()
        ids = list(r.lines.filter(state=PaymentLine.PENDING).values_list("pk", flat=True))
        returns.append((r, bankfiles.return_template(r, {i: "账户已冻结" for i in ids[::100]})))
    t = time.perf_counter()
    for r, content in returns:
        bankfiles.roll_return_import(actor=actor, roll=r, data=content)
    out["import_s"] = time.perf_counter() - t

    t = time.perf_counter()
    again = services.rolls_generate(month=month, actor=actor)
    out["regenerate_s"] = time.perf_counter() - t

    # 1 % of the amounts raised and 0.5 % stopped from the paid month: April's rolls carry
    # back pay and recoveries (set-up not timed)
    from jiuzhu.decisions.entitlements import entitlement_change, entitlement_stop
    from jiuzhu.decisions.models import Entitlement

    ents = list(Entitlement.objects.order_by("pk")[: max(args.recipients // 100, 3) * 3 // 2])
    n_change = len(ents) * 2 // 3
    for e in ents[:n_change]:
        entitlement_change(
            entitlement=e, amount=e.amount + 50, from_month=month, actor=actor, reason="基准测试调标"
        )
    for e in ents[n_change:]:
        entitlement_stop(entitlement=e, from_month=month, actor=actor, reason="基准测试终止")
    april = date(2026, 4, 1)
    t = time.perf_counter()
    adj = services.rolls_generate(month=april, actor=actor)
    out["adjust_s"] = time.perf_counter() - t
    out["adjustments"] = adj.get("back_pay", 0) + adj.get("recovery", 0)

    paid = PaymentLine.objects.filter(state=PaymentLine.PAID).aggregate(s=Sum("amount"))["s"]
    ledger = LedgerEntry.objects.aggregate(s=Sum("amount"))["s"]
    closed = PaymentRoll.objects.filter(month=month)
    checks = {
        "all lines generated": counts["regular"] == args.recipients,
        "draft rebuilt to the same lines": rebuilt["regular"] == args.recipients,
        "second generation adds nothing": again.get("regular", 0) == 0 and again.get("rolls", 0) == 0,
        "ledger equals paid lines": paid == ledger,
        "returns reconcile": all(r.paid_total + r.failed_total == r.total for r in closed),
        "failures recorded": PaymentLine.objects.filter(state=PaymentLine.FAILED).count() > 0,
        "one adjustment per changed entitlement": out["adjustments"] == len(ents),
    }
    out["checks_failed"] = [k for k, ok in checks.items() if not ok]
    return out


def run_child(backend: str, args, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JIUZHU_SQLITE_NAME")}
    env["JIUZHU_DATA_DIR"] = str(tmp / backend)
    env["DJANGO_SETTINGS_MODULE"] = "jiuzhu.config.settings"
    env["PYTHONPATH"] = str(ROOT / "src")
    drop = lambda: None  # noqa: E731
    (tmp / backend).mkdir(parents=True, exist_ok=True)
    if backend == "sqlite":
        env["JIUZHU_SQLITE_NAME"] = str(tmp / backend / "bench.sqlite3")
    else:
        env["DATABASE_URL"], drop = scratch_postgres(os.environ["DATABASE_URL"], "paybench")
    cmd = [sys.executable, __file__, "--child", "--recipients", str(args.recipients)]
    try:
        proc = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, timeout=3600, check=True)
    finally:
        drop()
    for line in proc.stdout.splitlines():
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
        print(line)
    raise RuntimeError(f"{backend}: no result")


def report(results: list[dict]) -> bool:
    ok = True
    print(
        f"\n{'backend':<11}{'recipients':>11}{'rolls':>7}{'setup s':>9}  step            seconds      rows/s"
    )
    for r in results:
        first = True
        steps = (
            ("generate", "generate_s"),
            ("rebuild draft", "rebuild_s"),
            ("review+approve", "approve_s"),
            ("bank file export", "export_s"),
            ("return import", "import_s"),
            ("generate again", "regenerate_s"),
            ("next month+adj.", "adjust_s"),
        )
        for step, key in steps:
            head = (
                f"{r['backend']:<11}{r['recipients']:>11,}{r['rolls']:>7}{r['setup_s']:>9.1f}"
                if first
                else " " * 38
            )
            print(f"{head}  {step:<16}{r[key]:>7.2f}{r['lines'] / max(r[key], 1e-9):>12,.0f}")
            first = False
        print(
            f"{'':38}  bank files {r['export_mb']:.1f} MB; {r['services']} services; {r['adjustments']:,} adjustments"
        )
        if r["checks_failed"]:
            ok = False
            print(f"  {r['backend']}: CHECK FAILED: {', '.join(r['checks_failed'])}")
        if r["backend"] == "postgresql" and r["generate_s"] >= TARGET_ROLL_S and r["recipients"] >= 100_000:
            print(
                f"  postgresql: target missed: roll generation {r['generate_s']:.1f} s >= {TARGET_ROLL_S} s"
            )
    if len(results) == 2:
        a, b = results
        print(f"ratio postgresql/sqlite generate: {b['generate_s'] / max(a['generate_s'], 1e-9):.2f}")
    print(f"target: roll generation for 100,000 recipients < {TARGET_ROLL_S:.0f} s on PostgreSQL")
    return ok


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--recipients", type=int, default=100_000)
    p.add_argument("--small", action="store_true", help="3,000 recipients")
    p.add_argument("--backend", choices=("all", "sqlite", "postgresql"), default="all")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.small:
        args.recipients = 3_000
    if args.child:
        sys.path.insert(0, str(ROOT / "src"))
        print(RESULT + json.dumps(child(args), default=str), flush=True)
        return
    backends = ["sqlite"] if args.backend in ("all", "sqlite") else []
    if args.backend in ("all", "postgresql"):
        if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            backends.append("postgresql")
        elif args.backend == "postgresql":
            sys.exit("--backend postgresql needs DATABASE_URL pointing at a PostgreSQL server")
    with tempfile.TemporaryDirectory(prefix="jz-paybench-") as tmp:
        results = [run_child(b, args, Path(tmp)) for b in backends]
    sys.exit(0 if report(results) else 1)


if __name__ == "__main__":
    main()
