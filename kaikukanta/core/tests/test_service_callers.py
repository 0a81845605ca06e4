"""The back office's doors (test_entry_points.py walks the desk's and the cards'): every service of the network,
the accounts and the programme's rules takes a `Caller` and does its own checks, and no page or endpoint of
theirs does one itself.

- no public function of any app's `services.py` takes a bare user or an `actor` (READS excepted);
- every public function of the network's, the accounts' and the programme's services (and the wellbeing
  questions of the cards') takes the caller first, refuses a bare user (a programming error: `TypeError`), an
  inactive user's and an inactive site's caller, and works for the right one, writing nothing when it refuses
  (EXAMPLES: a function without an example fails here);
- every call of a service that takes a caller, anywhere in production code (API, pages, admin, commands, demo
  data, the other apps), hands on a `Caller` built by its entry point, never `request.user` or a bare user;
- the modules that call the back office's services ask the policy only for what to show: no `require`, no
  `Refusal(FORBIDDEN)` of their own, no `allowed(...)` deciding a refusal (the `page(...)` declaration and the
  selectors are where a page's reads are refused, accounts/pages.py).
"""

import ast
import datetime
import importlib
import inspect
from pathlib import Path

import pytest
from django.db import connection
from django_otp.plugins.otp_totp.models import TOTPDevice

import kaikukanta
from kaikukanta.accounts.caller import Caller, Channel
from kaikukanta.cards.services import QuestionText
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import GuidelineVersion
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.testing import current_code, give_authenticator, make_offering, make_token

ROOT = Path(kaikukanta.__file__).parent
SERVICE_MODULES = {f"kaikukanta.{path.parent.name}.services": importlib.import_module(
    f"kaikukanta.{path.parent.name}.services") for path in sorted(ROOT.glob("*/services.py"))}
# Parts split out of an app's services.py and re-exported by it: their functions are that app's services.
SERVICE_PARTS = {"kaikukanta.network.offerings": "kaikukanta.network.services"}
BACK_OFFICE = ("network", "accounts", "programme")
# Reads of what every signed-in user may read, taking the user as the selectors do.
READS = {"programme.rules_for", "programme.rules_body", "stats.scope_for"}
OPERATOR = "operator"  # the server's shell, acting as nobody (manage.py issue_token, the demo data)


def public_functions() -> dict[str, object]:
    """The public functions defined in every app's services module, by `app.name`."""
    found = {}
    for module_name, module in SERVICE_MODULES.items():
        for name, value in vars(module).items():
            if (inspect.isfunction(value) and SERVICE_PARTS.get(value.__module__, value.__module__) == module_name
                    and not name.startswith("_")):
                found[f"{module_name.rsplit('.', 2)[1]}.{name}"] = value
    return found


def _first_parameter(function) -> inspect.Parameter | None:
    return next(iter(inspect.signature(function).parameters.values()), None)


def caller_functions() -> dict[str, object]:
    """The services that act for a caller: those whose first parameter is it."""
    return {name: function for name, function in public_functions().items()
            if getattr(_first_parameter(function), "name", None) == "caller"}


def acting_functions() -> dict[str, object]:
    """The back office's services, and the cards' wellbeing questions (the card and visit services are walked
    by test_entry_points.py)."""
    return {name: function for name, function in public_functions().items()
            if name.split(".")[0] in BACK_OFFICE and name not in READS
            or name == "cards.replace_wellbeing_questions"}


def _version(network):
    return GuidelineVersion.objects.create(label="2029", published_on=datetime.date(2025, 1, 1)).pk


def _enrolling(network, who):
    user = network.users[who]
    return current_code(TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False))


# function: (who acts, a function of the network giving the arguments after the caller, as (args, kwargs)).
EXAMPLES = {
    "network.create_area": ("admin", lambda n: ((), {"name": "Lappi", "status": "preparing", "joinings": []})),
    "network.update_area": ("admin", lambda n: ((n.area.pk,), {"name": "Uusimaa"})),
    "network.create_organisation": ("coordinator", lambda n: ((), {
        "name": "Kallion kirjasto", "kind": "venue", "area_id": n.area.pk, "municipality": "091",
        "category": "library", "sector": "culture"})),
    "network.update_organisation": ("coordinator", lambda n: ((n.venue.pk,), {"name": "Kansallisteatteri"})),
    "network.update_settings": ("admin", lambda n: ((), {"max_validity_months": 12})),
    "network.update_statements": ("admin", lambda n: ((), {"controller_name": "Kaikukortin tukikeskus"})),
    "network.create_offering": ("venue", lambda n: ((), {"venue_id": n.venue.pk, "name": "Hamlet",
                                                         "kind": "event"})),
    "network.update_offering": ("venue", lambda n: ((make_offering(n.venue).pk,), {"name": "Macbeth"})),
    "network.set_default_offering": ("venue", lambda n: ((), {"venue_id": n.venue.pk, "offering_id": None})),
    "network.publish_guideline_version": ("admin", lambda n: ((), {"label": "2030", "published_on": today()})),
    "network.record_guideline_commitment": ("coordinator", lambda n: ((), {
        "organisation_id": n.venue.pk, "version_id": _version(n)})),
    "network.upload_low_income": ("admin", lambda n: ((b"municipality_code,year,low_income_persons\n"
                                                       b"091,2023,1000\n",), {})),
    "accounts.create_user": ("coordinator", lambda n: ((), {"username": "kallio-kassa", "role": "venue",
                                                            "organisation_id": n.venue.pk})),
    "accounts.create_user_from_console": (OPERATOR, lambda n: ((), {"username": "paakayttaja",
                                                                    "role": "national_admin"})),
    "accounts.end_access_of_site": ("coordinator", lambda n: ((n.venue,), {})),
    "accounts.update_user": ("venue", lambda n: ((n.users["venue"].pk,), {"language": "sv"})),
    "accounts.issue_token": ("venue", lambda n: ((n.users["venue"].pk,), {})),
    "accounts.issue_token_from_console": (OPERATOR, lambda n: ((n.users["venue"],), {})),
    "accounts.revoke_token": ("venue", lambda n: ((make_token(n.users["venue"]),), {})),
    "accounts.revoke_token_by_id": ("venue", lambda n: ((n.users["venue"].api_tokens.first().pk,), {})),
    "accounts.start_enrolment": ("distributor", lambda n: ((), {})),
    "accounts.confirm_enrolment": ("distributor", lambda n: ((_enrolling(n, "distributor"),), {})),
    "accounts.verify_second_factor": ("admin", lambda n: ((current_code(give_authenticator(n.users["admin"])),),
                                                          {})),
    "accounts.reset_second_factor": ("admin", lambda n: ((n.users["coordinator"].pk,), {})),
    "programme.set_national_rules": ("admin", lambda n: ((), {
        "effective_from": today(), "values": rules_in_force(None, today()).values(), "overridable": []})),
    "programme.set_area_rules": ("coordinator", lambda n: ((n.area.pk,), {"effective_from": today(),
                                                                          "overrides": {}})),
    "cards.replace_wellbeing_questions": ("admin", lambda n: (([QuestionText(
        key="mood", fi="Mieliala", sv="Humör", en="Mood")],), {})),
}


# Nothing to audit: a code proved changes nothing, an authenticator being set up is nothing yet (its
# confirmation is audited).
NOT_AUDITED = {"accounts.verify_second_factor", "accounts.start_enrolment"}


def audit_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM core_auditrecord")
        return cursor.fetchone()[0]


def _call(network, name: str, caller):
    who, arguments = EXAMPLES[name]
    args, kwargs = arguments(network)
    return acting_functions()[name](caller, *args, **kwargs)


def _right_caller(network, name: str) -> Caller:
    who = EXAMPLES[name][0]
    if who == OPERATOR:
        return Caller.for_console()
    user = network.users[who]
    return Caller(user, user.organisation, "127.0.0.1", Channel.API)


def test_no_service_takes_a_bare_user():
    bare = {name for name, function in public_functions().items()
            if getattr(_first_parameter(function), "name", None) in ("actor", "user")}
    assert bare == READS


def test_every_acting_service_has_an_example_and_takes_the_caller_first():
    functions = acting_functions()
    assert set(functions) == set(EXAMPLES)
    for name, function in functions.items():
        first = _first_parameter(function)
        assert (first.name, first.annotation) == ("caller", Caller), name


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_service_works_for_the_right_caller(network, name):
    before = audit_rows()
    _call(network, name, _right_caller(network, name))
    if name not in NOT_AUDITED:
        assert audit_rows() > before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_service_refuses_a_bare_user(network, name):
    who = EXAMPLES[name][0]
    before = audit_rows()
    with pytest.raises(TypeError, match="Caller"):
        _call(network, name, network.users["admin" if who == OPERATOR else who])
    assert audit_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_the_service_refuses_an_inactive_user(network, name):
    right = _right_caller(network, name)
    user = right.user or network.users["admin"]
    user.is_active = False
    before = audit_rows()
    with pytest.raises(Refusal) as refused:
        _call(network, name, Caller(user, user.organisation, right.address, right.channel))
    assert refused.value.code == Code.FORBIDDEN
    assert audit_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(name for name, (who, _) in EXAMPLES.items()
                                        if who in ("venue", "distributor")))
def test_the_service_refuses_the_staff_of_an_inactive_site(network, name):
    right = _right_caller(network, name)
    right.site.active = False
    before = audit_rows()
    with pytest.raises(Refusal) as refused:
        _call(network, name, right)
    assert refused.value.code == Code.FORBIDDEN
    assert audit_rows() == before


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(name for name, (who, _) in EXAMPLES.items() if who == OPERATOR))
@pytest.mark.parametrize("channel", [Channel.API, Channel.PAGE, Channel.CONSOLE])
def test_a_console_only_service_refuses_every_user(network, name, channel):
    admin = network.users["admin"]
    with pytest.raises(Refusal) as refused:
        _call(network, name, Caller(admin, None, None, channel))
    assert refused.value.code == Code.FORBIDDEN


# Where the services are called from.


def production_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or parts[-1] == "conftest.py":
            continue
        yield "/".join(parts), ast.parse(path.read_text())


def _service_names(relative: str, tree: ast.AST) -> tuple[dict[str, str], dict[str, str]]:
    """The names a module binds to a service module (`services`, `accounts`) and to a service function,
    each mapped to the module's dotted name (`from kaikukanta.network import services as network_services`,
    `from . import services` inside the app, `from kaikukanta.accounts.services import update_user`)."""
    package = "kaikukanta." + relative.split("/")[0]
    modules, functions = {}, {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package if node.level == 1 and node.module is None else (
                f"{package}.{node.module}" if node.level == 1 else node.module)
            for alias in node.names:
                bound = alias.asname or alias.name
                if f"{base}.{alias.name}" in SERVICE_MODULES:
                    modules[bound] = f"{base}.{alias.name}"
                elif base in SERVICE_MODULES:
                    functions[bound] = f"{base}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in SERVICE_MODULES and alias.asname:
                    modules[alias.asname] = alias.name
    return modules, functions


def _acting(dotted: str) -> bool:
    module, name = dotted.rsplit(".", 1)
    return f"{module.rsplit('.', 2)[1]}.{name}" in caller_functions()


def _names_bound_to_a_caller(tree: ast.AST) -> set[str]:
    """Names assigned a `Caller.…(…)` or `Caller(…)`, and parameters called `caller`."""
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and _builds_a_caller(node.value):
            bound.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.arg) and node.arg == "caller":
            bound.add("caller")
    return bound


def _builds_a_caller(node) -> bool:
    """`Caller(…)`, `Caller.page(…)`, or a helper named for what it builds (`device_caller(request)`)."""
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and (func.id == "Caller" or func.id.endswith("_caller"))) or (
        isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "Caller")


def calls_in(relative: str, tree: ast.AST):
    """(module, line, function, first argument's source, whether it is a Caller) of every call of an acting
    service in one module."""
    modules, functions = _service_names(relative, tree)
    callers = _names_bound_to_a_caller(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func, dotted = node.func, None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in modules:
            dotted = f"{modules[func.value.id]}.{func.attr}"
        elif isinstance(func, ast.Name) and func.id in functions:
            dotted = functions[func.id]
        if dotted is None or not _acting(dotted):
            continue
        first = node.args[0] if node.args else None
        is_caller = first is not None and (_builds_a_caller(first) or (
            isinstance(first, ast.Name) and first.id in callers))
        yield relative, node.lineno, dotted, ast.unparse(first) if first else "", is_caller


def service_calls():
    for relative, tree in production_modules():
        yield from calls_in(relative, tree)


def test_every_call_of_a_service_taking_a_caller_hands_one_on():
    calls = list(service_calls())
    bare = [f"{module}:{line} {function}({first}, …)" for module, line, function, first, ok in calls if not ok]
    assert bare == []
    # The walk sees the doors it is meant to: the API, the pages, the command, the demo data, the other apps.
    doors = {module for module, *_ in calls}
    assert {"network/api.py", "accounts/api.py", "network/views.py", "network/user_views.py",
            "network/area_views.py", "network/guideline_views.py", "network/settings_views.py",
            "accounts/views.py", "accounts/management/commands/issue_token.py", "demo/services.py",
            "cards/backoffice.py", "visits/views.py", "testing.py"} <= doors


def test_the_walk_would_see_a_bare_user_handed_to_a_service():
    tree = ast.parse("from kaikukanta.accounts.caller import Caller\n"
                     "from kaikukanta.network import services as network_services\n"
                     "from kaikukanta.accounts.services import update_user\n"
                     "from . import services\n"
                     "def view(request):\n"
                     "    network_services.update_organisation(request.user, 1, name='x')\n"
                     "    update_user(request.user, 1, language='sv')\n"
                     "    services.issue_token(request.user, 1)\n"
                     "    services.issue_token(Caller.page(request), 1)\n")
    found = [(line, function.rsplit(".", 1)[1], ok) for _, line, function, _, ok in
             calls_in("accounts/views.py", tree)]
    assert sorted(found) == [(6, "update_organisation", False), (7, "update_user", False),
                             (8, "issue_token", False), (9, "issue_token", True)]


REFUSING_CHECKS = {"require", "require_caller", "require_operator"}


def _raises_or_refuses(statements) -> bool:
    for statement in statements:
        for node in ast.walk(statement):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "refused":
                return True
    return False


def checks_of_its_own(tree: ast.AST) -> list[str]:
    """What in a page or endpoint module refuses by the policy itself."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in REFUSING_CHECKS:
            found.append(f"line {node.lineno}: {node.func.id}(…)")
        elif isinstance(node, ast.Attribute) and node.attr == "FORBIDDEN" and isinstance(node.value, ast.Name) \
                and node.value.id == "Code":
            found.append(f"line {node.lineno}: Code.FORBIDDEN")
        elif isinstance(node, ast.If | ast.While) and _raises_or_refuses(node.body + node.orelse):
            if any(isinstance(inner, ast.Call) and isinstance(inner.func, ast.Name) and inner.func.id == "allowed"
                   for inner in ast.walk(node.test)):
                found.append(f"line {node.lineno}: if allowed(…) refuses")
    return sorted(found, key=lambda text: int(text.split(":")[0].removeprefix("line ")))


def door_modules() -> list[str]:
    """Every module that calls a service of the back office, and every page and endpoint module of its apps
    (services themselves excepted: they are where the checks belong)."""
    calling = {module for module, _, dotted, *_ in service_calls() if dotted.split(".")[1] in BACK_OFFICE}
    own = {str(path.relative_to(ROOT)) for app in BACK_OFFICE
           for pattern in ("views.py", "*_views.py", "api.py") for path in (ROOT / app).glob(pattern)}
    return sorted(module for module in calling | own if not module.endswith("services.py") and module != "testing.py")


def test_no_door_of_the_back_office_checks_a_permission_itself():
    modules = door_modules()
    assert {"network/views.py", "network/user_views.py", "accounts/views.py", "network/api.py", "programme/views.py",
            "cards/backoffice.py"} <= set(modules)
    found = {module: checks_of_its_own(ast.parse((ROOT / module).read_text())) for module in modules}
    assert {module: checks for module, checks in found.items() if checks} == {}


def test_the_walk_would_see_a_view_checking_a_permission_itself():
    tree = ast.parse("def edit(request, pk):\n"
                     "    require(request.user, Action.UPDATE_ORGANISATION)\n"
                     "    if not allowed(request.user, Action.MANAGE_USER, pk):\n"
                     "        return refused(request, Refusal(Code.FORBIDDEN))\n"
                     "    return render(request, 'x', {'may': allowed(request.user, Action.MANAGE_USER)})\n")
    assert checks_of_its_own(tree) == ["line 2: require(…)", "line 3: if allowed(…) refuses",
                                       "line 4: Code.FORBIDDEN"]


@pytest.mark.django_db
def test_the_admin_site_has_no_door_that_changes_the_back_office(network, rf):
    """Django's admin is a read-only fallback: none of its pages of the network's, the accounts' or the
    programme's models adds, changes or deletes anything past the services."""
    from django.contrib import admin

    request = rf.get("/admin/")
    request.user = network.users["admin"]
    request.user.is_superuser = True  # as the national admin's account is (accounts.services._new_user)
    registered = {model: model_admin for model, model_admin in admin.site._registry.items()
                  if model._meta.app_label in BACK_OFFICE}
    assert {"network", "accounts"} <= {model._meta.app_label for model in registered}
    for model, model_admin in registered.items():
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
