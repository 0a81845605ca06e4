"""The apps form layers, and an import may only go down them (README, "Architecture in a page").

Every import of production code is counted, at module level or inside a function alike. The imports that
still go up are listed in KNOWN_UPWARD, each with the module and the app it reaches: a new one fails the
suite, and so does an entry that no longer exists (the list only shrinks)."""

import ast
from pathlib import Path

import kaikukanta

# Bottom first: an app may import the apps listed before it, never one after it (nor one on its own rank).
# `accounts` (users, roles, tokens, the policy) sits below `network`: every service, the network's too, asks
# the policy, which reads its targets through their `Scoped` protocol; a user's site and area are foreign keys
# by name only, so the network's pages and services for sites and their staff may use accounts.
LAYERS = [("core",), ("reference",), ("accounts",), ("network",), ("programme",), ("cards",), ("visits",),
          ("devices",), ("stats",),
          ("imports",), ("public", "demo"), ("operations",)]
RANK = {app: rank for rank, apps in enumerate(LAYERS) for app in apps}

# The debt, to be paid off: (module, the app above it that it imports). Paid off: keep it empty.
KNOWN_UPWARD: set[tuple[str, str]] = set()


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


# The test support of the project (kaikukanta/testing.py: builders; core/browser.py: the browser tests' helpers).
TEST_SUPPORT = {"testing.py", "conftest.py", "core/browser.py"}


def imports_test_builders(tree: ast.AST) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module == "kaikukanta.testing" or (
                    node.module == "kaikukanta" and any(alias.name == "testing" for alias in node.names)):
                return True
        elif isinstance(node, ast.Import) and any(alias.name == "kaikukanta.testing" for alias in node.names):
            return True
    return False


def test_no_production_module_imports_the_test_builders():
    root = Path(kaikukanta.__file__).parent
    found = set()
    for path in root.rglob("*.py"):
        parts = path.relative_to(root).parts
        if "tests" in parts or "migrations" in parts or "/".join(parts) in TEST_SUPPORT:
            continue
        if imports_test_builders(ast.parse(path.read_text())):
            found.add("/".join(parts))
    assert found == set()


def test_the_walk_sees_the_test_builders_imported_either_way():
    assert imports_test_builders(ast.parse("from kaikukanta.testing import make_card\n"))
    assert imports_test_builders(ast.parse("def f():\n    from kaikukanta import testing\n"))
    assert not imports_test_builders(ast.parse("from kaikukanta.core import testing_tools\n"))


def test_the_walk_sees_an_import_inside_a_function():
    tree = ast.parse("def f():\n    from kaikukanta.stats import rollups\n")
    assert imported_apps(tree) == {"stats"}
