"""One seeded block of households: members, birth dates and ID numbers, names, health,
poverty, activity and incomes."""

from __future__ import annotations

import numpy as np
import polars as pl

from .frames import _Frames
from .tables import (
    _GIVEN_INDEX,
    _ITEMS,
    _MOBILE,
    _SINGLE_PARENT,
    _TYPES,
    _URBAN_COMMUNITIES,
    _VILLAGES,
    BLOCK,
    DISABILITY_GRADE_WEIGHTS,
    DISABILITY_KINDS,
    DISABILITY_WEIGHTS,
    EMPLOYMENT_COST_RATE,
    ILLNESSES,
    PERSON_SCHEMA,
    POOR_TARGET,
    SIZE_P,
    SURNAME_P,
    SURNAMES,
    Chunk,
    E,
    R,
    _cents,
    _group_first,
    _lognormal,
)


class _Generator(_Frames):
    def __init__(self, *, towns, seed, as_of, standards, city_name):
        if not towns:
            raise ValueError("no towns: the policy file declares none")
        self.towns = list(towns)
        self.seed = int(seed)
        self.as_of = as_of
        self.standards = standards
        self.city_name = city_name
        setup = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(2**31,)))
        urban = np.array([t.urban for t in self.towns])
        # Streets are more populous than rural towns: about two thirds live in streets.
        w = np.where(urban, 2.4, 1.0) * setup.uniform(0.75, 1.25, len(self.towns))
        self.town_p = w / w.sum()
        self.town_urban = urban
        self.town_name = [t.name for t in self.towns]
        self.town_division = [t.division_code for t in self.towns]
        self.town_county = np.array([int(t.division_code[:6]) for t in self.towns], dtype=np.int64)
        # Communities of each town: residents' committees (0xx) in streets, villages (2xx) in
        # rural towns, flattened with an offset per town.
        names: list[str] = []
        codes: list[str] = []
        offsets: list[int] = []
        counts: list[int] = []
        for t in self.towns:
            pool, suffix, base = (_URBAN_COMMUNITIES, "社区", 1) if t.urban else (_VILLAGES, "村", 201)
            k = int(setup.integers(8, 17) if t.urban else setup.integers(10, 21))
            offsets.append(len(names))
            counts.append(k)
            for i, pick in enumerate(setup.choice(len(pool), size=k, replace=False)):
                names.append(pool[pick] + suffix)
                codes.append(f"{base + i:03d}")
        self.comm_name, self.comm_code = names, codes
        self.comm_offset, self.comm_count = np.array(offsets), np.array(counts)
        self.household_seq = np.zeros(len(self.towns), dtype=np.int64)
        self.epoch = np.datetime64("1890-01-01")
        n_days = int((np.datetime64(as_of, "D") - self.epoch) // np.timedelta64(1, "D")) + 1
        self.id_counters = {c: np.zeros(n_days * 2, dtype=np.int64) for c in set(self.town_county.tolist())}
        self.type_size = np.array([t[0] for t in _TYPES])
        self.next_person = 0

    def block(self, b: int, n: int, first: int) -> Chunk:
        """Households ``first`` … ``first + n - 1``, drawn from the Generator of block ``b``."""
        rng = np.random.default_rng(np.random.SeedSequence(self.seed, spawn_key=(b,)))
        town = rng.choice(len(self.towns), size=BLOCK, p=self.town_p)[:n]
        urban = self.town_urban[town]
        sizes = {u: rng.choice(np.arange(1, 7), size=BLOCK, p=SIZE_P[u])[:n] for u in (True, False)}
        size = np.where(urban, sizes[True], sizes[False])
        htype = np.zeros(n, dtype=np.int64)
        u = rng.random(BLOCK)[:n]
        for s in range(1, 7):
            idx = np.flatnonzero(self.type_size == s)
            cum = np.cumsum([_TYPES[i][1] for i in idx])
            pick = np.searchsorted(cum / cum[-1], u, side="right").clip(max=len(idx) - 1)
            htype = np.where(size == s, idx[pick], htype)
        p = self._members(rng, htype)
        m = len(p["hh"])
        p["idx"] = self.next_person + np.arange(m, dtype=np.int64)
        self.next_person += m
        p["town"], p["urban"] = town[p["hh"]], urban[p["hh"]]
        p["size"] = np.bincount(p["hh"], minlength=n)[p["hh"]]
        self._birth_and_ids(p)
        self._names_and_phones(rng, p)
        self._health(rng, p)
        poor = self._poverty(rng, p, n, htype, urban)
        p["poor"] = poor[p["hh"]]
        self._activity(rng, p)
        incomes = self._incomes(rng, p, n, urban)
        persons = self._person_frame(p, first)
        assets, dwelling = self._assets(rng, p, n, urban, poor, first)
        households = self._households(rng, p, persons, n, town, urban, first, dwelling)
        return Chunk(households, persons.select(list(PERSON_SCHEMA)), incomes, assets)

    def _members(self, rng, htype) -> dict:
        """Relation, age and gender of every member, grouped by household, head first."""
        n = len(htype)
        parts = []
        for t, (_size, _w, (lo, hi), shape, male_p, others) in enumerate(_TYPES):
            h = np.flatnonzero(htype == t)
            k = len(h)
            x = rng.beta(1.0, 1.9, k) if shape == "old" else rng.random(k)
            head_age = lo + (hi - lo) * x
            head_male = rng.random(k) < male_p
            parts.append((h, 0, R["head"], head_age, head_male))
            n_parents = others.count("parent")
            for slot, rel in enumerate(others, start=1):
                if rel == "spouse":
                    age = np.clip(head_age - rng.normal(1.5, 3.0, k), 18, 100)
                    male = ~head_male
                elif rel in ("child", "other", "grandchild"):
                    gap_lo, gap_hi = (44, 62) if rel == "grandchild" else (20 if rel == "child" else 22, 38)
                    top = np.minimum(gap_hi, head_age - 0.01)
                    low = np.minimum(gap_lo, top)
                    age = head_age - (low + (top - low) * rng.random(k))
                    male = rng.random(k) < {"child": 0.515, "other": 0.2, "grandchild": 0.52}[rel]
                else:  # parent: with two, a father and a mother; alone, more often a mother
                    age = np.minimum(head_age + rng.uniform(22, 34, k), 100 - rng.random(k) * 4)
                    if n_parents == 2:
                        male = np.full(k, others.index("parent") == slot - 1)
                    else:
                        male = rng.random(k) < 0.35
                parts.append((h, slot, R[rel], age, male))
        hh = np.concatenate([q[0] for q in parts])
        slots = np.concatenate([np.full(len(q[0]), q[1]) for q in parts])
        order = np.lexsort((slots, hh))
        out = {
            "hh": hh[order],
            "relation": np.concatenate([np.full(len(q[0]), q[2]) for q in parts])[order],
            "age_years": np.clip(np.concatenate([q[3] for q in parts])[order], 0, 104.5),
            "male": np.concatenate([q[4] for q in parts])[order].astype(bool),
        }
        out["head_row"] = np.searchsorted(out["hh"], np.arange(n))
        out["htype"] = htype[out["hh"]]
        return out

    def _birth_and_ids(self, p) -> None:
        birth = np.datetime64(self.as_of, "D") - np.floor(p["age_years"] * 365.2425).astype(np.int64)
        y = birth.astype("datetime64[Y]").astype(np.int64) + 1970
        mo = (birth.astype("datetime64[M]") - birth.astype("datetime64[Y]")).astype(np.int64) + 1
        d = (birth - birth.astype("datetime64[M]")).astype(np.int64) + 1
        a = self.as_of
        p["birth"] = birth
        p["age"] = a.year - y - ((a.month < mo) | ((a.month == mo) & (a.day < d)))
        # Age on 1 September of the school year (school stages go by it).
        sy = a.year if a.month >= 9 else a.year - 1
        p["school_age"] = sy - y - ((mo > 9) | ((mo == 9) & (d > 1)))
        # Sequence: a counter per (county, birth date, gender) carried over the whole run.
        county = self.town_county[p["town"]]
        seq = np.zeros(len(birth), dtype=np.int64)
        for c, counter in self.id_counters.items():
            rows = np.flatnonzero(county == c)
            if not len(rows):
                continue
            key = (birth[rows] - self.epoch).astype(np.int64) * 2 + p["male"][rows]
            order = np.argsort(key, kind="stable")
            ks = key[order]
            starts = np.r_[0, np.flatnonzero(ks[1:] != ks[:-1]) + 1]
            rank = np.arange(len(ks)) - np.repeat(starts, np.diff(np.r_[starts, len(ks)]))
            seq[rows[order]] = counter[ks] + rank
            np.add.at(counter, ks, 1)
        if seq.max(initial=0) >= 499:
            raise ValueError("more than 499 persons of one gender born on one day in one county")
        body = county * 10**11 + (y * 10000 + mo * 100 + d) * 1000 + seq * 2 + np.where(p["male"], 1, 2)
        weights = np.array((7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2), dtype=np.int64)
        digits = (body[:, None] // 10 ** np.arange(16, -1, -1, dtype=np.int64)) % 10
        p["id_body"] = body
        p["id_check"] = (digits @ weights) % 11

    def _names_and_phones(self, rng, p) -> None:
        m, rel = len(p["hh"]), p["relation"]
        own = rng.choice(len(SURNAMES), size=m, p=SURNAME_P)
        head_surname = own[p["head_row"][p["hh"]]]
        u = rng.random(m)
        inherit = (
            (np.isin(rel, (R["child"], R["grandchild"])) & (u < 0.9))
            | ((rel == R["parent"]) & p["male"])
            | (rel == R["sibling"])
        )
        p["surname"] = np.where(inherit, head_surname, own)
        young = p["birth"] >= np.datetime64("1985-01-01")
        two = rng.random(m) < np.where(young, 0.85, 0.7)
        c1, c2 = rng.random(m), rng.random(m)
        given1 = np.zeros(m, dtype=np.int64)
        given2 = np.zeros(m, dtype=np.int64)
        for (g, era), arr in _GIVEN_INDEX.items():
            rows = np.flatnonzero((p["male"] == (g == "M")) & (young == (era == "young")))
            # The first characters of each list are the commoner ones.
            given1[rows] = arr[(len(arr) * c1[rows] ** 1.6).astype(np.int64)]
            given2[rows] = arr[(len(arr) * c2[rows] ** 1.3).astype(np.int64)]
        p["given1"], p["given2"] = given1, np.where(two, given2, 0)
        age = p["age"]
        p["has_phone"] = (age >= 14) & (rng.random(m) < np.where(age >= 80, 0.55, 0.93))
        p["phone_prefix"] = rng.integers(0, len(_MOBILE), m)
        p["phone_rest"] = rng.integers(0, 10**8, m)

    def _health(self, rng, p) -> None:
        m, age = len(p["hh"]), p["age"]
        dis_p = np.select(
            [age < 15, age < 45, age < 60, age < 70, age < 80], [0.013, 0.038, 0.07, 0.11, 0.16], 0.27
        )
        disabled = rng.random(m) < dis_p
        kind = rng.choice(len(DISABILITY_KINDS), size=m, p=DISABILITY_WEIGHTS)
        grade = rng.choice(4, size=m, p=DISABILITY_GRADE_WEIGHTS) + 1
        p["disability_kind"] = np.where(disabled, kind, 0)
        p["disability_grade"] = np.where(disabled, grade, 0)  # 0: none
        ill = rng.random(m) < np.select([age < 15, age < 45, age < 60], [0.004, 0.006, 0.018], 0.036)
        illness = rng.choice(len(ILLNESSES), size=m, p=[w for _, w in ILLNESSES])
        p["illness"] = np.where(ill, illness + 1, 0)  # 0: none
        severe = disabled & (grade <= 2)
        # Self-care (0 full, 1 partly, 2 not at all): the worst of age, disability, illness.
        u = rng.random((3, m))
        by_age = np.select(
            [age >= 80, age >= 60], [np.digitize(u[0], [0.68, 0.9]), np.digitize(u[0], [0.91, 0.98])], 0
        )
        by_dis = np.select(
            [disabled & (grade == 1), disabled & (grade == 2), disabled & (grade == 3)],
            [np.digitize(u[1], [0.25, 0.65]), np.digitize(u[1], [0.5, 0.88]), np.digitize(u[1], [0.85])],
            0,
        )
        by_ill = np.where(ill, np.digitize(u[2], [0.67, 0.92]), 0)
        p["self_care"] = np.maximum(np.maximum(by_age, by_dis), by_ill)
        # Labour capacity (0 full, 1 partly lost, 2 none): age, disability, illness.
        labour = np.select([age < 16, age >= 70, age >= 60], [2, 2, 1], 0)
        labour = np.maximum(labour, np.where(severe, 2, np.where(disabled, 1, 0)))
        labour = np.maximum(labour, np.where(ill, np.where(rng.random(m) < 0.5, 2, 1), 0))
        p["labour"] = np.maximum(labour, np.where(p["self_care"] == 2, 2, 0))
        p["severe"] = severe

    def _poverty(self, rng, p, n, htype, urban) -> np.ndarray:
        """Which households live below the dibao standard: a risk score per household, scaled
        so that the expected share of the block's persons in them is POOR_TARGET."""
        hh = p["hh"]
        size = np.bincount(hh, minlength=n)
        elderly_only = np.bincount(hh, weights=p["age"] < 60, minlength=n) == 0
        severe = np.bincount(hh, weights=p["severe"], minlength=n) > 0
        ill = np.bincount(hh, weights=p["illness"] > 0, minlength=n) > 0
        risk = (
            np.where(urban, 1.0, 1.7)
            * np.where(elderly_only, 2.2, 1.0)
            * np.where(severe, 3.5, 1.0)
            * np.where(ill, 3.5, 1.0)
            * np.where(np.isin(htype, list(_SINGLE_PARENT)), 3.0, 1.0)
            * np.where(size >= 5, 0.7, 1.0)
        )
        prob = risk * (POOR_TARGET * size.sum() / (risk * size).sum())
        return rng.random(n) < np.minimum(prob, 0.9)

    def _activity(self, rng, p) -> None:
        """School stage, employment status and whether a capable supporter exists."""
        m, age, sa, poor, urban = len(p["hh"]), p["age"], p["school_age"], p["poor"], p["urban"]
        u = rng.random(m)
        school = np.select(
            [
                (sa >= 3) & (sa <= 5) & (u < 0.9),
                (sa >= 6) & (sa <= 11) & (u < 0.995),
                (sa >= 12) & (sa <= 14) & (u < 0.99),
                (sa >= 15) & (sa <= 17) & (u < 0.56),
                (sa >= 15) & (sa <= 17) & (u < 0.93),
                (sa >= 18) & (sa <= 21) & (u < np.where(urban, 0.62, 0.45)),
                (sa >= 22) & (sa <= 24) & (u < 0.07),
            ],
            [1, 2, 3, 4, 5, 6, 7],
            0,
        )
        # Severe intellectual, mental or multiple disability: out of school after 15.
        p["school"] = np.where(p["severe"] & (p["disability_kind"] >= 5) & (sa >= 15), 0, school)
        retire_age = np.where(p["male"], 60, 55)
        u = rng.random(m)
        work = np.where(
            poor,
            np.digitize(u, np.cumsum([0.06, 0.34, 0.38])),
            np.where(
                urban,
                np.digitize(u, np.cumsum([0.74, 0.12, 0.05])),
                np.digitize(u, np.cumsum([0.42, 0.42, 0.04])),
            ),
        )  # 0 employed, 1 flexible, 2 unemployed, 3 none
        work = np.where(work == 3, E["none"], work)
        old = np.where(
            poor,
            np.select([u < 0.08, (u < 0.13) & (age < 70)], [E["retired"], E["flexible"]], E["none"]),
            np.where(
                urban,
                np.select([u < 0.88, (u < 0.96) & (age < 70)], [E["retired"], E["employed"]], E["none"]),
                np.select([u < 0.22, (u < 0.42) & (age < 75)], [E["retired"], E["flexible"]], E["none"]),
            ),
        )
        status = np.select([age >= retire_age, age >= 16], [old, work], E["none"])
        status = np.where(p["school"] >= 2, E["student"], status)
        unable = (p["labour"] == 2) & ~np.isin(status, (E["retired"], E["student"]))
        p["employment"] = np.where(unable, E["none"], status)
        alone = p["size"] == 1
        p["supporter"] = ~(alone & ((age >= 60) | p["severe"]) & (rng.random(m) < 0.3))

    def _incomes(self, rng, p, n, urban) -> pl.DataFrame:
        m, st, age, hh, head = len(p["hh"]), p["employment"], p["age"], p["hh"], p["head_row"]
        pu, poor_p = p["urban"], p["poor"]
        poor = np.zeros(n, dtype=bool)
        poor[hh] = poor_p
        std = np.where(urban, self.standards["urban"], self.standards["rural"]).astype(float)
        size = np.bincount(hh, minlength=n)
        emp, flex, retired = st == E["employed"], st == E["flexible"], st == E["retired"]
        it = {k: np.zeros(m) for k in _ITEMS}
        shop = flex & pu & (rng.random(m) < 0.25)
        side_job = flex & ~pu & (rng.random(m) < 0.3)
        it["wages"] = (
            np.where(emp, _lognormal(rng, np.where(pu, 5800, 4200), 0.45, m), 0)
            + np.where(flex & pu & ~shop, _lognormal(rng, 3500, 0.5, m), 0)
            + np.where(side_job, _lognormal(rng, 1500, 0.5, m), 0)
        )
        it["business"] = np.where(shop, _lognormal(rng, 4500, 0.6, m), 0) + np.where(
            flex & ~pu, _lognormal(rng, 2600, 0.6, m), 0
        )
        benefit = (st == E["unemployed"]) & (rng.random(m) < 0.35)
        support = (age >= 60) & ~retired & (rng.random(m) < 0.45)
        it["transfer"] = (
            np.where(benefit, _lognormal(rng, 1850, 0.15, m), 0)
            + np.where(retired, _lognormal(rng, np.where(pu, 3600, 2600), 0.3, m), 0)
            + np.where(support, _lognormal(rng, 800, 0.5, m), 0)
        )
        rent = ~poor & (rng.random(n) < 0.07)
        it["property"][head] = np.where(rent, _lognormal(rng, 1800, 0.5, n), 0)
        # A poor household: its counted income is a share of the standard, spread over its
        # adults as low wages, a little farming, or support from relatives.
        share = np.where(rng.random(n) < 0.1, 0.0, rng.beta(2.0, 1.5, n) * 0.95)
        adult = (age >= 16) & (st != E["student"])
        weight = np.where(adult, rng.exponential(1.0, m), 0)
        weight[head] = np.where(weight[head] > 0, weight[head], 1.0)
        amount = (share * std * size)[hh] * weight / np.bincount(hh, weights=weight, minlength=n)[hh]
        for k in ("wages", "business", "transfer", "property"):
            it[k] = np.where(poor_p, 0.0, it[k])
        it["wages"] += np.where(poor_p & (emp | (flex & pu)), amount, 0)
        it["business"] += np.where(poor_p & flex & ~pu, amount, 0)
        it["transfer"] += np.where(poor_p & ~emp & ~flex, amount, 0)
        cents = {k: _cents(v) for k, v in it.items()}
        # A household that is not poor is not below the standard either: what it lacks comes
        # from more work (the first earner's wages) or from relatives.
        counted = self._counted(cents, hh, n)
        short = ~poor & (counted < std * size * 102)
        gap = np.where(short, std * size * rng.uniform(1.03, 2.2, n) - counted / 100, 0)
        first_earner = _group_first(np.where(emp | flex, np.arange(m), m), head, m)
        to_wage = short & (first_earner < m)
        cents["wages"][first_earner[to_wage]] += _cents(gap[to_wage] / (1 - EMPLOYMENT_COST_RATE))
        to_relatives = short & (first_earner >= m)
        cents["relatives"][head[to_relatives]] += _cents(gap[to_relatives])
        # Kinds that are not counted.
        cents["pension_basic"] = _cents(
            np.where((age >= 60) & ~retired, _lognormal(rng, np.where(pu, 560, 260), 0.15, m), 0)
        )
        cents["special_care"] = _cents(
            np.where((age >= 50) & (rng.random(m) < 0.004), _lognormal(rng, 1500, 0.3, m), 0)
        )
        cents["family_planning"] = _cents(np.where(~pu & (age >= 60) & (rng.random(m) < 0.12), 100.0, 0))
        cents["award"] = _cents(
            np.where((p["school"] >= 6) & (rng.random(m) < 0.04), rng.uniform(300, 700, m), 0)
        )
        cents["disability_allowance"] = _cents(np.where(p["severe"], _lognormal(rng, 150, 0.2, m), 0))
        # Most poor households already receive dibao (the gap to the standard, to the head);
        # the others are the omissions that proactive discovery looks for.
        counted = self._counted(cents, hh, n)
        on_dibao = poor & (rng.random(n) < 0.6)
        cents["dibao"][head[on_dibao]] = (np.ceil(np.maximum(std * size - counted / 100, 0)) * 100)[
            on_dibao
        ].astype(np.int64)
        return self._income_frame(p, cents)
