"""Benchmark of the eligibility rules: the batch path against the per-household loop.

    uv run python bench/eligibility.py                 # 1,000,000 households
    uv run python bench/eligibility.py --small         # 20,000 households (CI smoke run)
    uv run python bench/eligibility.py --households 200000 --sample 5000 --as-of 2025-06-01

Generates a demo city's households with numpy (seeded; sizes 1–6, ages by relation, incomes,
disabilities, schooling, assets, vehicles, houses, and some temporary, medical and disaster
needs, so every service has eligible households), then measures, with the demo policy file:

- batch: ``policy.batch.evaluate_batch`` over all households — all 33 services, the frame
  conversion included, generation not; run ``--repeat`` times (default 3), median reported;
- loop: ``policy.rules.evaluate`` one household at a time over a random sample (``--sample``,
  default 20,000; the whole set when smaller). On a large run the loop figure is the sample's
  rate, extrapolated to the whole set, and the script says so;
- parity: the batch result of every sampled household equals the loop's, service by service
  (eligibility and amount to the cent). A mismatch is printed and exits 2.

Prints households/second for each path and their ratio. Target (2-core machine): batch ≥
100,000 households/s; ``--strict`` exits 1 when it is missed. The last line is
``BENCH-RESULT {json}`` for tooling. Pure: no Django.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jiuzhu.policy.batch import evaluate_batch  # noqa: E402
from jiuzhu.policy.catalogue import load_policy  # noqa: E402
from jiuzhu.policy.frames import (  # noqa: E402
    HOUSE_SCHEMA,
    HOUSEHOLD_SCHEMA,
    PERSON_SCHEMA,
    VEHICLE_SCHEMA,
    Frames,
    to_facts,
)
from jiuzhu.policy.rules import evaluate  # noqa: E402

TARGET = 100_000  # households per second, batch path
RESULT = "BENCH-RESULT "


def _pick(rng, n, choices, p=None):
    return np.asarray(choices, dtype=object)[rng.choice(len(choices), size=n, p=p)]


def _cents(rng, n, share, median_yuan, sigma=0.6):
    """``share`` of values lognormal around ``median_yuan`` (whole yuan), others 0; in cents."""
    has = rng.random(n) < share
    value = np.rint(np.exp(rng.normal(np.log(median_yuan), sigma, n))).astype(np.int64) * 100
    return np.where(has, value, 0)


def generate(n_households: int, as_of: date, seed: int = 7) -> Frames:
    rng = np.random.default_rng(seed)
    H = n_households
    size = rng.choice([1, 2, 3, 4, 5, 6], size=H, p=[0.22, 0.30, 0.25, 0.14, 0.06, 0.03])
    P = int(size.sum())
    hidx = np.repeat(np.arange(H), size)
    first = np.r_[0, np.cumsum(size)[:-1]]
    rank = np.arange(P) - first[hidx]  # 0 = head, 1 = spouse, ≥ 2 children / parents
    head_age = rng.integers(22, 92, H)
    parent = (rank >= 2) & (rng.random(P) < 0.2)
    age = np.where(
        rank == 0,
        head_age[hidx],
        np.where(
            rank == 1,
            head_age[hidx] + rng.integers(-6, 7, P),
            np.where(
                parent,
                head_age[hidx] + rng.integers(22, 32, P),
                np.maximum(0, head_age[hidx] - rng.integers(20, 38, P)),
            ),
        ),
    )
    age = np.clip(age, 0, 100)
    relation = np.where(rank == 0, "head", np.where(rank == 1, "spouse", np.where(parent, "parent", "child")))
    birth = (np.datetime64(as_of) - (age * 365.25).astype(np.int64) - rng.integers(0, 365, P)).astype(
        "datetime64[D]"
    )
    gender = np.where(rng.random(P) < 0.5, "M", "F")
    kind = _pick(
        rng,
        P,
        ["", "visual", "hearing", "speech", "physical", "intellectual", "mental", "multiple"],
        p=[0.92, 0.01, 0.01, 0.005, 0.03, 0.01, 0.01, 0.005],
    )
    grade = np.where(kind != "", rng.integers(1, 5, P), 0)
    school = np.select(
        [
            age < 3,
            age < 6,
            age < 12,
            age < 15,
            (age < 18) & (rng.random(P) < 0.7),
            (age < 18),
            (age < 22) & (rng.random(P) < 0.45),
        ],
        ["", "preschool", "primary", "junior", "senior", "vocational", "university"],
        "",
    )
    working = (age >= 18) & (age < 60) & (school == "")
    labour = np.where(
        grade.astype(bool) & (grade <= 2),
        "none",
        np.where(age >= 65, "partial", np.where(rng.random(P) < 0.06, "partial", "full")),
    )
    employed = working & (labour == "full") & (rng.random(P) < 0.72)
    wages = np.where(employed, _cents(rng, P, 1.0, 2600, 0.7), 0)
    pension = np.where(age >= 60, _cents(rng, P, 0.9, 1400, 0.8), 0)
    failed = np.where(
        age >= 75, rng.integers(0, 7, P), np.where(rng.random(P) < 0.02, rng.integers(0, 7, P), -1)
    )
    persons = pl.DataFrame(
        {
            "hh_id": hidx.astype(np.int64),
            "relation": relation,
            "birth_date": birth,
            "age": age.astype(np.int64),
            "gender": gender,
            "labour_capacity": labour,
            "disability_kind": kind.astype(str),
            "disability_grade": pl.Series(np.where(grade > 0, grade, 0)).replace(0, None),
            "serious_illness": rng.random(P) < 0.03,
            "self_care": _pick(rng, P, ["full", "partial", "none"], p=[0.9, 0.07, 0.03]).astype(str),
            "self_care_items_failed": pl.Series(failed).replace(-1, None),
            "school_stage": school,
            "university_entrant": (school == "university") & (rng.random(P) < 0.25),
            "employed": employed,
            "wages": wages,
            "business": _cents(rng, P, 0.04, 1500, 0.9),
            "property": _cents(rng, P, 0.05, 200, 1.0),
            "transfer": pension + _cents(rng, P, 0.05, 500, 0.8),
            "pension_basic": np.where(age >= 60, 15_000, 0),
            "excluded": _cents(rng, P, 0.02, 300, 0.3),
            "has_capable_supporter": ~((age >= 60) & (rng.random(P) < 0.25)),
            "supporter_unable": pl.Series([None] * P, dtype=pl.Utf8),
            "not_counted": _str_or_null(np.full(P, "prison"), ~((rank > 0) & (rng.random(P) < 0.004))),
            "work_refusals": np.where(working & ~employed, rng.choice([0, 0, 0, 1, 2, 3], P), 0),
            "tekun_mode": np.where(rng.random(P) < 0.15, "institutional", "dispersed"),
            "in_tekun_support": rng.random(P) < 0.01,
            "orphan_support": (age < 18) & (rng.random(P) < 0.002),
            "out_of_pocket": _cents(rng, P, 0.05, 6000, 1.0),
            "medical_paid_this_year": _cents(rng, P, 0.01, 20000, 0.8),
            "emergency_unpaid": rng.random(P) < 0.0005,
        },
        schema_overrides=PERSON_SCHEMA,
    )
    persons = persons.select(list(PERSON_SCHEMA))
    receiving = rng.random(H) < 0.06
    has_temp = rng.random(H) < 0.05
    disaster = rng.random(H) < 0.02
    rose = np.datetime64(as_of) - rng.integers(0, 300, H)
    households = pl.DataFrame(
        {
            "hh_id": np.arange(H, dtype=np.int64),
            "area": np.where(rng.random(H) < 0.45, "urban", "rural"),
            "financial": _cents(rng, H, 0.8, 15000, 1.3),
            "business_capital": _cents(rng, H, 0.05, 80000, 0.8),
            "current_floor_area": pl.Series(rng.integers(800, 15000, H)).set(
                pl.Series(rng.random(H) < 0.2), None
            ),
            "dwelling_unsafe": rng.random(H) < 0.03,
            "homeless": rng.random(H) < 0.0005,
            "dibao_receiving": receiving,
            "dibao_amount": pl.Series(np.where(receiving, rng.integers(200, 3000, H) * 100, 0)).set(
                pl.Series(~receiving), None
            ),
            "income_rose_on": pl.Series(rose.astype("datetime64[D]")).set(
                pl.Series(~(receiving & (rng.random(H) < 0.3))), None
            ),
            "rose_through_employment": rng.random(H) < 0.8,
            "temp_kind": pl.Series(np.where(rng.random(H) < 0.6, "emergency", "expenditure")).set(
                pl.Series(~has_temp), None
            ),
            "temp_cause": _str_or_null(np.full(H, "illness"), ~has_temp),
            "temp_amount": np.where(has_temp, rng.integers(5, 300, H) * 10_000, 0),
            "temp_last_on": pl.Series(
                (np.datetime64(as_of) - rng.integers(0, 700, H)).astype("datetime64[D]")
            ).set(pl.Series(~(has_temp & (rng.random(H) < 0.3))), None),
            "disaster": disaster,
            "disaster_persons": np.where(disaster, rng.integers(1, 6, H), 0),
            "disaster_days": np.where(disaster, rng.integers(1, 150, H), 0),
            "house_destroyed": disaster & (rng.random(H) < 0.3),
            "winter_hardship": disaster & (rng.random(H) < 0.4),
            "rigid_medical": _cents(rng, H, 0.1, 15000, 1.0),
            "rigid_education": _cents(rng, H, 0.1, 6000, 0.8),
            "rigid_rehabilitation": _cents(rng, H, 0.02, 8000, 0.8),
        },
        schema_overrides=HOUSEHOLD_SCHEMA,
    ).select(list(HOUSEHOLD_SCHEMA))
    has_car = rng.random(H) < 0.22
    cars = np.flatnonzero(has_car)
    vehicles = pl.DataFrame(
        {
            "hh_id": cars.astype(np.int64),
            "value": rng.integers(100, 2000, cars.size) * 10_000,
            "purpose": _pick(rng, cars.size, ["other", "livelihood", "disability"], p=[0.7, 0.2, 0.1]).astype(
                str
            ),
        },
        schema=VEHICLE_SCHEMA,
    )
    n_houses = rng.choice([0, 1, 1, 1, 2, 3], H)
    owners = np.repeat(np.arange(H), n_houses)
    houses = pl.DataFrame(
        {
            "hh_id": owners.astype(np.int64),
            "floor_area": rng.integers(2000, 14000, owners.size).astype(np.int64),
        },
        schema=HOUSE_SCHEMA,
    )
    return Frames(households, persons, vehicles, houses)


def _str_or_null(values, null) -> pl.Series:
    return pl.Series(np.asarray(values, dtype=str)).set(pl.Series(np.asarray(null, dtype=bool)), None)


def loop(facts: dict, as_of: date, policy) -> dict:
    out = {}
    for hid, f in facts.items():
        out[hid] = {
            r.service: (r.eligible, None if r.monthly_amount is None else int(r.monthly_amount * 100))
            for r in evaluate(f, as_of, policy)
        }
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--households", type=int, default=1_000_000)
    ap.add_argument("--small", action="store_true", help="20,000 households")
    ap.add_argument(
        "--sample", type=int, default=20_000, help="households run through the per-household loop"
    )
    ap.add_argument("--as-of", default="2026-03-01")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--repeat", type=int, default=3, help="batch runs; the median is reported")
    ap.add_argument("--strict", action="store_true", help=f"exit 1 when batch < {TARGET:,} households/s")
    args = ap.parse_args(argv)
    n = 20_000 if args.small else args.households
    as_of = date.fromisoformat(args.as_of)
    policy = load_policy(ROOT / "policies" / "demo.yaml")

    t = time.perf_counter()
    frames = generate(n, as_of, args.seed)
    gen_s = time.perf_counter() - t
    print(f"generated {n:,} households, {frames.persons.height:,} persons in {gen_s:.1f} s (not timed below)")

    evaluate_batch(generate(1000, as_of, args.seed + 1), as_of, policy)  # warm-up (imports, caches)
    times = []
    for _ in range(max(1, args.repeat)):
        t = time.perf_counter()
        wide = evaluate_batch(frames, as_of, policy)
        times.append(time.perf_counter() - t)
    batch_s, best_s = sorted(times)[len(times) // 2], min(times)
    batch_rate = n / batch_s

    rng = np.random.default_rng(args.seed + 2)
    m = min(args.sample, n)
    sample = np.sort(rng.choice(n, size=m, replace=False)) if m < n else np.arange(n)
    t = time.perf_counter()
    facts = to_facts(frames, sample.tolist())
    facts_s = time.perf_counter() - t
    t = time.perf_counter()
    single = loop(facts, as_of, policy)
    loop_s = time.perf_counter() - t
    loop_rate = m / loop_s

    rows = wide.filter(pl.col("hh_id").is_in(sample.tolist())).iter_rows(named=True)
    mismatches = []
    for row in rows:
        want = single[row["hh_id"]]
        for s in policy.services:
            got = (row[f"{s.code}_eligible"], row[f"{s.code}_amount"])
            if got != want[s.code]:
                mismatches.append((row["hh_id"], s.code, got, want[s.code]))

    eligible = {s.code: int(wide[f"{s.code}_eligible"].sum()) for s in policy.services}
    monthly = sum(
        int(wide[f"{s.code}_amount"].fill_null(0).sum())
        for s in policy.services
        if s.amount_period == "month"
    )
    print(f"as of {as_of}: eligible households per service (of {n:,}):")
    for code, k in eligible.items():
        print(f"  {code:28s} {k:>9,}  {100 * k / n:5.2f}%")
    print(f"monthly amounts pre-checked: ¥{monthly / 100:,.2f} per month")
    print()
    print(
        f"batch : {n:>9,} households in {batch_s:7.2f} s  = {batch_rate:>10,.0f} households/s "
        f"(median of {len(times)}, best {n / best_s:,.0f}/s; target ≥ {TARGET:,}: "
        f"{'met' if batch_rate >= TARGET else 'MISSED'})"
    )
    extra = "" if m == n else f"; sample of {m:,}, extrapolated to {n:,}: {n / loop_rate:,.0f} s"
    print(f"loop  : {m:>9,} households in {loop_s:7.2f} s  = {loop_rate:>10,.0f} households/s{extra}")
    print(f"        (building their facts from the frames took {facts_s:.2f} s, not counted)")
    print(f"ratio : batch is {batch_rate / loop_rate:,.0f} × the loop")
    print(
        f"parity: {m:,} households × {len(policy.services)} services, "
        f"{'all equal' if not mismatches else f'{len(mismatches)} MISMATCHES'}"
    )
    for mm in mismatches[:10]:
        print("   ", mm)
    print(
        RESULT
        + json.dumps(
            {
                "households": n,
                "persons": frames.persons.height,
                "batch_s": round(batch_s, 3),
                "batch_best_s": round(best_s, 3),
                "batch_per_s": round(batch_rate),
                "loop_sample": m,
                "loop_s": round(loop_s, 3),
                "loop_per_s": round(loop_rate),
                "loop_extrapolated": m != n,
                "ratio": round(batch_rate / loop_rate, 1),
                "mismatches": len(mismatches),
                "target_per_s": TARGET,
            }
        )
    )
    if mismatches:
        return 2
    if args.strict and batch_rate < TARGET:
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
