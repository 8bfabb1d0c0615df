"""Benchmark of the registry at city scale: bulk import of generated households, then search.

    uv run python bench/registry.py                    # 1,000,000 persons
    uv run python bench/registry.py --small            # 20,000 persons (CI smoke run)
    uv run python bench/registry.py --persons 200000 --backend sqlite

Backends: SQLite in a temporary file, always; PostgreSQL when DATABASE_URL names one — a
throw-away database is created next to it (``<name>_bench_<pid>``) and dropped at the end.
Each backend runs in a child process (Django's settings are per process) that migrates an
empty database, syncs the demo city's units, and then measures:

- import: ``registry.bulk.bulk_load`` of ``registry.demogen`` output (COPY on PostgreSQL,
  executemany on SQLite), in persons per second, generation included;
- ID lookup: ``Person.objects.select_related("household").get(id_number=…)`` (unique index);
- name search: the registry's prefix query, ``name >= q AND name < q + U+10FFFF`` ordered by
  name and id, first 51 rows (what ``registry.selectors.household_search`` runs), for
  prefixes of 1, 2 and 3 characters and whole names of existing persons;
- the whole ``household_search`` (members prefetched) for the same names, for information;

With ``--caseload`` it measures the caseload import instead (``jiuzhu.caseload``): a city's
file of ``--persons`` persons (generated households, members, incomes, assets, bank accounts,
and a dibao entitlement for each household the generator puts on dibao) as a zip of CSVs,
through upload (read, validate every cell, match against the registry: exact ID and the
linkage engine), approval and apply (one transaction, set-based), with the stages printed as
progress; then the same file again, which must change nothing. Target: the whole path under
5 minutes for 100,000 persons on SQLite (``--small``: 5,000 persons).

each over ``--queries`` random queries after a warm-up, as p50/p95 in milliseconds, with the
query plans (EXPLAIN) checked for index use. Targets (2-core machine): import ≥ 50,000
persons/s; ID p95 < 5 ms; name p95 < 50 ms. ``--strict`` exits 1 when one is missed.
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
TARGETS = {"persons_per_s": 50_000, "id_p95_ms": 5.0, "name_p95_ms": 50.0}
CASELOAD_TARGET_S = 300
RESULT = "BENCH-RESULT "


# --- parent: one child per backend -----------------------------------------------------------


def run_child(backend: str, args, tmp: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "JIUZHU_SQLITE_NAME")}
    env["JIUZHU_DATA_DIR"] = str(tmp / backend)
    env["DJANGO_SETTINGS_MODULE"] = "jiuzhu.config.settings"
    drop = lambda: None  # noqa: E731
    if backend == "sqlite":
        env["JIUZHU_SQLITE_NAME"] = str(tmp / backend / "bench.sqlite3")
    else:
        env["DATABASE_URL"], drop = scratch_postgres(os.environ["DATABASE_URL"], "bench")
    (tmp / backend).mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, __file__, "--child", backend, "--persons", str(args.persons)]
    cmd += ["--seed", str(args.seed), "--queries", str(args.queries)] + (
        ["--caseload"] if args.caseload else []
    )
    try:
        out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, timeout=3600, check=True)
    finally:
        drop()
    for line in out.stdout.splitlines():
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT) :])
        print(line)
    raise RuntimeError(f"{backend}: no result")


def report(results: list[dict]) -> bool:
    if results and "caseload_s" in results[0]:
        return caseload_report(results)
    ok = True
    print()
    print(
        f"{'backend':<11}{'persons':>10}{'import s':>10}{'persons/s':>11}{'ID p50/p95 ms':>16}"
        f"{'name p50/p95 ms':>18}{'search p50/p95 ms':>20}"
    )
    for r in results:
        print(
            f"{r['backend']:<11}{r['persons']:>10,}{r['import_s']:>10.1f}{r['persons_per_s']:>11,.0f}"
            f"{r['id_p50_ms']:>8.2f}/{r['id_p95_ms']:<7.2f}{r['name_p50_ms']:>9.2f}/{r['name_p95_ms']:<8.2f}"
            f"{r['search_p50_ms']:>11.2f}/{r['search_p95_ms']:<8.2f}"
        )
        misses = [k for k, v in TARGETS.items() if (r[k] < v if k == "persons_per_s" else r[k] >= v)]
        if not r["indexes_used"]:
            misses.append("index not used")
        if misses:
            ok = False
            print(f"  {r['backend']}: target missed: {', '.join(misses)}")
    print(
        f"targets: import >= {TARGETS['persons_per_s']:,} persons/s, ID p95 < {TARGETS['id_p95_ms']} ms, "
        f"name p95 < {TARGETS['name_p95_ms']} ms"
    )
    return ok


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--persons", type=int, default=1_000_000)
    p.add_argument("--small", action="store_true", help="20,000 persons")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--queries", type=int, default=1000)
    p.add_argument("--backend", choices=("all", "sqlite", "postgresql"), default="all")
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    p.add_argument("--caseload", action="store_true", help="measure the caseload import (100,000 persons)")
    p.add_argument("--child", choices=("sqlite", "postgresql"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.caseload and args.persons == 1_000_000:
        args.persons = 100_000
    if args.small:
        args.persons = 5_000 if args.caseload else 20_000
    if args.child:
        print(RESULT + json.dumps(child(args)), flush=True)
        return
    backends = ["sqlite"] if args.backend in ("all", "sqlite") else []
    if args.backend in ("all", "postgresql"):
        if os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
            backends.append("postgresql")
        elif args.backend == "postgresql":
            sys.exit("--backend postgresql needs DATABASE_URL pointing at a PostgreSQL server")
        else:
            print("PostgreSQL skipped: DATABASE_URL does not name one")
    with tempfile.TemporaryDirectory(prefix="jiuzhu-bench-") as tmp:
        results = [run_child(b, args, Path(tmp)) for b in backends]
    if not report(results) and args.strict:
        sys.exit(1)


# --- child: one backend ----------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float]:
    import numpy as np

    a = np.array(samples) * 1000
    return float(np.percentile(a, 50)), float(np.percentile(a, 95))


def timed(fn, queries, warmup: int = 50) -> list[float]:
    for q in queries[:warmup]:
        fn(q)
    out = []
    for q in queries:
        t = time.perf_counter()
        fn(q)
        out.append(time.perf_counter() - t)
    return out


def index_search(plan: str, vendor: str) -> bool:
    """Whether a plan looks rows up through an index condition (not a scan of the table or of
    a whole index)."""
    if vendor == "sqlite":
        return "SEARCH registry_person USING" in plan
    return "Index Cond" in plan and "Seq Scan" not in plan


def child(args) -> dict:
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    if args.caseload:
        return caseload_child(args)
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from jiuzhu.common import masking as m
    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry import bulk, demogen, selectors
    from jiuzhu.registry.models import Person, Unit, User
    from jiuzhu.registry.services import units_sync

    call_command("migrate", verbosity=0)
    policy = current_policy()
    units_sync(policy=policy)
    chunks = demogen.generate(
        towns=demogen.towns_from_policy(policy),
        persons=args.persons,
        seed=args.seed,
        city_name=policy.city.name,
    )
    print(f"[{connection.vendor}] importing {args.persons:,} persons …", flush=True)
    stats = bulk.bulk_load(chunks, total_persons=args.persons, progress=sys.stderr.isatty())
    print(
        f"[{connection.vendor}] {stats.persons:,} persons, {stats.households:,} households, {stats.incomes:,} "
        f"incomes, {stats.assets:,} assets in {stats.seconds:.1f} s",
        flush=True,
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            c.execute("ANALYZE")  # as autovacuum would shortly after a load

    rng = np.random.default_rng(args.seed)
    lo, hi = Person.objects.order_by("id").first().id, Person.objects.order_by("-id").first().id
    picks = [int(x) for x in rng.integers(lo, hi + 1, args.queries)]
    sample = dict(Person.objects.filter(pk__in=picks).values_list("id", "id_number"))
    names = dict(Person.objects.filter(pk__in=picks).values_list("id", "name"))
    ids = [sample[p] for p in picks if p in sample]
    lengths = rng.integers(1, 5, len(picks))  # 1, 2, 3 characters or (4) the whole name
    prefixes = [
        names[p] if k == 4 else names[p][:k] for p, k in zip(picks, lengths, strict=True) if p in names
    ]

    def by_id(q):
        return Person.objects.select_related("household").get(id_number=q)

    def name_query(q):
        return Person.objects.filter(name__gte=q, name__lt=q + "\U0010ffff").order_by("name", "id")

    def by_name(q):
        return list(name_query(q)[:51])

    clerk = User.objects.create_user(
        "bench_clerk", role=m.WINDOW_CLERK, unit=Unit.objects.filter(kind=Unit.Kind.TOWN).first()
    )

    def search(q):
        return selectors.household_search(q, clerk)

    id_times = timed(by_id, ids)
    name_times = timed(by_name, prefixes)
    search_times = timed(search, prefixes[: max(100, len(prefixes) // 4)])
    plans = {
        "id": Person.objects.filter(id_number=ids[0]).explain(),
        "name": name_query(prefixes[0])[:51].explain(),
    }
    used = all(index_search(plan, connection.vendor) for plan in plans.values())
    for key, plan in plans.items():
        print(
            f"[{connection.vendor}] plan ({key}): " + " | ".join(line.strip() for line in plan.splitlines())
        )
    id50, id95 = percentiles(id_times)
    n50, n95 = percentiles(name_times)
    s50, s95 = percentiles(search_times)
    return {
        "backend": connection.vendor,
        "persons": stats.persons,
        "households": stats.households,
        "incomes": stats.incomes,
        "assets": stats.assets,
        "import_s": stats.seconds,
        "persons_per_s": stats.persons_per_second,
        "id_p50_ms": id50,
        "id_p95_ms": id95,
        "name_p50_ms": n50,
        "name_p95_ms": n95,
        "search_p50_ms": s50,
        "search_p95_ms": s95,
        "queries": len(ids),
        "indexes_used": used,
        "plans": plans,
    }


# --- the caseload import -------------------------------------------------------------------


def caseload_report(results: list[dict]) -> bool:
    ok = True
    print()
    print(
        f"{'backend':<11}{'persons':>10}{'upload s':>10}{'apply s':>9}{'total s':>9}{'again s':>9}{'flagged':>9}"
    )
    for r in results:
        print(
            f"{r['backend']:<11}{r['persons']:>10,}{r['upload_s']:>10.1f}{r['apply_s']:>9.1f}"
            f"{r['caseload_s']:>9.1f}{r['again_s']:>9.1f}{r['flagged']:>9,}"
        )
        if r["caseload_s"] >= CASELOAD_TARGET_S:
            ok = False
            print(f"  {r['backend']}: target missed: caseload import {r['caseload_s']:.0f} s")
    print(f"target: upload + approve + apply under {CASELOAD_TARGET_S} s; the second run changes nothing")
    return ok


def caseload_file(chunks) -> bytes:
    """A city's caseload as the template's CSVs (Chinese headers), from generated chunks."""
    import io
    import zipfile

    import polars as pl

    from jiuzhu.caseload.sheets import BY_KEY

    def yuan(col):
        return (pl.col(col) // 100).cast(pl.String) + "." + (pl.col(col) % 100).cast(pl.String).str.zfill(2)

    parts: dict[str, list] = {k: [] for k in BY_KEY}
    for c in chunks:
        hh = c.households.with_columns(code="C" + pl.col("code").str.slice(1))
        codes = hh.select("idx", "code")
        persons = c.persons.join(
            codes.rename({"idx": "household_idx", "code": "household"}), on="household_idx"
        )
        ids = persons.select(pl.col("idx").alias("person_idx"), "id_number", "household")
        parts["households"].append(
            hh.select(
                "code",
                pl.col("town_code").alias("town"),
                "community",
                "division_code",
                "area",
                "address",
                "phone",
                yuan("dwelling_area_cents").alias("dwelling_area"),
            )
        )
        parts["members"].append(
            persons.select(
                "household",
                "name",
                "id_number",
                "relation",
                "phone",
                "labour_capacity",
                "disability_kind",
                pl.col("disability_grade").cast(pl.String),
                "serious_illness",
                "self_care",
                "school_stage",
                "employment_status",
                pl.when(pl.col("has_capable_supporter"))
                .then(pl.lit("是"))
                .otherwise(pl.lit("否"))
                .alias("has_capable_supporter"),
            )
        )
        inc = c.incomes.join(ids, on="person_idx")
        parts["incomes"].append(
            inc.select(
                "id_number",
                "kind",
                yuan("monthly_amount_cents").alias("monthly_amount"),
                pl.col("period_start").cast(pl.String),
                pl.col("period_end").cast(pl.String),
                "note",
            )
        )
        assets = c.assets.join(
            codes.rename({"idx": "household_idx", "code": "household"}), on="household_idx"
        )
        assets = assets.join(ids.select("person_idx", "id_number"), on="person_idx", how="left")
        parts["assets"].append(
            assets.select(
                "household",
                "id_number",
                "kind",
                yuan("value_cents").alias("value"),
                yuan("floor_area_cents").alias("floor_area"),
                "vehicle_purpose",
                pl.col("as_of").cast(pl.String),
                "description",
            )
        )
        heads = persons.filter(pl.col("relation") == "head")
        parts["bank_accounts"].append(
            heads.select(
                "id_number",
                pl.lit("示范市农村商业银行").alias("bank_name"),
                pl.col("name").alias("holder_name"),
                ("6228" + pl.col("id_number").str.slice(0, 17).str.replace("X", "0")).alias("number"),
            )
        )
        dibao = inc.filter(pl.col("note") == "最低生活保障金")
        parts["entitlements"].append(
            dibao.select(
                "household",
                pl.col("id_number").alias("payee"),
                pl.lit("dibao").alias("service"),
                yuan("monthly_amount_cents").alias("amount"),
                pl.col("period_start").dt.strftime("%Y-%m").alias("start_month"),
                pl.lit(None, dtype=pl.String).alias("end_month"),
                (pl.col("period_start") - pl.duration(days=20)).cast(pl.String).alias("decided_on"),
                pl.lit(None, dtype=pl.String).alias("next_review_on"),
                pl.lit(None, dtype=pl.String).alias("origin"),
            )
        )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for key, frames in parts.items():
            sheet = BY_KEY[key]
            frame = pl.concat(frames).rename({col.key: col.header for col in sheet.columns})
            zf.writestr(f"{sheet.title}.csv", frame.write_csv())
    return buf.getvalue()


def caseload_child(args) -> dict:
    from django.core.management import call_command
    from django.db import connection

    from jiuzhu.caseload import applying, imports
    from jiuzhu.common import masking as m
    from jiuzhu.decisions.models import Entitlement
    from jiuzhu.policy.selectors import current_policy
    from jiuzhu.registry import demogen
    from jiuzhu.registry.models import Household, Person, Unit, User
    from jiuzhu.registry.services import units_sync

    call_command("migrate", verbosity=0)
    policy = current_policy()
    units_sync(policy=policy)
    city = Unit.objects.get(code="civil_affairs")
    maker = User.objects.create_user("bench_maker", role=m.APPROVER, unit=city)
    checker = User.objects.create_user("bench_checker", role=m.APPROVER, unit=city)
    tag = f"[{connection.vendor}]"
    t = time.perf_counter()
    chunks = demogen.generate(
        towns=demogen.towns_from_policy(policy),
        persons=args.persons,
        seed=args.seed + 7,
        city_name=policy.city.name,
    )
    data = caseload_file(chunks)
    print(
        f"{tag} caseload file of {args.persons:,} persons: {len(data) / 2**20:.1f} MB zip ({time.perf_counter() - t:.1f} s, not timed)",
        flush=True,
    )

    def run(label: str):
        started = time.perf_counter()
        batch = imports.batch_upload(actor=maker, data=data, filename="caseload.zip")
        uploaded = time.perf_counter() - started
        print(
            f"{tag} {label}: upload (read, validate, match) {uploaded:.1f} s — {batch.error_count} errors, "
            f"{batch.summary['households_new']:,} new households, {batch.summary['duplicates']} possible duplicates",
            flush=True,
        )
        if batch.error_count:
            raise SystemExit(f"{tag} the generated file has errors: {batch.errors[:5]}")
        for d in batch.duplicates.all():  # generated people are all different people
            imports.duplicate_decide(actor=maker, duplicate=d, decision="new")
        imports.batch_approve(actor=checker, batch=batch, run_now=True)
        t0 = time.perf_counter()

        def progress(done, total, message):
            print(f"{tag}   [{done}/{total}] {message} (+{time.perf_counter() - t0:.1f} s)", flush=True)

        result = applying.apply_batch(batch=batch, progress=progress)
        applied = time.perf_counter() - t0
        return uploaded, applied, time.perf_counter() - started, result

    upload_s, apply_s, total_s, result = run("first run")
    counts = (Household.objects.count(), Person.objects.count(), Entitlement.objects.count())
    _, _, again_s, again = run("same file again")
    if (
        counts != (Household.objects.count(), Person.objects.count(), Entitlement.objects.count())
        or again["persons"]
    ):
        raise SystemExit(f"{tag} the second run changed the registry: {again}")
    print(
        f"{tag} first run: {result['households']:,} households, {result['persons']:,} persons, "
        f"{result['entitlements']:,} entitlements ({result['flagged']:,} flagged) in {total_s:.1f} s; "
        f"second run changed nothing ({again_s:.1f} s)",
        flush=True,
    )
    return {
        "backend": connection.vendor,
        "persons": result["persons"],
        "households": result["households"],
        "entitlements": result["entitlements"],
        "flagged": result["flagged"],
        "upload_s": upload_s,
        "apply_s": apply_s,
        "caseload_s": total_s,
        "again_s": again_s,
    }


if __name__ == "__main__":
    main()
