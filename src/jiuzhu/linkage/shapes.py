"""Similar-shape characters (形近字), derived from a character table shipped in a package.

The table ``settings/shapes.v1.txt`` is made by this module from the data files of the
``char-similar`` wheel (Apache-2.0; its four-corner codes ``char_fourangle.dict``, its
two-part decompositions ``char_stroke.dict`` and its stroke orders ``char_order.dict``),
fetched with ``pip download --no-deps char-similar==0.0.2`` — the package is not a
dependency of the project, only the derived table is shipped::

    uv run python -m jiuzhu.linkage.shapes path/to/char_similar-0.0.2-py2.py3-none-any.whl

Two different characters of GB 2312 (the characters of names in practice; 肜 and 彤 both
are) are similar in shape when

- their four-corner codes agree on the four corners and their stroke orders differ by at
  most one stroke (two from eight strokes on): 王 / 玉, 未 / 末, 己 / 已; not 倩 / 伟 nor
  志 / 杰, whose corners agree, or
- their two-part decompositions (of the same layout: left-right, top-bottom …) share a
  part in the same place, and either their stroke orders differ by at most two strokes
  (one below eight strokes) or the shared part is the larger one and the other parts'
  stroke counts are at most two apart: 倩 亻青 / 情 忄青, 彤 丹彡 / 肜 月彡, 辉 / 晖; not
  伟 / 伦, whose right parts are written differently, nor 伟 / 仁, or
- their stroke orders (four strokes or more) differ by one stroke: 午 / 牛, 王 / 主.

Not derivable this way: 冯 / 凭 (冫马 and 任几 share no part; their likeness is that of the
traditional forms 馮 / 憑).

Each line of the table is a character followed by the characters similar to it.
"""

from __future__ import annotations

import json
import sys
import zipfile
from collections import defaultdict
from functools import cache
from pathlib import Path

from .comparisons import SETTINGS_DIR

SHAPES_FILE = SETTINGS_DIR / "shapes.v1.txt"
MAX_STROKE_EDITS = 2  # between characters of LONG_ORDER strokes or more; one below
LONG_ORDER = 8
MIN_ORDER = 4  # shorter stroke orders (人, 八, 入 …) are one stroke from too many others


def _levenshtein(a: str, b: str, cap: int) -> int:
    if abs(len(a) - len(b)) > cap:
        return cap + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > cap:
            return cap + 1
        previous = current
    return previous[-1]


def _in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return "\u4e00" <= ch <= "\u9fff"


def _close_order(a: str, b: str) -> bool:
    cap = MAX_STROKE_EDITS if min(len(a), len(b)) >= LONG_ORDER else 1
    return _levenshtein(a, b, cap) <= cap


def derive(
    corners: dict[str, str], parts: dict[str, list], orders: dict[str, str], layouts: dict[str, str]
) -> dict[str, set[str]]:
    """Character → the characters similar to it in shape (symmetric, never itself)."""
    chars = sorted(c for c in set(corners) | set(parts) | set(orders) if _in_gb2312(c))
    similar: dict[str, set[str]] = defaultdict(set)

    def pair(a: str, b: str) -> None:
        if a != b:
            similar[a].add(b)
            similar[b].add(a)

    def strokes(c: str) -> int:
        return len(orders.get(c) or "")

    # 1. Four corners alike and stroke orders close (not 志 / 杰, both 4033).
    by_corners: dict[str, list[str]] = defaultdict(list)
    for c in chars:
        code = corners.get(c) or ""
        if len(code) >= 4 and strokes(c):
            by_corners[code[:4]].append(c)
    for group in by_corners.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if _close_order(orders[a], orders[b]):
                    pair(a, b)
    # 2. A part shared in the same place, and either the stroke orders close or the shared
    #    part the larger one with the other parts' stroke counts at most two apart.
    by_part: dict[tuple[str, int, str], list[str]] = defaultdict(list)
    for c in chars:
        split = parts.get(c) or []
        if len(split) == 2:
            for place, part in enumerate(split):
                by_part[(layouts.get(c, ""), place, part)].append(c)
    for (_layout, place, _part), group in by_part.items():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                oa, ob = orders.get(a), orders.get(b)
                if not oa or not ob:
                    continue
                # a part is listed in its full form (人 for 亻): the shared part's strokes are
                # what the other part leaves of the character
                ra, rb = strokes(parts[a][1 - place]), strokes(parts[b][1 - place])
                shared = min(len(oa) - ra, len(ob) - rb)
                dominant = ra and rb and shared >= max(ra, rb) and abs(ra - rb) <= 2
                if dominant or _close_order(oa, ob):
                    pair(a, b)
    # 3. Stroke orders at most one stroke apart (午/牛, 王/主, 贝/见, 平/乎), four or more
    #    strokes each.
    by_deletion: dict[str, list[str]] = defaultdict(list)
    for c in chars:
        order = orders.get(c) or ""
        if len(order) >= MIN_ORDER:
            for key in {order, *(order[:k] + order[k + 1 :] for k in range(len(order)))}:
                by_deletion[key].append(c)
    for group in by_deletion.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if b not in similar[a] and _levenshtein(orders[a], orders[b], 1) <= 1:
                    pair(a, b)
    return similar


def build(wheel: str | Path, out: Path = SHAPES_FILE) -> int:
    with zipfile.ZipFile(wheel) as z:

        def load(name: str) -> dict:
            return json.loads(z.read(f"char_similar/data/{name}").decode("utf-8"))

        similar = derive(
            load("char_fourangle.dict"),
            load("char_stroke.dict"),
            load("char_order.dict"),
            load("char_struct.dict"),
        )
    lines = [
        "# Similar-shape characters (形近字), version 1: made by jiuzhu.linkage.shapes from the",
        f"# wheel {Path(wheel).name} (Apache-2.0): four corners alike with close stroke",
        "# orders; a part of a two-part character shared in the same place; stroke orders one",
        "# stroke apart (details: the module's docstring). Do not edit by hand:",
        "# rebuild it with the module.",
    ]
    lines += [c + "".join(sorted(similar[c])) for c in sorted(similar) if similar[c]]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines) - 5


@cache
def shape_table() -> dict[str, frozenset[str]]:
    """The shipped table: character → similar characters."""
    table: dict[str, frozenset[str]] = {}
    for line in SHAPES_FILE.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            table[line[0]] = frozenset(line[1:])
    return table


def similar(a: str, b: str) -> bool:
    return a != b and b in shape_table().get(a, ())


if __name__ == "__main__":
    print(f"{build(sys.argv[1])} characters written to {SHAPES_FILE}")
