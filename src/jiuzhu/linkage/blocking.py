"""Blocking: which pairs of records are compared at all, and on which pairs the model
trains. Rules come from the compare kinds' keys; their pair counts are computed in polars so
that a rule too loose for the data is skipped before any SQL runs."""

from __future__ import annotations

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

    @staticmethod
    def sql(rule: tuple[Key, ...]):
        from splink import block_on

        return block_on(*(k.column for k in rule))


def plan_blocking(compares: list[Compare], kinds: dict, frames: list[pl.DataFrame], budget: int) -> Plan:
    keys = blocking_keys(compares, kinds)
    plan = Plan()
    counted = []
    alone: set[Key] = set()
    for rule in candidate_rules(keys):
        n = pair_count(rule, frames)
        counted.append((rule, n))
        if len(rule) > 1 and alone & set(rule):
            continue  # a key of it already blocks alone: its pairs are all there
        if n > budget or len(plan.predict) >= MAX_RULES:
            plan.dropped.append((rule, n))
        elif n > 0:
            plan.predict.append((rule, n))
            if len(rule) == 1:
                alone.add(rule[0])
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
