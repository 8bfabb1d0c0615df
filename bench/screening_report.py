"""The figures of ``bench/screening.py`` printed: the identity linkage's blocking rules with
their pairs and what was done with a rule over its budget (tightened or dropped, with the
reason — never silently), alerts per rule, and what was found of each planted kind; a
"silent/…" truth key is a case that must raise nothing."""

from __future__ import annotations

import polars as pl


def _key(rule: str) -> str:
    """The alert column a planted case of ``rule`` is named by."""
    if rule in (
        "temporary_same_cause",
        "listed_not_receiving",
        "similar_households_amounts",
        "charity_covers_paid_cost",
    ):
        return "household_id"
    return "unit" if rule == "town_coverage_off_norm" else "person_id"


def _named(alerts: pl.DataFrame, rule: str, same_human: dict[int, int]) -> pl.DataFrame:
    """The rule's alerts with ``__named``: what names their case — for a person, the person id
    and, for a re-registered person's second record, the first record's too (one human)."""
    a = alerts.filter(pl.col("rule") == rule)
    key = _key(rule)
    if key != "person_id":
        return a.with_columns(pl.concat_list(pl.col(key)).alias("__named"))
    first = pl.col("person_id").replace_strict(same_human, default=pl.col("person_id"), return_dtype=pl.Int64)
    return a.with_columns(
        pl.concat_list(pl.col("person_id").cast(pl.Int64), first).list.unique().alias("__named")
    )


def not_planted(alerts: pl.DataFrame, truth: dict[str, set], same_human: dict[int, int]) -> dict[str, int]:
    """Alerts of each planted rule on no planted case of that rule (false alerts, or cases
    the generator made by chance)."""
    want: dict[str, set] = {}
    for key, v in truth.items():
        if not key.startswith("silent/"):
            want.setdefault(key.split("/")[1].split("@")[0], set()).update(v)
    return {
        rule: _named(alerts, rule, same_human)
        .filter(~pl.col("__named").list.eval(pl.element().is_in(list(w))).list.any())
        .height
        for rule, w in sorted(want.items())
    }


def recall(alerts: pl.DataFrame, truth: dict[str, set], same_human: dict[int, int]) -> dict[str, dict]:
    """Per truth key: planted, found, recall. A planted person is found by an alert on any of
    the human's records (a staff relative who was also re-registered in another town is
    alerted under the second record: the platform sees two people paid, one registered)."""
    out = {}
    for key, want in truth.items():
        kind, rule = key.split("/")
        rule = rule.split("@")[0]  # "@tag": a subset planted one particular way
        got = set(_named(alerts, rule, same_human)["__named"].explode().to_list())
        found = len(want & got)
        out[key] = {"planted": len(want), "found": found, "recall": found / len(want) if want else 1.0}
    return out


def report(
    alerts: pl.DataFrame, truth: dict[str, set], blocking: dict, must_find_all, same_human: dict[int, int]
) -> tuple:
    """Print the run's figures; returns (recall by kind, keys of ``must_find_all`` not found
    in full, silent keys that raised alerts, recall per truth key, alerts on no planted case
    per rule)."""
    print(f"identity linkage: blocking rules (budget {blocking['budget']:,} pairs a rule)")
    for r in blocking["rules"]:
        print(f"  {r['rule']:<44} {r['pairs']:>12,} pairs")
    for c in blocking["changes"]:
        done = f"tightened to {c['into']} ({c['into_pairs']:,})" if c["action"] == "tightened" else c["why"]
        print(f"  over the budget: {c['rule']} ({c['pairs']:,} pairs): {done}")
    if not blocking["changes"]:
        print("  no rule over the budget")
    counts = alerts.group_by("kind", "rule").len().sort("kind", "rule")
    for kind, rule, c in counts.iter_rows():
        print(f"  {kind:<11} {rule:<28} {c:>8,}")
    rec = recall(alerts, truth, same_human)
    kinds: dict[str, list[int]] = {}
    missed_all = []
    for key, v in sorted(rec.items()):
        if key.startswith("silent/"):
            print(f"  silent  {key:<40} {v['found']:>6,}/{v['planted']:<6,} raised (must be 0)")
            continue
        print(f"  planted {key:<40} {v['found']:>6,}/{v['planted']:<6,} recall {v['recall']:.3f}")
        if key in must_find_all and v["found"] < v["planted"]:
            missed_all.append(key)
        k = kinds.setdefault(key.split("/")[0], [0, 0])
        k[0] += v["found"]
        k[1] += v["planted"]
    by_kind = {k: f / p for k, (f, p) in kinds.items()}
    extra = not_planted(alerts, truth, same_human)
    print("alerts on no planted case: " + ", ".join(f"{r} {n:,}" for r, n in extra.items()))
    raised_silent = {k: v["found"] for k, v in rec.items() if k.startswith("silent/") and v["found"]}
    found = "yes" if not missed_all else "NO: " + ", ".join(missed_all)
    print(
        f"issue 20 screening causes found in full: {found}; silent cases that raised an alert: "
        f"{sum(raised_silent.values())}"
    )
    return by_kind, missed_all, raised_silent, rec, extra
