"""Permission by construction: every operation of the OpenAPI schema, called by every kind of caller.

Each (operation, caller) cell is its own test against a freshly built world, so a write in one cell can
never change what another cell sees. The expected statuses live in `operations.OPERATIONS`.
"""

import pytest
from django.utils import timezone

from kaikukanta.accounts.models import ApiToken, User
from kaikukanta.cards.models import Card
from kaikukanta.core import damm
from kaikukanta.testing import LOCKED_OUT_CALLERS, ApiClient, bring_back, lock_out

from .operations import (
    CALLERS,
    OPERATIONS,
    OPERATIONS_BY_NAME,
    Call,
    build_world,
    call,
    row_counts,
    schema_operations,
    send,
)

pytestmark = pytest.mark.django_db

CELLS = [(operation.name, caller) for operation in OPERATIONS for caller in CALLERS]


@pytest.fixture
def world(db):
    return build_world()


def test_the_table_names_every_operation_of_the_schema_and_nothing_else(anonymous):
    schema = anonymous.get("/api/v1/openapi.json").json()
    in_schema = schema_operations(schema)
    in_table = {operation.key for operation in OPERATIONS}
    assert in_schema - in_table == set(), "operations without a permission row in operations.OPERATIONS"
    assert in_table - in_schema == set(), "rows for operations the schema does not have"


@pytest.mark.parametrize("operation_name, caller", CELLS, ids=[f"{name}-{caller}" for name, caller in CELLS])
def test_each_caller_gets_the_status_of_the_table(world, operation_name, caller):
    operation = OPERATIONS_BY_NAME[operation_name]
    expected = operation.expected[caller]
    before = row_counts()

    response = call(world, caller, operation)

    assert response.status_code == expected, response.content
    if expected >= 400:
        assert response.json()["error"]["code"] == operation.codes_by_caller.get(
            caller, operation.error_codes[expected])
        assert row_counts() == before, "a refused request wrote something"


def _revoke(world):
    ApiToken.objects.filter(user=world.user("admin")).update(revoked_at=timezone.now())


def _expire(world):
    ApiToken.objects.filter(user=world.user("admin")).update(expires_at=timezone.now())


def _deactivate(world):
    User.objects.filter(pk=world.user("admin").pk).update(is_active=False)


@pytest.mark.parametrize("lock_out", [_revoke, _expire, _deactivate],
                         ids=["revoked", "expired", "inactive_user"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.name for operation in OPERATIONS])
def test_a_dead_token_is_unauthenticated_everywhere(world, operation, lock_out):
    lock_out(world)
    before = row_counts()

    response = call(world, "admin", operation)

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert row_counts() == before


@pytest.mark.parametrize("operation", OPERATIONS, ids=[operation.name for operation in OPERATIONS])
def test_the_staff_of_an_organisation_taken_out_of_the_network_are_forbidden_everywhere(world, operation):
    venue = world.network.venue
    venue.active = False
    venue.save(update_fields=["active"])
    before = row_counts()

    response = call(world, "venue", operation)

    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert row_counts() == before


# What a caller locked out after getting its token is answered: its token was revoked (`401`), or it is
# staff of a site out of the network (`403 forbidden`, as API.md says).
LOCKED_OUT_STATUS = {"inactive_user": (401, "unauthenticated"), "inactive_site": (403, "forbidden")}
LOCKED_OUT_CELLS = [(operation.name, caller) for operation in OPERATIONS for caller in LOCKED_OUT_CALLERS]


@pytest.mark.parametrize("operation_name, caller", LOCKED_OUT_CELLS,
                         ids=[f"{name}-{caller}" for name, caller in LOCKED_OUT_CELLS])
def test_a_caller_locked_out_through_the_services_is_refused_everywhere(world, operation_name, caller):
    operation = OPERATIONS_BY_NAME[operation_name]
    holder = lock_out(world.network, caller)
    before = row_counts()

    response = call(world, holder, operation)

    status, code = LOCKED_OUT_STATUS[caller]
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert row_counts() == before


@pytest.mark.parametrize("operation_name, caller", LOCKED_OUT_CELLS,
                         ids=[f"{name}-{caller}" for name, caller in LOCKED_OUT_CELLS])
def test_taking_the_account_back_into_use_brings_back_none_of_its_tokens(world, operation_name, caller):
    operation = OPERATIONS_BY_NAME[operation_name]
    holder = lock_out(world.network, caller)
    bring_back(world.network, caller)
    before = row_counts()

    response = call(world, holder, operation)

    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "unauthenticated"
    assert row_counts() == before


@pytest.mark.parametrize("path", ["/api/v1/openapi.json", "/api/v1/docs"])
@pytest.mark.parametrize("caller", CALLERS)
def test_the_schema_and_its_page_are_public(world, path, caller):
    client = ApiClient() if caller == "anonymous" else world.network.client(caller)
    assert client.get(path).status_code == 200


def test_the_schema_is_public_even_with_a_bad_token(db):
    assert ApiClient("kk_not-a-real-token").get("/api/v1/openapi.json").status_code == 200


WITH_PATH_PARAMETERS = [operation for operation in OPERATIONS if "{" in operation.path]


def _unknown(name: str, unknown_id: int):
    if name == "number":
        number = damm.random_number()
        return number if not Card.objects.filter(number=number).exists() else _unknown(name, unknown_id)
    if name == "token":
        return "kk_no-such-token"
    return unknown_id


# The second id is beyond every integer column, so it must not reach the database as an error either.
@pytest.mark.parametrize("unknown_id", [999_999_999, 10**20], ids=["unknown", "out_of_range"])
@pytest.mark.parametrize("operation", WITH_PATH_PARAMETERS, ids=[o.name for o in WITH_PATH_PARAMETERS])
def test_an_unknown_object_in_the_path_is_not_found_even_for_a_caller_allowed_to_act_on_it(world, operation,
                                                                                          unknown_id):
    caller = next(caller for caller, status in operation.expected.items() if status < 300)
    request = operation.build(world)
    unknown = Call(path={name: _unknown(name, unknown_id) for name in request.path},
                   body=request.body, query=request.query, headers=request.headers)
    before = row_counts()

    response = send(world.client(caller), operation.method, operation.path, unknown)

    assert response.status_code == 404, response.content
    expected = "card_not_found" if operation.path.startswith("/cards/") else "not_found"
    assert response.json()["error"]["code"] == expected
    assert row_counts() == before


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _undocumented_calls(world) -> list[tuple[str, str]]:
    """Every method the table (and so the schema) does not document on a path it does, with a real URL."""
    documented, urls = {}, {}
    for operation in OPERATIONS:
        documented.setdefault(operation.path, set()).add(operation.method)
        urls.setdefault(operation.path, operation.path.format(**operation.build(world).path))
    return [(method, urls[path]) for path in documented for method in METHODS
            if method not in documented[path]]


def _send_bare(client, method: str, url: str):
    send_method = getattr(client, method.lower())
    return send_method(url) if method in ("GET", "DELETE") else send_method(url, {})


def test_an_undocumented_method_is_not_allowed_and_says_which_are(world):
    admin = world.client("admin")
    answers = {(method, url): _send_bare(admin, method, "/api/v1" + url)
               for method, url in _undocumented_calls(world)}
    assert len(answers) > 20
    assert {key: answer.status_code for key, answer in answers.items() if answer.status_code != 405} == {}
    assert all(response.has_header("Allow") for response in answers.values())


def _is_contract_error(response) -> bool:
    if not response["Content-Type"].startswith("application/json"):
        return False
    error = response.json().get("error")
    return (isinstance(error, dict) and isinstance(error.get("code"), str)
            and isinstance(error.get("message"), str))


def test_an_undocumented_method_answers_with_the_contract_error_body(world):
    admin = world.client("admin")
    not_json = [(method, url) for method, url in _undocumented_calls(world)
                if not _is_contract_error(_send_bare(admin, method, "/api/v1" + url))]
    assert not_json == []


@pytest.mark.parametrize("caller", ["anonymous", "admin"])
def test_an_unknown_path_of_the_api_is_not_found_in_the_contract_error_body(world, caller):
    response = world.client(caller, "en").get("/api/v1/no-such-collection")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}
