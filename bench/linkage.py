"""Quality and speed of record linkage (jiuzhu.linkage) against synthetic truth.

    uv run python bench/linkage.py                  # 100,000 records (about a minute)
    uv run python bench/linkage.py --small          # 3,000 records (CI smoke run, < 60 s)
    uv run python bench/linkage.py --records 1000000

dedupe: ``synth.persons(N)`` — households with twins, 20% of people recorded again with
damage, half of those extra records with a damaged ID (transposed, one digit off, dropped
digit, 15-digit form). link: ``synth.link_pair(N // 2)`` — a clean register against a source
list of the same size, half of it register people recorded again with damage.

Prints precision, recall and F1 over record pairs, overall and for pairs that involve a
record whose ID is damaged, with wall time (linkage only, not data generation) and the
process's peak memory. Target: F1 >= 0.98 on records with damaged IDs (``--check`` exits 1
when it is missed).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time

import polars as pl

from jiuzhu.linkage import dedupe, link, synth

COMPARES = ["name:name", "id_number:id", "birth_date:date", "gender:exact", "phone:phone", "address:address"]
TARGET_F1 = 0.98


def _scores(found: pl.DataFrame, truth: pl.DataFrame) -> dict:
    tp = found.join(truth, on=["a", "b"]).height
    precision = tp / found.height if found.height else 1.0
    recall = tp / truth.height if truth.height else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pairs": found.height, "true": truth.height, "precision": precision, "recall": recall, "f1": f1}


def _subset(df: pl.DataFrame, damaged: pl.Series, sides: tuple[bool, bool]) -> pl.DataFrame:
    conds = [pl.col(c).is_in(damaged.implode()) for c, use in zip(("a", "b"), sides, strict=True) if use]
    return df.filter(pl.any_horizontal(conds))


def bench_dedupe(n: int, seed: int, engine: str) -> dict:
    df = synth.persons(n, seed=seed)
    started = time.perf_counter()
    pairs = dedupe(df, id_col="rec_id", compares=COMPARES, engine=engine, progress=True)
    seconds = time.perf_counter() - started
    key = {"a": pl.min_horizontal("id_l", "id_r"), "b": pl.max_horizontal("id_l", "id_r")}
    found, truth = pairs.select(**key), synth.true_pairs(df).select(**key)
    damaged = df.filter(pl.col("id_damaged"))["rec_id"]
    return {
        "records": df.height,
        "seconds": seconds,
        "overall": _scores(found, truth),
        "damaged_id": _scores(_subset(found, damaged, (True, True)), _subset(truth, damaged, (True, True))),
    }


def bench_link(n: int, seed: int, engine: str) -> dict:
    left, right = synth.link_pair(n, seed=seed)
    started = time.perf_counter()
    pairs = link(left, right, id_col="rec_id", compares=COMPARES, engine=engine, progress=True)
    seconds = time.perf_counter() - started
    found = pairs.select(a="id_l", b="id_r")
    truth = synth.true_links(left, right).select(a="id_l", b="id_r")
    damaged = right.filter(pl.col("id_damaged"))["rec_id"]
    return {
        "records": left.height + right.height,
        "seconds": seconds,
        "overall": _scores(found, truth),
        "damaged_id": _scores(_subset(found, damaged, (False, True)), _subset(truth, damaged, (False, True))),
    }


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000, help="records to dedupe (default 100,000)")
    parser.add_argument("--small", action="store_true", help="3,000 records (CI)")
    parser.add_argument("--engine", choices=("duckdb", "spark"), default="duckdb")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help=f"exit 1 if damaged-ID F1 < {TARGET_F1}")
    args = parser.parse_args(argv)
    n = 3000 if args.small else args.records

    results = {
        "dedupe": bench_dedupe(n, args.seed, args.engine),
        "link": bench_link(n // 2, args.seed + 1, args.engine),
    }

    print(f"\nlinkage benchmark ({args.engine}, seed {args.seed})")
    print(
        f"{'task':8} {'subset':11} {'records':>9} {'pairs':>8} {'true':>8} {'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8}"
    )
    ok = True
    for task, r in results.items():
        for subset in ("overall", "damaged_id"):
            s = r[subset]
            print(
                f"{task:8} {subset:11} {r['records']:>9,} {s['pairs']:>8,} {s['true']:>8,} "
                f"{s['precision']:>9.4f} {s['recall']:>7.4f} {s['f1']:>7.4f} {r['seconds']:>8.1f}"
            )
        ok &= r["damaged_id"]["f1"] >= TARGET_F1
    print(f"peak memory (process): {_peak_mib():,.0f} MiB")
    print(f"target F1 >= {TARGET_F1} on records with damaged IDs: {'met' if ok else 'MISSED'}")
    return 0 if ok or not args.check else 1


if __name__ == "__main__":
    sys.exit(main())
