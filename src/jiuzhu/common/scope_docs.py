"""The scope table (``jiuzhu.common.scope.ACTIONS``) rendered for people: the role × action grid
of docs/scope.md and the by-area page docs/scope-table.md (``uv run jiuzhu scope_table``).
Kept apart from ``scope`` so the table module holds the rows and the check only."""

from __future__ import annotations

from jiuzhu.common import masking as m
from jiuzhu.common.scope import (
    ACTIONS,
    AREAS,
    CITY,
    HANDLING,
    NONE,
    NOTES,
    PAYING,
    ROLE_WORDS,
    SCOPE_LABELS,
    TAKEN_IN,
    TOWN,
    UNIT,
    _model,
)


def table() -> list[dict]:
    """The table as rows for docs and the admin screen: action, label, scope per role."""
    return [
        {"action": action, "label": label, "scopes": {r: row.get(r, NONE) for r in m.ROLES}}
        for action, (label, row) in ACTIONS.items()
    ]


def markdown() -> str:
    """The table as docs/scope.md shows it (a test keeps the two equal)."""
    labels = dict(_model("registry.User").Role.choices)
    roles = [r for r in m.ROLES]
    head = "| 事项 (action) | " + " | ".join(f"{labels.get(r, r)} `{r}`" for r in roles) + " |"
    rule = "|" + " --- |" * (len(roles) + 1)
    rows = []
    for action, (label, row) in ACTIONS.items():
        mark = " ※" if action in HANDLING else ""
        cells = " | ".join(SCOPE_LABELS[row.get(r, NONE)] for r in roles)
        rows.append(f"| {label} `{action}`{mark} | {cells} |")
    return "\n".join([head, rule, *rows]) + "\n"


def area_of(action: str) -> str:
    prefix = action.split(".")[0]
    for title, _, prefixes in AREAS:
        if prefix in prefixes:
            return title
    raise KeyError(f"scope action {action!r} belongs to no area: add its prefix to jiuzhu.common.scope.AREAS")


def readable() -> str:
    """The table as docs/scope-table.md shows it: by area, each action with the roles that may
    do it city-wide, in their own town, or for their own unit's households (a test keeps the
    document equal to this; ``jiuzhu scope_table --write`` rewrites it)."""
    from jiuzhu.common.signin import second_factor_roles

    labels = dict(_model("registry.User").Role.choices)

    def who(row: dict, sc: str) -> str:
        return ", ".join(ROLE_WORDS[r][0] for r in m.ROLES if row.get(r, NONE) == sc) or "—"

    def marks(action: str, row: dict) -> str:
        out = ""
        if action in HANDLING:
            out += " ※"
        if action in TAKEN_IN and TOWN in row.values():
            out += " †"
        if action in PAYING and UNIT in row.values():
            out += " ‡"
        return out

    lines = [
        "# 范围表 · The scope table",
        "",
        "Who may do what, on whose records: every role check of Jiuzhu is one row of",
        "`jiuzhu.common.scope.ACTIONS`, checked by `scope.require` in services and selectors and by",
        "`scope.households_in_scope` in lists. This page is generated from that table",
        "(`uv run jiuzhu scope_table --write`); `common/tests/test_scope.py` fails when it is stale.",
        "`docs/scope.md` shows the same table as one role × action grid and explains its use.",
        "",
        "Each row names an action and, in three columns, the roles that may do it:",
        "",
        "- **city-wide (全市)** — on every household and record of the city;",
        "- **own town (本镇街)** — on the households registered in the actor's own town;",
        "- **own unit's (本单位经办)** — on the households behind the actor's unit's referrals and",
        "  entitlements (a department serves only the people referred to it or paid by it); for rows",
        "  about the unit itself (its tasks, its staff's relatives, its lists): the actor's own unit.",
        "",
        "A role not named in a row is refused (`role_not_allowed`); a named role acting outside its",
        "scope is refused too (`out_of_scope`). Both are HTTP 403 in the API with that stable code,",
        "and a Chinese message on the screens. Personal data read under these rows is masked per",
        "role (`jiuzhu.common.masking`) and every read is written to the access log.",
        "",
        "- ※ only while the unit is handling the household now (an open application at its window,",
        "  an open referral to the unit, an open case of its town), and only for a service it handles",
        "  for that household; the purpose of a verification request is that service, never free text.",
        "- † own town also covers the households its window took a request from or its unit was",
        "  referred (the request gives the town its reason).",
        "- ‡ own unit's means the payees the unit pays (an entitlement of the unit).",
        "",
        "The roles (those marked 2FA must sign in with a second factor, TOTP, when the demo",
        "setting `JIUZHU_DEMO_2FA=off` is not in force; `common.signin.second_factor_roles`):",
        "",
        "| role | 角色 | who |",
        "| --- | --- | --- |",
        *(
            f"| {ROLE_WORDS[r][0]} `{r}`{' (2FA)' if r in second_factor_roles() else ''} | {labels[r]} "
            f"| {ROLE_WORDS[r][1]} |"
            for r in m.ROLES
        ),
    ]
    for title, words, _ in AREAS:
        actions = [a for a in ACTIONS if area_of(a) == title]
        lines += ["", f"## {title}", "", words, ""]
        lines += ["| action (事项) | city-wide | own town | own unit's |", "| --- | --- | --- | --- |"]
        for action in actions:
            label, row = ACTIONS[action]
            cells = " | ".join(who(row, sc) for sc in (CITY, TOWN, UNIT))
            lines.append(f"| {label} `{action}`{marks(action, row)} | {cells} |")
        notes = [f"- `{a}`: {NOTES[a]}." for a in actions if a in NOTES]
        if notes:
            lines += ["", *notes]
    return "\n".join(lines) + "\n"
