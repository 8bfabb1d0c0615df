"""Blocking: which pairs of records are compared at all, and on which pairs the model
trains. Rules come from the compare kinds' keys; their pair counts are computed in polars
before any SQL runs. A rule too loose for the data (more pairs than the budget) is narrowed
by another key until it fits (surname + ID region at 2.5M persons becomes surname + ID region
+ birth date …), or dropped with the reason; the run report lists both (``Plan.report``)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl

from .comparisons import Compare, Key, blocking_keys, candidate_rules

MAX_RULES = 12
# Rules whose pairs are nearly all matches: they estimate the share of matches.
SURE_RULES = ({("id", "k17")}, {("name", "py"), ("date", "d")}, {("name", "py"), ("id", "birth")})


def pair_count(rule: tuple[Key, ...], frames: list[pl.DataFrame]) -> int:
    cols = [k.column for k in rule]
    counts = [f.select(cols).drop_nulls().group_by(cols).len() for f in frames]
    if len(frames) == 1:
        return int(counts[0].select((pl.col("len").cast(pl.Int64) * (pl.col("len") - 1) // 2).sum()).item())
    joined = counts[0].join(counts[1], on=cols)
    return int(joined.select((pl.col("len").cast(pl.Int64) * pl.col("len_right")).sum()).item())


@dataclass
class Plan:
    """Blocking rules chosen for prediction and training, with their pair counts."""

    predict: list[tuple[tuple[Key, ...], int]] = field(default_factory=list)
    em: list[tuple[Key, ...]] = field(default_factory=list)
    sure: list[tuple[Key, ...]] = field(default_factory=list)
    dropped: list[tuple[tuple[Key, ...], int]] = field(default_factory=list)
    # What was done with each rule over the budget (or beyond the rule limit): one entry per
    # rule, {"rule", "pairs", "action": "tightened" | "dropped", "into", "into_pairs", "why"}
    changes: list[dict] = field(default_factory=list)
    weak_over: list[tuple[tuple[Key, ...], int]] = field(default_factory=list)

    @staticmethod
    def sql(rule: tuple[Key, ...]):
        from splink import block_on

        return block_on(*(k.column for k in rule))

    def report(self, compares: list[Compare]) -> dict:
        """The run report's blocking part: the rules used with their pairs, and what was done
        with the rules over the budget."""

        def name(rule: tuple[Key, ...]) -> str:
            return "+".join(f"{compares[k.index].column}.{k.derived}" for k in rule)

        changes = [
            {**c, "rule": name(c["rule"]), "into": name(c["into"]) if c.get("into") else None}
            | ({"covered_by": name(c["covered_by"])} if c.get("covered_by") else {})
            for c in self.changes
        ]
        return {
            "rules": [{"rule": name(r), "pairs": n} for r, n in self.predict],
            "changes": changes,
            "weak_alone_over": [{"rule": name(r), "pairs": n} for r, n in self.weak_over],
        }

    def lines(self, compares: list[Compare]) -> list[str]:
        """The changes in words, one line each."""
        out = []
        for c in self.report(compares)["changes"]:
            if c["action"] == "tightened":
                out.append(
                    f"blocking on {c['rule']} ({c['pairs']:,} pairs, over the budget) tightened to "
                    f"{c['into']} ({c['into_pairs']:,} pairs)"
                    + (f", all compared by {c['covered_by']} already" if c.get("covered_by") else "")
                )
            else:
                out.append(f"blocking on {c['rule']} ({c['pairs']:,} pairs) dropped: {c['why']}")
        return out


def covering(rule: tuple[Key, ...], chosen: Iterable[tuple[Key, ...]]) -> tuple[Key, ...] | None:
    """A chosen rule whose keys are all among ``rule``'s: every pair of ``rule`` is already
    compared through it (surname + ID region + address, once the address blocks alone)."""
    return next((c for c in chosen if set(c) <= set(rule)), None)


def tighten(
    rule: tuple[Key, ...],
    keys: list[Key],
    frames: list[pl.DataFrame],
    budget: int,
    chosen: Iterable[tuple[Key, ...]] = (),
) -> tuple[tuple[Key, ...], int] | None:
    """``rule`` narrowed by one more key (of another compare, not about the same fact), or two:
    the narrowing that keeps the most pairs within ``budget`` and adds pairs to the
    ``chosen`` rules' (a narrowing by a key that already blocks alone adds none); None when
    none fits."""
    chosen = list(chosen)
    used = {k.index for k in rule}
    topics = {k.topic for k in rule if k.topic}
    extra = [k for k in keys if k.index not in used and (k.topic is None or k.topic not in topics)]
    best: tuple[tuple[Key, ...], int] | None = None
    for size in (1, 2):
        for i, k in enumerate(extra):
            combos: list[tuple[Key, ...]] = (
                [(k,)] if size == 1 else [(k, j) for j in extra[i + 1 :] if j.index != k.index]
            )
            for add in combos:
                if size == 2 and add[0].topic and add[0].topic == add[1].topic:
                    continue
                narrowed = tuple(sorted((*rule, *add), key=lambda x: (x.index, x.derived)))
                if covering(narrowed, chosen):
                    continue
                n = pair_count(narrowed, frames)
                if 0 < n <= budget and (best is None or n > best[1]):
                    best = (narrowed, n)
        if best:
            return best
    return None


def plan_blocking(compares: list[Compare], kinds: dict, frames: list[pl.DataFrame], budget: int) -> Plan:
    keys = blocking_keys(compares, kinds)
    plan = Plan()
    counted = []
    chosen: set[tuple[Key, ...]] = set()
    # A weak key alone (a birth date, a postcode, a surname's sound) blocks only when its
    # pairs fit the budget (small inputs: FEBRL's 5,000 records), before the pairs of keys it
    # would make redundant; over the budget it is not a rule at all — the pairs of keys that
    # hold it block as they would without it (listed in the report as "weak_alone_over").
    candidates = candidate_rules(keys)
    n_alone = sum(1 for r in candidates if len(r) == 1)
    weak_alone: list[tuple[tuple[Key, ...], int]] = []
    plan.weak_over = []
    for k in keys:
        if k.strength == "weak":
            n = pair_count((k,), frames)
            (weak_alone if 0 < n <= budget else plan.weak_over).append(((k,), n))
    pre = {r: n for r, n in weak_alone}
    for rule in [*candidates[:n_alone], *pre, *candidates[n_alone:]]:
        n = pre[rule] if rule in pre else pair_count(rule, frames)
        counted.append((rule, n))
        if len(rule) > 1 and covering(rule, chosen):
            continue  # a chosen rule's keys are all in it: its pairs are all there
        if len(plan.predict) >= MAX_RULES:
            plan.dropped.append((rule, n))
            if n > 0:
                why = f"{MAX_RULES} rules already chosen"
                plan.changes.append({"rule": rule, "pairs": n, "action": "dropped", "why": why})
        elif n > budget:
            # Never dropped silently: narrowed by another key so that it fits, or said why not.
            plan.dropped.append((rule, n))
            narrowed = tighten(rule, keys, frames, budget, chosen)
            # A narrowing whose pairs another rule already compares is only reported.
            narrowed = narrowed or tighten(rule, keys, frames, budget)
            if narrowed is None:
                why = f"over the budget of {budget:,} pairs and no other key narrows it enough"
                plan.changes.append({"rule": rule, "pairs": n, "action": "dropped", "why": why})
            else:
                into, m = narrowed
                change = {"rule": rule, "pairs": n, "action": "tightened", "into": into, "into_pairs": m}
                by = covering(into, chosen)
                plan.changes.append(change | ({"covered_by": by} if by else {}))
                if into not in chosen and not by:
                    plan.predict.append((into, m))
                    chosen.add(into)
        elif n > 0 and rule not in chosen:
            plan.predict.append((rule, n))
            chosen.add(rule)
    # EM needs, for every compare, a session whose blocking rule does not use it.
    # Sessions whose pairs are mostly matches train best: the ID alone, then pairs of keys.
    uncovered = set(range(len(compares)))
    for level in (True, "fallback"):
        allowed = (True,) if level is True else (True, "fallback")
        em_ok = [r for r, n in counted if 0 < n <= budget and all(k.em in allowed for k in r)]
        em_ok.sort(key=lambda r: 0 if len(r) == 1 and compares[r[0].index].kind == "id" else 3 - len(r))
        for rule in em_ok:
            trains = set(range(len(compares))) - {k.index for k in rule}
            if trains & uncovered and rule not in plan.em:
                plan.em.append(rule)
                uncovered -= trains
            if not uncovered or len(plan.em) >= 3:
                break
    # Rules whose pairs are nearly all matches estimate the share of matches.
    for rule, n in counted:
        signature = {(compares[k.index].kind, k.derived) for k in rule}
        if 0 < n <= budget and signature in SURE_RULES:
            plan.sure.append(rule)
    return plan
