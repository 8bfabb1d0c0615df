"""The apps' imports run one way (issue 15): no two apps import each other, counting imports
inside functions, and no longer loop either (a → b → c → a); no module looks another up by name
with importlib except the places that mount every installed app (configuration). Read from the
source with ``ast``: nothing is run. An app that needs something of an app above it declares a
port (``common.ports``; ``intake/ports.py`` is the example) which the upper app fills in."""

import ast
from collections import defaultdict
from pathlib import Path

import pytest

import jiuzhu

ROOT = Path(jiuzhu.__file__).parent

# Modules that mount every installed app's router and urls (the others find an app's module of
# a given name with ``common.discovery``, Django's ``autodiscover_modules``).
IMPORTLIB_ALLOWED = {
    "config/api.py",
    "config/urls.py",
}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if len(rel.parts) < 2 or "tests" in rel.parts or "migrations" in rel.parts:
            continue
        yield rel, ast.parse(path.read_text(encoding="utf-8"))


def _typing_only(tree: ast.Module) -> set[int]:
    """Imports under ``if TYPE_CHECKING:``: read by the type checker only (``common`` names
    registry's ``User`` in its signatures), never run, so they tie no app to another."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.If)
            and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"
        ):
            out.update(id(n) for stmt in node.body for n in ast.walk(stmt))
    return out


def _imports(modules=None) -> dict[str, dict[str, list[str]]]:
    """app -> other app -> places (``path:line``) where it imports it (``modules``: pairs of a
    path under ``jiuzhu/`` and its parsed tree; the project's own by default)."""
    out: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for rel, tree in _modules() if modules is None else modules:
        app = rel.parts[0]
        typing_only = _typing_only(tree)
        for node in ast.walk(tree):
            if id(node) in typing_only:
                continue
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                continue
            for name in names:
                parts = name.split(".")
                if parts[0] == "jiuzhu" and len(parts) > 1 and parts[1] != app:
                    out[app][parts[1]].append(f"{rel}:{node.lineno}")
    return out


def _ties(imports) -> dict[frozenset, tuple[list[str], list[str]]]:
    return {
        frozenset({a, b}): (places, imports[b][a])
        for a, others in imports.items()
        for b, places in others.items()
        if a in imports.get(b, {})
    }


def test_no_two_apps_import_each_other():
    # none allowed, none excused (the last, decisions <-> intake, was cut in session 10)
    ties = _ties(_imports())
    assert not ties, (
        "apps importing each other (move the shared piece below both, or let the lower app "
        f"declare a port the upper one fills in, as intake/ports.py): {ties}"
    )


def test_no_importlib_lookups_outside_configuration():
    found = []
    for rel, tree in _modules():
        if str(rel) in IMPORTLIB_ALLOWED:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                "import_module",
                "__import__",
            ):
                found.append(f"{rel}:{node.lineno}")
    assert not found, f"import the module by name instead: {found}"


def test_typing_only_imports_are_told_apart():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jiuzhu.registry.models import User\n"
        "def f():\n    from jiuzhu.registry import services\n"
    )
    skipped = _typing_only(tree)
    imports = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module.startswith("jiuzhu")]
    assert [id(n) in skipped for n in imports] == [True, False]


def test_the_check_sees_a_tie_inside_a_function():
    # the upper app imports the lower at module level, the lower imports the upper only inside
    # a function (as intake once did decisions): that is a tie, and it is found
    lower = ast.parse("def grant(r):\n    from jiuzhu.upper.grants import grant_control\n")
    upper = ast.parse("from jiuzhu.lower.models import Referral\n")
    typed = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jiuzhu.upper import x\n")
    imports = _imports([(Path("lower/handling.py"), lower), (Path("upper/cases.py"), upper)])
    assert _ties(imports) == {frozenset({"lower", "upper"}): (["upper/cases.py:1"], ["lower/handling.py:2"])}
    # a name read by the type checker only ties nothing
    imports = _imports([(Path("lower/ports.py"), typed), (Path("upper/cases.py"), upper)])
    assert _ties(imports) == {}


def test_intake_imports_nothing_of_decisions():
    # decisions opens its cases from intake's referrals; intake asks the entitlement side
    # through its port (docs/HELPERS.md, Session 10), not even inside a function
    imports = _imports()
    assert "intake" in imports["decisions"] and "decisions" not in imports["intake"]


MAX_MODULE_LINES = 600


def test_no_module_over_600_lines():
    # A module this long holds several ideas (issue 15): add a module beside it instead (the
    # intake services, selectors and API are packages split by resource). Migrations are
    # generated and exempt.
    project = ROOT.parents[1]
    places = [ROOT, project / "tests", project / "bench"]
    long = {
        str(path.relative_to(project)): n
        for place in places
        for path in sorted(place.rglob("*.py"))
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them): {long}"


def test_the_length_check_reads_the_whole_tree():
    # the check is not vacuous: it finds the project's modules, a split package among them
    project = ROOT.parents[1]
    found = {str(p.relative_to(project)) for p in (project / "src").rglob("*.py")}
    assert "src/jiuzhu/intake/services/referrals.py" in found and len(found) > 300


def layers(imports=None) -> list[list[str]]:
    """The apps from the bottom up, each one layer above the highest app it imports. Apps that
    import each other through a longer loop (a → b → c → a) have no layer: it fails, naming
    them. ``uv run python -m jiuzhu.common.tests.test_architecture`` prints the layers
    (docs/NEWCOMER.md quotes the print)."""
    imports = _imports() if imports is None else imports
    apps = sorted(set(imports) | {b for a in imports for b in imports[a]})
    deps = {a: set(imports.get(a, {})) - {a} for a in apps}
    level: dict[str, int] = {}
    while len(level) < len(deps):
        ready = [a for a in apps if a not in level and deps[a] <= set(level)]
        assert ready, f"apps importing each other in a loop: {sorted(set(deps) - set(level))}"
        for a in ready:
            level[a] = 1 + max((level[d] for d in deps[a]), default=-1)
    out: dict[int, list[str]] = defaultdict(list)
    for a in apps:
        out[level[a]].append(a)
    return [out[k] for k in sorted(out)]


def test_every_app_has_a_layer_above_what_it_imports():
    order = {a: i for i, layer in enumerate(layers()) for a in layer}
    assert order["common"] == 0 and order["supervision"] > order["intake"] > order["registry"]
    assert order["decisions"] > order["intake"]
    for a, others in _imports().items():
        for b in others:
            assert order[a] > order[b], (a, b)


def test_a_loop_through_three_apps_has_no_layer():
    # no two of them import each other, so only the layering sees it
    loop = {"a": {"b": ["a/x.py:1"]}, "b": {"c": ["b/x.py:1"]}, "c": {"a": ["c/x.py:1"]}}
    assert not _ties(loop)
    with pytest.raises(AssertionError, match="loop"):
        layers(loop)
    assert layers({"a": {"b": ["a/x.py:1"]}, "b": {}}) == [["b"], ["a"]]


if __name__ == "__main__":
    for i, layer in enumerate(layers()):
        print(i, " ".join(layer))


def test_no_fmt_skip_without_a_reason():
    # The formatter decides layout (issue 15); a table that reads better by hand says why on the
    # same line: ``# fmt: skip  (why)``.
    project = ROOT.parents[1]
    bare = [
        f"{path.relative_to(project)}:{i}"
        for place in (ROOT, project / "tests", project / "bench")
        for path in sorted(place.rglob("*.py"))
        if "migrations" not in path.parts
        for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.rstrip().endswith("# fmt: skip")
    ]
    assert not bare, f"fmt: skip without a reason (let `ruff format` lay it out): {bare}"
