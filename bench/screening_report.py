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


def not_planted(alerts: pl.DataFrame, truth: dict[str, set]) -> dict[str, int]:
    """Alerts of each planted rule on no planted case of that rule (false alerts, or cases
    the generator made by chance)."""
    want: dict[str, set] = {}
    for key, v in truth.items():
        if not key.startswith("silent/"):
            want.setdefault(key.split("/")[1].split("@")[0], set()).update(v)
    return {
        rule: alerts.filter((pl.col("rule") == rule) & ~pl.col(_key(rule)).is_in(list(w))).height
        for rule, w in sorted(want.items())
    }


def recall(alerts: pl.DataFrame, truth: dict[str, set]) -> dict[str, dict]:
    out = {}
    for key, want in truth.items():
        kind, rule = key.split("/")
        rule = rule.split("@")[0]  # "@tag": a subset planted one particular way
        a = alerts.filter(pl.col("rule") == rule)
        got = set(a[_key(rule)].to_list())
        found = len(want & got)
        out[key] = {"planted": len(want), "found": found, "recall": found / len(want) if want else 1.0}
    return out


def report(alerts: pl.DataFrame, truth: dict[str, set], blocking: dict, must_find_all) -> tuple:
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
    rec = recall(alerts, truth)
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
    extra = not_planted(alerts, truth)
    print("alerts on no planted case: " + ", ".join(f"{r} {n:,}" for r, n in extra.items()))
    raised_silent = {k: v["found"] for k, v in rec.items() if k.startswith("silent/") and v["found"]}
    found = "yes" if not missed_all else "NO: " + ", ".join(missed_all)
    print(
        f"issue 20 screening causes found in full: {found}; silent cases that raised an alert: "
        f"{sum(raised_silent.values())}"
    )
    return by_kind, missed_all, raised_silent, rec, extra
