"""What to compare and how: ``Compare(column, kind)``, the kinds' settings data
(``settings/kinds.v7.yaml``), the Splink comparisons built from them, and the blocking keys.

Internally the i-th compare works on derived columns named ``c{i}_{derived}`` (``c0_py``,
``c1_k17`` …), so user column names (Chinese, with spaces, SQL keywords) never reach SQL.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

SETTINGS_DIR = Path(__file__).with_name("settings")
KINDS_FILE = SETTINGS_DIR / "kinds.v7.yaml"
KINDS = ("name", "id", "date", "address", "phone", "postcode", "exact", "text")


class LinkageError(ValueError):
    """A problem with the caller's input (missing column, unknown kind, bad file) — the
    message says what and is meant to be shown as it is."""


@dataclass(frozen=True)
class Compare:
    """Compare ``column`` of two records as a ``kind``:

    - ``name``: person names, Chinese or not — exact, pinyin-equal (homophones 张伟/章伟),
      similar-shape character (王/玉), reordered tokens, one character different, a given-name
      character added or dropped (张伟/张文伟), similar pinyin.
    - ``id``: identity numbers — exact (15 digits upgraded to 18), check character only,
      two valid different numbers (never the same person),
      one edit on the whole number (check character in place), first 17 digits one off /
      adjacent digits swapped / one dropped, same birth-date segment.
    - ``date``: exact, one digit off, day and month swapped, same month, same year.
    - ``address``: exact, very similar, three or more parts in common, similar.
    - ``phone``: exact, same last 8 digits, one digit off, same last 4.
    - ``postcode``: exact, same first 4.  ``exact``: equal or not.  ``text``: exact / similar.

    ``right`` names the column on the right-hand side of ``link`` when it differs.
    """

    column: str
    kind: str
    right: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise LinkageError(
                f"unknown kind {self.kind!r} for column {self.column!r}; kinds are: {', '.join(KINDS)}"
            )

    @classmethod
    def parse(cls, spec: str) -> Compare:
        """``"COL:KIND"`` (the CLI form); the column may itself contain colons."""
        column, sep, kind = spec.rpartition(":")
        if not sep or not column:
            raise LinkageError(f"--compare {spec!r}: expected COLUMN:KIND, KIND one of {', '.join(KINDS)}")
        return cls(column, kind.strip().lower())


@cache
def load_kinds(path: str | Path = KINDS_FILE) -> dict[str, Any]:
    """The kinds' settings data (``kinds``: levels with priors and blocking keys; ``fuse``:
    groups of kinds compared as one), checked."""
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    return check_settings(data, str(path))


def check_settings(data: dict, where: str = "settings") -> dict[str, Any]:
    path = where
    kinds = data.get("kinds") or {}
    for kind in KINDS:
        spec = kinds.get(kind)
        if not spec or not spec.get("levels"):
            raise LinkageError(f"{path}: kind {kind!r} has no levels")
        if not spec["levels"][-1].get("else"):
            raise LinkageError(f"{path}: the last level of kind {kind!r} must be `else: true`")
        for key in spec.get("keys") or {}:
            if key not in spec["columns"]:
                raise LinkageError(f"{path}: key {key!r} of kind {kind!r} is not one of its columns")
    return {"kinds": kinds, "fuse": data.get("fuse") or []}


def settings_from(settings: str | Path | dict | None) -> dict[str, Any]:
    """The settings data: the bundled file by default, another file's path, or a dict."""
    if settings is None:
        return load_kinds()
    if isinstance(settings, dict):
        return check_settings(settings)
    return load_kinds(str(settings))


def col(i: int, derived: str) -> str:
    """The internal name of compare ``i``'s derived column."""
    return f"c{i}_{derived}"


def _level(spec: dict, i: int, kind_spec: dict):
    from splink import comparison_level_library as cll

    def c(name: str) -> str:
        if name not in kind_spec["columns"]:
            raise LinkageError(f"level uses {name!r}, not a derived column of this kind")
        return col(i, name)

    if "exact" in spec:
        return cll.ExactMatchLevel(c(spec["exact"]), term_frequency_adjustments=bool(spec.get("tf")))
    if "levenshtein" in spec:
        name, k = spec["levenshtein"]
        return cll.LevenshteinLevel(c(name), k)
    if "damerau_levenshtein" in spec:
        name, k = spec["damerau_levenshtein"]
        return cll.DamerauLevenshteinLevel(c(name), k)
    if "jaro_winkler" in spec:
        name, t = spec["jaro_winkler"]
        return cll.JaroWinklerLevel(c(name), t)
    if "intersect" in spec:
        name, k = spec["intersect"]
        return cll.ArrayIntersectLevel(c(name), k)
    if "sql" in spec:
        sql = spec["sql"].format(**{name: col(i, name) for name in kind_spec["columns"]})
        return cll.CustomLevel(sql)
    if "any" in spec:
        return cll.Or(*(_level(s, i, kind_spec) for s in spec["any"]))
    if "all" in spec:
        return cll.And(*(_level(s, i, kind_spec) for s in spec["all"]))
    if spec.get("else"):
        return cll.ElseLevel()
    raise LinkageError(f"cannot read level {spec!r}")


def active_levels(kind_spec: dict, kinds_present: set[str]) -> list[dict]:
    """The kind's levels, less those marked ``unless_kind`` of a kind that is compared too."""
    return [s for s in kind_spec["levels"] if s.get("unless_kind") not in kinds_present]


def _configured(level, spec: dict, priors: bool):
    conf: dict[str, Any] = {"label_for_charts": spec.get("label")}
    if priors and "m" in spec:
        conf.update(m_probability=float(spec["m"]), u_probability=float(spec["u"]))
    if spec.get("fix_m"):
        conf.update(m_probability=float(spec["m"]), fix_m_probability=True)
    if spec.get("fix_u"):
        conf.update(u_probability=float(spec["u"]), fix_u_probability=True)
    return level.configure(**conf)


@dataclass
class Built:
    """A Splink comparison with the name its ``<name>__level`` detail column gets and the
    labels of its gamma values."""

    comparison: Any
    name: str
    gamma: str
    labels: dict[int, str]
    specs: list[dict] | None = None  # a single compare's level specs, most alike first


def _labels(specs: list[dict]) -> dict[int, str]:
    top = len(specs) - 1  # Splink numbers levels from the else level (0) up; null is -1
    return {-1: "缺失", **{top - k: s.get("label", "") for k, s in enumerate(specs)}}


def _single(i: int, compare: Compare, kind_spec: dict, kinds_present: set[str], priors: bool) -> Built:
    from splink import comparison_level_library as cll
    from splink import comparison_library as cl

    specs = active_levels(kind_spec, kinds_present)
    levels: list[Any] = [cll.NullLevel(col(i, kind_spec["columns"][0]))]  # as in build() below
    levels += [_configured(_level(spec, i, kind_spec), spec, priors) for spec in specs]
    comparison = cl.CustomComparison(
        levels, output_column_name=f"c{i}", comparison_description=f"{compare.column} ({compare.kind})"
    )
    return Built(comparison, compare.column, f"gamma_c{i}", _labels(specs), specs)


def _fused(members: dict[str, int], compares: list[Compare], doc: dict, spec: dict, priors: bool) -> Built:
    """One comparison over several compares whose agreement is correlated (a household
    shares its phone and address): counting them separately would add the same evidence
    twice. A member reference ``{phone: [0, 1]}`` holds when that compare is at one of its
    levels 0 or 1."""
    from splink import comparison_level_library as cll
    from splink import comparison_library as cl

    kinds = doc["kinds"]

    def member(ref: dict):
        ((kind, indexes),) = ref.items()
        i = members[kind]
        own = kinds[kind]["levels"]
        return cll.Or(*(_level(own[k], i, kinds[kind]) for k in indexes))

    def present(refs: list[dict]) -> list[dict]:
        return [r for r in refs if next(iter(r)) in members]

    def build(level_spec: dict):
        if "all" in level_spec:
            return cll.And(*(member(r) for r in present(level_spec["all"])))
        if "any" in level_spec:
            return cll.Or(*(member(r) for r in present(level_spec["any"])))
        return cll.ElseLevel()

    specs = [
        s
        for s in spec["levels"]
        if s.get("else")
        or (len(present(s["all"])) == len(s["all"]) if "all" in s else present(s.get("any", [])))
    ]

    nulls = " AND ".join(
        f'("{col(i, kinds[k]["columns"][0])}_l" IS NULL OR "{col(i, kinds[k]["columns"][0])}_r" IS NULL)'
        for k, i in members.items()
    )
    # splink types the parameter as an invariant list of creators or dicts
    levels: list[Any] = [cll.CustomLevel(nulls, "缺失").configure(is_null_level=True)]
    levels += [_configured(build(s), s, priors) for s in specs]
    indexes = sorted(members.values())
    name = "+".join(compares[i].column for i in indexes)
    out = "c" + "_".join(str(i) for i in indexes)
    comparison = cl.CustomComparison(
        levels, output_column_name=out, comparison_description=spec.get("label", name)
    )
    return Built(comparison, name, f"gamma_{out}", _labels(specs))


def build_comparisons(compares: list[Compare], doc: dict, *, priors: bool = True) -> list[Built]:
    """The Splink comparisons: one per compare, except that compares of a ``fuse`` group of
    the settings (the first of each kind) become one comparison when two or more are there."""
    kinds_present = {c.kind for c in compares}
    fused_into: dict[int, dict] = {}
    for spec in doc.get("fuse") or []:
        members: dict[str, int] = {}
        for i, c in enumerate(compares):
            if c.kind in spec["kinds"] and c.kind not in members and i not in fused_into:
                members[c.kind] = i
        if len(members) >= 2:
            for i in members.values():
                fused_into[i] = {"spec": spec, "members": members}
    built: list[Built] = []
    done: set[int] = set()
    for i, c in enumerate(compares):
        if i in done:
            continue
        if i in fused_into:
            group = fused_into[i]
            built.append(_fused(group["members"], compares, doc, group["spec"], priors))
            done.update(group["members"].values())
        else:
            built.append(_single(i, c, doc["kinds"][c.kind], kinds_present, priors))
    return built


@dataclass(frozen=True)
class Key:
    """A blocking key: compare ``index``'s derived column ``derived``."""

    index: int
    derived: str
    strength: str  # strong | medium | weak
    em: bool | str  # True, False or "fallback" (only for compares nothing else trains)
    topic: str | None = None  # keys about one fact (a birth date) are not paired

    @property
    def column(self) -> str:
        return col(self.index, self.derived)


def blocking_keys(compares: list[Compare], kinds: dict[str, dict]) -> list[Key]:
    keys = []
    for i, compare in enumerate(compares):
        for derived, spec in (kinds[compare.kind].get("keys") or {}).items():
            keys.append(Key(i, derived, spec["strength"], spec.get("em", False), spec.get("topic")))
    return keys


def candidate_rules(keys: list[Key]) -> list[tuple[Key, ...]]:
    """Blocking rules in order of preference: strong keys alone; medium keys alone; a medium
    key with another compare's medium or weak key; two weak keys of different compares.
    The engine keeps those whose pair count fits its budget."""
    ordered = sorted(keys, key=lambda k: (k.index, k.derived))
    medium = [k for k in ordered if k.strength == "medium"]
    weak = [k for k in ordered if k.strength == "weak"]
    rules: list[tuple[Key, ...]] = [(k,) for k in ordered if k.strength == "strong"]
    rules.extend((k,) for k in medium)

    def add(a: Key, b: Key) -> None:
        rule = (a, b) if (a.index, a.derived) < (b.index, b.derived) else (b, a)
        same_topic = a.topic is not None and a.topic == b.topic
        if a.index != b.index and not same_topic and rule not in rules:
            rules.append(rule)

    for a in medium:
        for b in medium + weak:
            add(a, b)
    for a in weak:
        for b in weak:
            add(a, b)
    return rules
