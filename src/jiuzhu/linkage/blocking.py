"""Blocking: which pairs of records are compared at all, and on which pairs the model
trains. Rules come from the compare kinds' keys, in order of preference (strong keys alone,
medium keys alone, weak keys alone, a medium key with another, two weak keys), plus a few
rules on parts of keys (``EXTRA_RULES``); their pair counts are computed in polars before any
SQL runs. A rule too loose for the data (more pairs than the budget) is narrowed by another
key until it fits (surname + ID region at 2.5M persons becomes surname + ID region + birth
date …), or dropped with the reason.

A rule is kept for the pairs it adds: Splink scores each pair once, under the first rule that
holds it (every later rule gets NOT(earlier rules)), so a rule whose pairs the rules before
it already compare costs a NOT clause and brings nothing. Each candidate's pairs are listed
(a self-join on its keys) and tested against the keys of the rules already kept. Within one
tier of preference the rules adding the fewest pairs are offered first; a key alone (or its
narrowing) is kept whenever it adds pairs, a rule of two keys while the pairs scored in all
stay within 85% of the budget. Once all are chosen, a kept rule whose pairs the others compare
between them is taken out again (name pinyin + birth date, once surname + birth date is in).
The run report (``Plan.report``) says for every candidate why it was kept, tightened or left
out, and how many pairs are scored in all."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import polars as pl

from .comparisons import Compare, Key, blocking_keys, candidate_rules, col

# Each kept rule adds a NOT(...) clause to every later one; beyond this many the clauses
# cost more than the few pairs a further rule can add.
MAX_RULES = 20
# Rules of two keys are added while the pairs scored in all stay within this share of the
# budget. At 1M Chinese records the 12-rule plan of before scored 8.75M pairs (budget 10M);
# the last two rules of two keys offered (ID region + birth date, ID birth segment +
# postcode, 0.83M and 0.96M pairs of their own) held 3 true pairs no other rule held.
SCORED_SHARE = 0.85
# Rules whose pairs are nearly all matches: they estimate the share of matches.
SURE_RULES = ({("id", "k17")}, {("name", "py"), ("date", "d")}, {("name", "py"), ("id", "birth")})

Rule = tuple[Key, ...]

# Rules beyond the pairs of the kinds' keys, for copies whose surname or birth date was
# mistyped: (kind, key, part) with another (kind, key, part); a part is a slice (start,
# length) of the key's text, blocked on as a column of its own (``_extra``). At 1M
# Chinese records these found 96 of the 162 true pairs no rule of keys held, for ~1M pairs:
# the given name + birth date (王淑伟 / 玉淑伟, born the same day), the name's pinyin + the birth
# year or the month and day (a date mistyped in the other half).
EXTRA_RULES: tuple[tuple[tuple[str, str, tuple[int, int] | None], ...], ...] = (
    (("name", "gpy", None), ("date", "d", None)),
    (("name", "gpy", None), ("id", "birth", None)),
    (("name", "py", None), ("date", "d", (0, 4))),
    (("name", "py", None), ("date", "d", (4, 4))),
)
PART_NAMES = {(0, 4): "year", (4, 4): "monthday"}


def pair_count(rule: Rule, frames: list[pl.DataFrame]) -> int:
    cols = [k.column for k in rule]
    counts = [f.select(cols).drop_nulls().group_by(cols).len() for f in frames]
    if len(frames) == 1:
        return int(counts[0].select((pl.col("len").cast(pl.Int64) * (pl.col("len") - 1) // 2).sum()).item())
    joined = counts[0].join(counts[1], on=cols)
    return int(joined.select((pl.col("len").cast(pl.Int64) * pl.col("len_right")).sum()).item())


class Pairs:
    """The pairs of a rule as row numbers, and which of them other rules hold: the key
    columns are hashed once (64 bits; a collision would count one pair as compared)."""

    def __init__(self, frames: list[pl.DataFrame], keys: list[Key]):
        cols = sorted({k.column for k in keys})
        hashed = [pl.when(pl.col(c).is_not_null()).then(pl.col(c).hash(seed=0)).alias(c) for c in cols]
        self.frames = [f.select(hashed).with_row_index("row") for f in frames]
        self.counts: dict[Rule, int] = {}
        # One array per column and frame, compared with one gather a side: a value's hash with
        # the top bit cleared, and a missing value a number with the top bit set that no other
        # row's can equal (the row number; in a link, even on the left and odd on the right),
        # so that two missing values never agree.
        top = np.uint64(1 << 63)
        two = len(self.frames) == 2

        def coded(f: pl.DataFrame, c: str, side: int) -> np.ndarray:
            row = f["row"].cast(pl.UInt64)
            missing = (row * 2 + side if two else row).to_numpy() | top
            value = f[c].fill_null(0).to_numpy() & ~top
            return np.where(f[c].is_not_null().to_numpy(), value, missing)

        self.columns = {c: [coded(f, c, side) for side, f in enumerate(self.frames)] for c in cols}

    def count(self, rule: Rule) -> int:
        """The rule's pairs, counted (as ``pair_count``, on the hashed columns)."""
        if rule not in self.counts:
            self.counts[rule] = pair_count(rule, self.frames)
        return self.counts[rule]

    def of(self, rule: Rule) -> tuple[np.ndarray, np.ndarray]:
        """The rule's pairs: row numbers in the first frame and in the second (or the same)."""
        cols = [k.column for k in rule]
        sides = [
            f.drop_nulls(cols).select(
                "row", key=pl.struct(cols).hash(seed=0) if len(cols) > 1 else pl.col(cols[0])
            )
            for f in self.frames
        ]
        left, right = sides[0], sides[-1]
        joined = left.join(right, on="key", suffix="_r")
        if len(self.frames) == 1:
            joined = joined.filter(pl.col("row") < pl.col("row_r"))
        return joined["row"].to_numpy(), joined["row_r"].to_numpy()

    def held(self, pairs: tuple[np.ndarray, np.ndarray], rules: Iterable[Rule]) -> list[np.ndarray]:
        """For each of ``rules``, which of ``pairs`` it holds (its keys agree, none missing)."""
        a, b = pairs
        agree: dict[str, np.ndarray] = {}
        out = []
        for rule in rules:
            mask = np.ones(a.shape[0], dtype=bool)
            for k in rule:
                if k.column not in agree:
                    left, right = self.columns[k.column][0], self.columns[k.column][-1]
                    agree[k.column] = left[a] == right[b]
                mask &= agree[k.column]
            out.append(mask)
        return out


@dataclass
class Plan:
    """Blocking rules chosen for prediction and training, with their pair counts."""

    predict: list[tuple[Rule, int]] = field(default_factory=list)
    em: list[Rule] = field(default_factory=list)
    sure: list[Rule] = field(default_factory=list)
    dropped: list[tuple[Rule, int]] = field(default_factory=list)
    # What was done with each rule over the budget (or beyond the rule limit, or over the
    # budget of pairs scored in all): one entry per rule, {"rule", "pairs", "action":
    # "tightened" | "dropped", "into", "into_pairs", "why"}
    changes: list[dict] = field(default_factory=list)
    weak_over: list[tuple[Rule, int]] = field(default_factory=list)
    # Every candidate rule with what was done with it: {"rule", "pairs", "action": "kept" |
    # "tightened" | "left out", "new" (pairs no rule before it holds), "why", ...}
    decisions: list[dict] = field(default_factory=list)
    # the kept rules' pairs that no earlier kept rule holds (Splink scores each pair once)
    new: dict[Rule, int] = field(default_factory=dict)
    scored_budget: int = 0  # the most pairs scored in all
    # the frames to block: those given, with the columns of parts of keys (``EXTRA_RULES``)
    frames: list[pl.DataFrame] = field(default_factory=list)

    @property
    def scored(self) -> int:
        """Pairs compared in all (each once, whichever rules hold it)."""
        return sum(self.new.get(r, n) for r, n in self.predict)

    @staticmethod
    def sql(rule: Rule):
        from splink import block_on

        return block_on(*(k.column for k in rule))

    def report(self, compares: list[Compare]) -> dict:
        """The run report's blocking part: the rules used with their pairs (and the pairs
        each adds to the rules before it), what was done with every candidate rule, and the
        rules over the budget."""

        def name(rule: Rule) -> str:
            return "+".join(f"{compares[k.index].column}.{k.derived}" for k in rule)

        def named(c: dict) -> dict:
            out = {**c, "rule": name(c["rule"])}
            for key in ("into", "from", "covered_by"):
                if c.get(key):
                    out[key] = name(c[key])
            if c.get("held_by"):
                out["held_by"] = [name(r) for r in c["held_by"]]
            return out

        return {
            "rules": [{"rule": name(r), "pairs": n, "new": self.new.get(r, n)} for r, n in self.predict],
            "scored": self.scored,
            "scored_budget": self.scored_budget,
            "changes": [{"into": None} | named(c) for c in self.changes],
            "candidates": [named(c) for c in self.decisions],
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


def covering(rule: Rule, chosen: Iterable[Rule]) -> Rule | None:
    """A chosen rule whose keys are all among ``rule``'s: every pair of ``rule`` is already
    compared through it (surname + ID region + address, once the address blocks alone)."""
    return next((c for c in chosen if set(c) <= set(rule)), None)


def tighten(
    rule: Rule,
    keys: list[Key],
    count: Callable[[Rule], int],
    budget: int,
    chosen: Iterable[Rule] = (),
) -> tuple[Rule, int] | None:
    """``rule`` narrowed by one more key (of another compare, not about the same fact), or two:
    the narrowing that keeps the most pairs within ``budget`` and adds pairs to the
    ``chosen`` rules' (a narrowing by a key that already blocks alone adds none); None when
    none fits."""
    chosen = list(chosen)
    used = {k.index for k in rule}
    topics = {k.topic for k in rule if k.topic}
    extra = [k for k in keys if k.index not in used and (k.topic is None or k.topic not in topics)]
    best: tuple[Rule, int] | None = None
    for size in (1, 2):
        for i, k in enumerate(extra):
            combos: list[Rule] = (
                [(k,)] if size == 1 else [(k, j) for j in extra[i + 1 :] if j.index != k.index]
            )
            for add in combos:
                if size == 2 and add[0].topic and add[0].topic == add[1].topic:
                    continue
                narrowed = tuple(sorted((*rule, *add), key=lambda x: (x.index, x.derived)))
                if covering(narrowed, chosen):
                    continue
                n = count(narrowed)
                if 0 < n <= budget and (best is None or n > best[1]):
                    best = (narrowed, n)
        if best:
            return best
    return None


def _union(masks: Iterable[np.ndarray], pairs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Which of ``pairs`` any of the rules behind ``masks`` holds (``Pairs.held``'s masks)."""
    held = np.zeros(pairs[0].shape[0], dtype=bool)
    for m in masks:
        held |= m
    return held


class _Chooser:
    """Keeps a rule when it adds pairs to the rules kept before it, within the budget of
    pairs scored in all; says why for every rule it is offered."""

    def __init__(self, plan: Plan, pairs: Pairs, budget: int):
        self.plan, self.pairs, self.budget = plan, pairs, budget
        self.kept: dict[Rule, tuple[np.ndarray, np.ndarray]] = {}
        self.listed: dict[Rule, tuple[np.ndarray, np.ndarray]] = {}  # pairs of rules being offered
        # of a listed rule's pairs, those held by the first k kept rules: (k, mask) — the kept
        # rules only grow while rules are offered, so a later test adds the newly kept ones
        self.held_by_kept: dict[Rule, tuple[int, np.ndarray]] = {}
        self.scored = 0

    def held(self, rule: Rule) -> np.ndarray:
        """Which of the listed ``rule``'s pairs a kept rule holds."""
        pairs = self.listed[rule]
        kept = list(self.kept)
        k, mask = self.held_by_kept.get(rule, (0, np.zeros(pairs[0].shape[0], dtype=bool)))
        if k < len(kept):
            mask = mask | _union(self.pairs.held(pairs, kept[k:]), pairs)
            self.held_by_kept[rule] = (len(kept), mask)
        return mask

    def new(self, rule: Rule) -> int:
        """The pairs of ``rule`` that no kept rule holds (its pairs are listed once)."""
        if rule not in self.listed:
            self.listed[rule] = self.pairs.of(rule)
        return int((~self.held(rule)).sum())

    def offer_all(self, offers: list[tuple[Rule, int, dict]], capped: bool) -> None:
        """Offer rules of one strength, those adding the fewest pairs to the kept ones first:
        the kept rules hold nearly every duplicate, so what a rule adds is mostly pairs of
        different people and the few duplicates left are reached at least cost that way."""
        ranked = sorted(
            range(len(offers)),
            key=lambda i: (0, 0) if covering(offers[i][0], self.kept) else (1, self.new(offers[i][0])),
        )
        for i in ranked:
            rule, n, extra = offers[i]
            self.offer(rule, n, capped, **extra)
        self.listed = {r: p for r, p in self.listed.items() if r in self.kept}
        self.held_by_kept.clear()

    def offer(self, rule: Rule, n: int, capped: bool = True, **extra) -> None:
        plan = self.plan
        entry = {"rule": rule, "pairs": n, **extra}
        if rule in self.kept:
            plan.decisions.append(entry | {"action": "left out", "new": 0, "why": "already kept"})
            return
        by = covering(rule, self.kept)
        if by:
            why = "every pair of it is held by a kept rule with fewer keys"
            plan.decisions.append(entry | {"action": "left out", "new": 0, "covered_by": by, "why": why})
            return
        if len(self.kept) >= MAX_RULES:
            plan.dropped.append((rule, n))
            why = f"{MAX_RULES} rules already chosen"
            plan.changes.append({"rule": rule, "pairs": n, "action": "dropped", "why": why})
            plan.decisions.append(entry | {"action": "left out", "why": why})
            return
        if rule not in self.listed:
            self.listed[rule] = self.pairs.of(rule)
        new = int((~self.held(rule)).sum())
        pairs = self.listed.pop(rule)  # kept below (with its pairs) or left out
        self.held_by_kept.pop(rule, None)
        if new == 0:
            masks = self.pairs.held(pairs, self.kept)
            held_by = [r for r, m in zip(self.kept, masks, strict=True) if m.any()]
            why = "every pair of it is held by the rules kept before it"
            plan.decisions.append(entry | {"action": "left out", "new": 0, "held_by": held_by, "why": why})
            return
        if capped and self.scored + new > self.budget:
            plan.dropped.append((rule, n))
            why = (
                f"its {new:,} new pairs would take the pairs scored in all over {self.budget:,} "
                f"({self.scored:,} already)"
            )
            plan.changes.append({"rule": rule, "pairs": n, "action": "dropped", "why": why})
            plan.decisions.append(entry | {"action": "left out", "new": new, "why": why})
            return
        self.kept[rule] = pairs
        self.scored += new
        plan.predict.append((rule, n))
        plan.decisions.append(entry | {"action": "kept", "new": new, "why": f"adds {new:,} pairs"})

    def prune(self) -> None:
        """Take out, last first, a kept rule whose pairs the other kept rules hold between
        them; then count each rule's pairs that no earlier rule holds."""
        plan = self.plan
        # of each rule's pairs, those each other rule holds (rules only leave: still true after)
        held: dict[Rule, dict[Rule, np.ndarray]] = {}
        for rule in reversed(list(self.kept)):
            others = [r for r in self.kept if r != rule]
            masks = self.pairs.held(self.kept[rule], others)
            held[rule] = dict(zip(others, masks, strict=True))
            if others and _union(masks, self.kept[rule]).all():
                held_by = [r for r, m in zip(others, masks, strict=True) if m.any()]
                del self.kept[rule]
                plan.predict = [(r, n) for r, n in plan.predict if r != rule]
                entry = next(d for d in plan.decisions if d["rule"] == rule and d["action"] == "kept")
                why = "every pair of it is held by the other kept rules"
                entry.update(action="left out", new=0, held_by=held_by, why=why)
                for d in plan.decisions:
                    if d.get("covered_by") == rule:
                        d["why"] += ", itself taken out: its pairs are held by the other kept rules"
        earlier: list[Rule] = []
        for rule in self.kept:
            masks = [held[rule][r] for r in earlier]
            plan.new[rule] = int((~_union(masks, self.kept[rule])).sum())
            earlier.append(rule)
        for d in plan.decisions:
            if d["action"] == "kept":
                d["new"] = plan.new[d["rule"]]
                d["why"] = f"adds {d['new']:,} pairs no earlier kept rule holds"
            elif d.get("held_by"):  # named by the rules kept in the end
                masks = self.pairs.held(self.pairs.of(d["rule"]), self.kept)
                d["held_by"] = [r for r, m in zip(self.kept, masks, strict=True) if m.any()]


def _extra(compares: list[Compare], keys: list[Key], frames: list[pl.DataFrame]):
    """The rules of ``EXTRA_RULES`` the compares allow (keys of two different compares), and
    the frames with the columns of the parts they block on."""
    known = {(k.index, k.derived): k for k in keys}
    rules: list[Rule] = []
    parts: dict[str, pl.Expr] = {}
    for spec in EXTRA_RULES:
        for i, a in enumerate(compares):
            for j, b in enumerate(compares):
                if i == j or (a.kind, b.kind) != (spec[0][0], spec[1][0]):
                    continue
                sources = [col(i, spec[0][1]), col(j, spec[1][1])]
                if not all(c in f.columns for c in sources for f in frames):
                    continue  # settings whose kinds derive other columns
                rule = []
                for index, (_, derived, part) in ((i, spec[0]), (j, spec[1])):
                    if part is None:
                        rule.append(known.get((index, derived)) or Key(index, derived, "weak", False))
                        continue
                    name = f"{derived}_{PART_NAMES[part]}"
                    source = pl.col(col(index, derived))
                    text = source.str.slice(*part)
                    parts[col(index, name)] = pl.when(source.str.len_chars() >= sum(part)).then(text)
                    topic = known[(index, derived)].topic if (index, derived) in known else None
                    rule.append(Key(index, name, "weak", False, topic))
                rules.append(tuple(sorted(rule, key=lambda k: (k.index, k.derived))))
    if parts:
        frames = [f.with_columns(**parts) for f in frames]
    return rules, frames


def _tier(rule: Rule) -> int:
    """Strong keys alone, medium keys alone, weak keys alone, a medium key with another, two
    weak keys (the order of ``candidate_rules``)."""
    strengths = {k.strength for k in rule}
    if len(rule) == 1:
        return {"strong": 0, "medium": 1}.get(rule[0].strength, 2)
    return 3 if "medium" in strengths else 4


def plan_blocking(compares: list[Compare], kinds: dict, frames: list[pl.DataFrame], budget: int) -> Plan:
    keys = blocking_keys(compares, kinds)
    plan = Plan()
    counted = []
    # A weak key alone (a birth date, a postcode, a surname's sound) blocks only when its
    # pairs fit the budget (small inputs: FEBRL's 5,000 records), before the pairs of keys it
    # would make redundant; over the budget it is not a rule at all — the pairs of keys that
    # hold it block as they would without it (listed in the report as "weak_alone_over").
    candidates = candidate_rules(keys)
    n_alone = sum(1 for r in candidates if len(r) == 1)
    extra, frames = _extra(compares, keys, frames)
    plan.frames = frames
    pairs = Pairs(frames, list(dict.fromkeys([*keys, *(k for r in extra for k in r)])))
    weak_alone: list[tuple[Rule, int]] = []
    plan.weak_over = []
    for k in keys:
        if k.strength == "weak":
            n = pairs.count((k,))
            if n > 0:
                (weak_alone if n <= budget else plan.weak_over).append(((k,), n))
    pre = {r: n for r, n in weak_alone}
    # A key alone (or its narrowing) is kept whenever it adds pairs; rules of two keys are
    # added while the pairs scored in all stay within 85% of the budget (10 a record by default).
    plan.scored_budget = int(SCORED_SHARE * budget)
    chooser = _Chooser(plan, pairs, plan.scored_budget)
    offers: list[tuple[Rule, int, dict]] = []
    ordered = [*candidates[:n_alone], *pre, *candidates[n_alone:]]
    ordered = sorted([*ordered, *(r for r in extra if r not in ordered)], key=_tier)
    for i, rule in enumerate(ordered):
        n = pre[rule] if rule in pre else pairs.count(rule)
        counted.append((rule, n))
        if n == 0:
            plan.decisions.append({"rule": rule, "pairs": 0, "action": "left out", "why": "no pairs"})
        elif n <= budget or covering(rule, chooser.kept):
            offers.append((rule, n, {}))  # over the budget but its pairs held by a kept rule: left out
        else:
            # Never dropped silently: narrowed by another key so that it fits, or said why not.
            plan.dropped.append((rule, n))
            narrowed = tighten(rule, keys, pairs.count, budget, chooser.kept)
            # A narrowing whose pairs another rule already compares is only reported.
            narrowed = narrowed or tighten(rule, keys, pairs.count, budget)
            if narrowed is None:
                why = f"over the budget of {budget:,} pairs and no other key narrows it enough"
                plan.changes.append({"rule": rule, "pairs": n, "action": "dropped", "why": why})
                plan.decisions.append({"rule": rule, "pairs": n, "action": "left out", "why": why})
            else:
                into, m = narrowed
                change = {"rule": rule, "pairs": n, "action": "tightened", "into": into, "into_pairs": m}
                by = covering(into, chooser.kept)
                plan.changes.append(change | ({"covered_by": by} if by else {}))
                plan.decisions.append(change | {"why": f"over the budget of {budget:,} pairs"})
                offers.append((into, m, {"from": rule}))
        if i + 1 == len(ordered) or _tier(ordered[i + 1]) != _tier(rule):
            chooser.offer_all(offers, capped=_tier(rule) >= 3)
            offers = []
    chooser.prune()
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
