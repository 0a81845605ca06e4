"""Schemathesis against the served OpenAPI schema: generated requests to every operation, as every role.

What is checked, for every generated request and its response:
- no server error (no 5xx);
- the status code is one the operation documents in /api/v1/openapi.json (errors included: 400, 401, 403,
  404, 409, 422, 429 are documented with the error body where the operation can answer them);
- the Content-Type and the body match the documented response schema for that status (success bodies and
  the `{"error": {"code", "message", "field"?}}` body alike), and documented headers are present.

The requests: for each operation, data that fits the schema ("positive") and data that breaks it
("negative": wrong types, missing required fields, out-of-range values), sent by a sampled caller: the
national admin, an area coordinator, a distributor's staff, a venue's staff, or nobody. Path parameters are
either generated or taken from real objects of a test world (a card, a visit, an offering...), so the
operations are also reached past their 404. The fuzzing goes through Django's WSGI handler in this process,
against the test database of the run (SQLite or PostgreSQL, whichever the pass uses).

What is not checked: that the answer is the right one (the operation and permission matrices and the
domain tests do that); whether invalid data is refused with 4xx rather than accepted (Schemathesis'
negative_data_rejection flags harmless leniency such as extra query parameters, so it is left out);
stateful sequences (create then read back) beyond what shared state between examples gives by chance.

Bounds: KAIKUKANTA_FUZZ_EXAMPLES examples per operation and mode (default 20), derandomized so every run
sends the same requests, and no Hypothesis example database (nothing is written into the repository).
"""

import os
from dataclasses import dataclass

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from kaikukanta.accounts.models import ApiToken, Role
from kaikukanta.core.api_support import token_digest
from kaikukanta.testing import make_area, make_organisation, make_token, make_user

from .operations import build_world

EXAMPLES = int(os.environ.get("KAIKUKANTA_FUZZ_EXAMPLES", "20"))
CALLERS = ("admin", "coordinator", "distributor", "venue", None)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]


@dataclass
class Finding:
    operation: str
    caller: str | None
    status: int
    titles: str
    report: str


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, sharing this test's database connection: the request signals would
    otherwise close it in the middle of the test's transaction (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _real_path_parameters(world) -> dict[str, object]:
    """Objects the operations can reach. The user, site and area are extra ones, so that a generated
    deactivation cannot lock a fuzzing caller out for the rest of the run."""
    network = world.network
    fuzz_staff = make_user("fuzz-staff", Role.DISTRIBUTOR, organisation=network.distributor)
    return {
        "area_id": make_area("Fuzz area", ["092"]).pk,
        "organisation_id": make_organisation("Fuzz venue", "venue", network.area, "091").pk,
        "offering_id": world.offering.pk,
        "user_id": fuzz_staff.pk,
        "token_id": ApiToken.objects.get(digest=token_digest(make_token(fuzz_staff))).pk,
        "token": world.spare_token,
        "number": world.card.number,
        "batch_id": world.batch.pk,
        "visit_id": world.visit.pk,
        "device_id": world.device_id,
        "conflict_id": world.conflict_id,
    }


def _strategy(operation, mode: GenerationMode, real: dict[str, object]):
    generated = operation.as_strategy(generation_mode=mode)
    names = [parameter.name for parameter in operation.path_parameters]
    if not names:
        return generated
    return st.one_of(generated, operation.as_strategy(
        generation_mode=mode, path_parameters={name: real[name] for name in names}))


def _fuzz(operation, mode: GenerationMode, tokens: dict, real: dict, findings: list[Finding], app) -> int:
    sent = 0

    @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=_strategy(operation, mode, real), caller=st.sampled_from(CALLERS))
    def run(case, caller):
        nonlocal sent
        headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller else {}
        response = case.call(headers=headers, app=app)
        sent += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except FailureGroup as group:
            titles = ", ".join(sorted({failure.title for failure in group.exceptions}))
            findings.append(Finding(operation.label, caller, response.status_code, titles, group.message))

    run()
    return sent


@pytest.mark.django_db
def test_generated_requests_get_documented_answers_and_never_a_server_error(wsgi_app):
    world = build_world()
    tokens = {caller: world.network.tokens[caller] for caller in CALLERS if caller}
    real = _real_path_parameters(world)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", wsgi_app)

    findings: list[Finding] = []
    sent, operations = 0, 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            sent += _fuzz(operation, mode, tokens, real, findings, wsgi_app)

    assert operations >= 40, f"only {operations} operations in the schema"
    assert sent >= operations * 2 * min(EXAMPLES, 5), f"only {sent} requests were sent"
    # One full report (with a curl command to replay it) per operation, status and kind of failure.
    distinct = {(f.operation, f.status, f.titles): f for f in findings}
    report = "\n\n".join(f"{f.operation} as {f.caller or 'nobody'} -> {f.status}: {f.titles}\n{f.report}"
                         for f in distinct.values())
    assert not findings, f"{len(findings)} generated requests got a wrong answer:\n\n{report}"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["users?organisation_id=-70576001998086928842096017900830720",
                                  f"areas/{10 ** 40}"])
def test_a_number_beyond_64_bits_is_invalid_input_not_a_server_error(network, path):
    """Found by the fuzzing above: SQLite's driver raised OverflowError on such an id (a 500). PostgreSQL
    compares it as a numeric and finds nothing, so there the answer may be an empty list."""
    response = network.client("admin").get(path)
    if response.status_code == 200:
        assert response.json()["results"] == []
    else:
        assert (response.status_code, response.json()["error"]["code"]) in ((400, "invalid"), (404, "not_found"))
