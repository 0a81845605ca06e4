"""Every integer a client can write, at its type's extremes: stored as answered, or refused naming the field.

The walk reads the served OpenAPI schema, so a writable integer field added to any body is walked too. Each
write operation of the operation table is sent as a caller it is meant for, once per integer field (nested
ones included, and optional ones the example body leaves out) and per extreme. The answer is either a
refusal (4xx; `400 invalid` names the field) or a success whose answered value is the one sent and is also
what a read of the stored object gives. Never a 500, and never a value that wrapped on the way in (D.8).
"""

import copy

import pytest
from django.db import transaction

from kaikukanta.api import api
from kaikukanta.core.bounds import INT4_MAX, INT4_MIN

from .operations import OPERATIONS, build_world, send

pytestmark = pytest.mark.django_db

EXTREMES = (-(2**63) - 1, -(2**63), INT4_MIN - 1, INT4_MIN, -1, 0, 1, 32767, 32768, INT4_MAX, INT4_MAX + 1,
            2**32, 2**63 - 1, 2**63)
# How to read back what a write stored: the read path for a created or changed object.
READ_BACK = {"/offerings": "/offerings/{id}", "/organisations": "/organisations/{id}", "/areas": "/areas/{id}",
             "/users": "/users/{id}", "/cards": "/cards/{number}", "/card-batches": None}


def node_ref(ref: str, schema: dict) -> dict:
    node = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def _concrete(schema: dict, node: dict) -> list[dict]:
    """A property's possible schemas: itself, or each branch of anyOf/oneOf/allOf, with $refs resolved."""
    if "$ref" in node:
        return _concrete(schema, node_ref(node["$ref"], schema))
    for key in ("anyOf", "oneOf", "allOf"):
        if key in node:
            return [leaf for branch in node[key] for leaf in _concrete(schema, branch)]
    return [node]


def integer_fields(schema: dict, node: dict, prefix: tuple = ()) -> list[tuple[str, ...]]:
    """Paths of every integer property of an object schema, nested objects included."""
    found = []
    for leaf in _concrete(schema, node):
        if leaf.get("type") == "integer" and prefix:
            found.append(prefix)
        for name, child in leaf.get("properties", {}).items():
            found.extend(integer_fields(schema, child, (*prefix, name)))
    return sorted(set(found))


def request_schema(schema: dict, method: str, path: str) -> dict | None:
    operation = schema["paths"].get(path, {}).get(method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    return content["schema"] if content else None


def with_value(body: dict, field: tuple[str, ...], value: int) -> dict:
    changed = copy.deepcopy(body)
    node = changed
    for name in field[:-1]:
        if not isinstance(node.get(name), dict):
            node[name] = {}
        node = node[name]
    node[field[-1]] = value
    return changed


def value_at(body, field: tuple[str, ...]):
    for name in field:
        if not isinstance(body, dict) or name not in body:
            return None
        body = body[name]
    return body


def writing_cases(schema: dict) -> list[tuple]:
    cases = []
    for operation in OPERATIONS:
        if operation.method not in ("POST", "PATCH", "PUT"):
            continue
        body_schema = request_schema(schema, operation.method, "/api/v1" + operation.path)
        if body_schema is None:
            continue
        # The offline desk's operations answer no user's token: they are sent with the device's credential.
        caller = next((who for who, status in operation.expected.items() if 200 <= status < 300), "device")
        for field in integer_fields(schema, body_schema):
            cases.append((operation, caller, field))
    return cases


def _read_back(client, operation, call, answered: dict):
    template = READ_BACK.get(operation.path, operation.path if operation.method == "PATCH" else None)
    if template is None:
        return None
    return send(client, "GET", template.replace("{id}", str(answered.get("id"))).replace(
        "{number}", str(answered.get("number"))), type(call)(path=call.path)).json()


SCHEMA = api.get_openapi_schema(path_prefix="/api/v1/")
CASES = writing_cases(SCHEMA)


def case_id(case) -> str:
    operation, _caller, field = case
    return f"{operation.name}:{'.'.join(field)}"


def test_the_walk_finds_the_integer_fields_of_the_bodies():
    fields = {case_id(case) for case in CASES}
    for expected in ["create_offering:ticket_quota", "update_offering:ticket_quota", "issue_card:holder.birth_year",
                     "record_visit:offering_id", "create_card_batch:count", "update_settings:max_validity_months",
                     "record_visit:children", "issue_card:holder.children"]:
        assert expected in fields


@pytest.mark.parametrize("case", CASES, ids=case_id)
def test_every_integer_field_at_every_extreme_is_stored_as_answered_or_refused(case):
    operation, caller, field = case
    problems = []
    for extreme in EXTREMES:
        with transaction.atomic():
            problems += _attempt(operation, caller, field, extreme)
            transaction.set_rollback(True)
    assert not problems, "\n".join(problems)


def _attempt(operation, caller, field, extreme) -> list[str]:
    world = build_world()
    call = operation.build(world)
    call = type(call)(path=call.path, body=with_value(call.body or {}, field, extreme), query=call.query,
                      headers=call.headers)
    client = world.client(caller)
    response = send(client, operation.method, operation.path, call)
    where = f"{operation.name} {'.'.join(field)}={extreme} as {caller}"
    if response.status_code >= 500:
        return [f"{where}: {response.status_code}"]
    if response.status_code >= 400:
        error = response.json()["error"]
        # A nested object the example body lacks was made for the field: its other required fields are missing.
        made_up = value_at(operation.build(world).body or {}, field[:-1]) is None and len(field) > 1
        named = error.get("field") or ""
        if error["code"] == "invalid" and named not in (".".join(field), field[-1]) and not (
                made_up and named.startswith(".".join(field[:-1]) + ".")):
            return [f"{where}: invalid names {error.get('field')}"]
        if not INT4_MIN <= extreme <= INT4_MAX and error["code"] != "invalid":
            return [f"{where}: {error['code']} rather than invalid"]
        return []
    answered = response.json() if response.content else {}
    if value_at(answered, field) not in (None, extreme):
        return [f"{where}: answered {value_at(answered, field)}"]
    stored = _read_back(client, operation, call, answered)
    if stored is not None and value_at(stored, field) not in (None, extreme):
        return [f"{where}: stored {value_at(stored, field)}"]
    return []
