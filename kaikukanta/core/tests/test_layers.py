"""The apps form layers, and an import may only go down them (README, "Architecture in a page").

Every import of production code is counted, at module level or inside a function alike. The imports that
still go up are listed in KNOWN_UPWARD, each with the module and the app it reaches: a new one fails the
suite, and so does an entry that no longer exists (the list only shrinks)."""

import ast
from pathlib import Path

import kaikukanta

# Bottom first: an app may import the apps listed before it, never one after it (nor one on its own rank).
LAYERS = [("core",), ("reference",), ("network",), ("accounts",), ("programme",), ("cards",), ("visits",),
          ("devices",), ("stats",),
          ("imports",), ("public", "demo"), ("operations",)]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}

# The debt, to be paid off: (module, the app above it that it imports).
KNOWN_UPWARD = {
    ("accounts/policy.py", "cards"), ("accounts/policy.py", "visits"),       # target types in _area_of
    ("cards/services.py", "stats"), ("visits/services.py", "stats"),          # the rollups' pending changes
    ("cards/management/commands/coarsen_holder_data.py", "stats"),
    ("core/api_support.py", "accounts"), ("core/navigation.py", "accounts"), ("core/pages.py", "accounts"),
    ("core/context_processors.py", "accounts"),                                # the page frame's menu
    ("core/testing.py", "accounts"), ("core/testing.py", "cards"), ("core/testing.py", "network"),
    ("core/testing.py", "reference"),                                          # test builders in production code
    ("network/area_export.py", "accounts"), ("network/area_export.py", "cards"),
    ("network/area_export.py", "visits"), ("network/forms.py", "accounts"), ("network/selectors.py", "accounts"),
    ("network/selectors.py", "cards"), ("network/services.py", "accounts"), ("network/views.py", "accounts"),
    ("network/views.py", "cards"),                                             # the coordinators' back office
    ("stats/management/commands/rebuild_stats.py", "imports"),
    ("stats/rollups.py", "operations"),                            # a reader leaves the fold to a live worker
}


def imported_apps(tree: ast.AST) -> set[str]:
    apps = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        apps.update(name.split(".")[1] for name in names if name.startswith("kaikukanta.") and name.count(".") >= 1)
    return apps


def upward_imports() -> set[tuple[str, str]]:
    root = Path(kaikukanta.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if len(parts) < 2 or parts[0] not in RANK or "tests" in parts or "migrations" in parts:
            continue
        for app in imported_apps(ast.parse(path.read_text())):
            if app in RANK and app != parts[0] and RANK[app] >= RANK[parts[0]]:
                found.add(("/".join(parts), app))
    return found


def test_every_app_has_its_layer():
    root = Path(kaikukanta.__file__).parent
    apps = {path.parent.name for path in root.glob("*/apps.py")} | {"core"}
    assert apps == set(RANK)


def test_no_new_import_goes_up_the_layers():
    assert upward_imports() - KNOWN_UPWARD == set()


def test_the_list_of_known_upward_imports_is_kept_true():
    assert KNOWN_UPWARD - upward_imports() == set()


def test_the_walk_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from kaikukanta.stats import rollups\n")
    assert imported_apps(tree) == {"stats"}
