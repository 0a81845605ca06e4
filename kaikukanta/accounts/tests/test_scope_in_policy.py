"""Role scoping lives in accounts/policy.py only: no selector decides by hand what a national admin or an area
coordinator may see (they ask `policy.scope_filter`, `user_scope` or `area_in_scope`)."""

import ast
from pathlib import Path

import kaikukanta

SCOPING_ROLES = {"NATIONAL_ADMIN", "AREA_COORDINATOR"}


def _role_comparisons(tree: ast.AST) -> list[int]:
    lines = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        names_role = any(isinstance(side, ast.Attribute) and side.attr == "role" for side in sides)
        names_scope = any(isinstance(side, ast.Attribute) and side.attr in SCOPING_ROLES
                          and isinstance(side.value, ast.Name) and side.value.id == "Role" for side in sides)
        if names_role and names_scope:
            lines.append(node.lineno)
    return lines


def test_no_selector_scopes_by_role_by_hand():
    root = Path(kaikukanta.__file__).parent
    found = {}
    for path in root.glob("*/selectors.py"):
        lines = _role_comparisons(ast.parse(path.read_text()))
        if lines:
            found[str(path.relative_to(root))] = lines
    assert found == {}


def test_the_check_finds_a_hand_written_scope():
    tree = ast.parse("def areas(user):\n    if user.role == Role.NATIONAL_ADMIN:\n        return 1\n")
    assert _role_comparisons(tree) == [2]
