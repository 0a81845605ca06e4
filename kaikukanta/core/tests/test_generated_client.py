"""An integrator's client: generated from /api/v1/openapi.json by openapi-python-client, as a mainstream
generator would, and driven through a journey against a live server. It fails if operation ids are module
paths, if refusals are not the one shared `Error`, if an optional body crashes the generated code or if the
schema stops generating."""

import datetime
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kaikukanta.testing import ApiClient, build_network, stock_numbers

PACKAGE = "kaikukanta_api_client"


@pytest.fixture
def generated(tmp_path, live_server, transactional_db):
    schema = ApiClient().get("/api/v1/openapi.json").json()
    (tmp_path / "openapi.json").write_text(json.dumps(schema))
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}"}
    result = subprocess.run(
        [str(Path(venv_bin) / "openapi-python-client"), "generate", "--path", "openapi.json", "--meta", "none",
         "--overwrite"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Warning" not in result.stdout.replace("ruff is not in PATH", ""), result.stdout
    sys.path.insert(0, str(tmp_path))
    for name in [one for one in sys.modules if one.startswith(PACKAGE)]:
        del sys.modules[name]
    yield schema, importlib.import_module(PACKAGE)
    sys.path.remove(str(tmp_path))


def test_the_schema_reads_well_for_a_generator(anonymous):
    schema = anonymous.get("/api/v1/openapi.json").json()
    ids = [operation["operationId"] for operations in schema["paths"].values() for operation in operations.values()]
    assert len(ids) == len(set(ids))
    assert {"issue_card", "record_visit", "create_token", "stats_summary"} <= set(ids)
    assert not [one for one in ids if "kaikukanta" in one or "_api_" in one]
    errors = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            body = operation.get("requestBody")
            if body:
                media = body["content"]["application/json"]
                assert "anyOf" not in media["schema"] and "example" in media, operation["operationId"]
            for status, response in operation["responses"].items():
                content = response.get("content", {}).get("application/json")
                if content is None:
                    continue
                assert "example" in content, (operation["operationId"], status)
                if int(status) >= 400:
                    errors.add(json.dumps(content["schema"]))
    assert errors == {json.dumps({"$ref": "#/components/schemas/Error"})}
    assert not [name for name in schema["components"]["schemas"] if "Error" in name and name not in (
        "Error", "ErrorDetail")]


def test_a_generated_client_drives_a_journey(generated, live_server):
    _, client_package = generated
    import_module = importlib.import_module

    network = build_network()
    number = stock_numbers(network.distributor, 1)[0]
    models = import_module(f"{PACKAGE}.models")
    issue_card = import_module(f"{PACKAGE}.api.cards.issue_card")
    record_visit = import_module(f"{PACKAGE}.api.visits.record_visit")
    create_token = import_module(f"{PACKAGE}.api.accounts.create_token")
    # The paths in the schema carry /api/v1; the client's base is the server itself.
    base = live_server.url
    distributor = client_package.AuthenticatedClient(base_url=base, token=network.tokens["distributor"])
    venue = client_package.AuthenticatedClient(base_url=base, token=network.tokens["venue"])

    body = models.CardIn(number=number, card_type=models.CardInCardType.PERSONAL,
                         valid_until=datetime.date.today() + datetime.timedelta(days=100),
                         holder=models.HolderIn(birth_year=1980, postal_code="00100", children=1))
    issued = issue_card.sync_detailed(client=distributor, body=body)
    assert issued.status_code == 201 and isinstance(issued.parsed, models.CardOut)
    assert issued.parsed.number == number and issued.parsed.children == 1

    # A refusal is the shared Error, with its code and the field it concerns.
    again = issue_card.sync_detailed(client=distributor, body=body)
    assert isinstance(again.parsed, models.Error) and again.status_code in (409, 422)
    assert again.parsed.error.code.value and again.parsed.error.message

    visit = record_visit.sync_detailed(client=venue, body=models.VisitIn(card_number=number, children=1),
                                       idempotency_key="journey-1")
    assert visit.status_code == 201 and isinstance(visit.parsed, models.VisitOut)
    assert visit.parsed.uses == 2

    too_many = record_visit.sync_detailed(client=venue, body=models.VisitIn(card_number=number, children=5))
    assert too_many.status_code == 422 and isinstance(too_many.parsed, models.Error)
    assert too_many.parsed.error.code.value == "too_many_children"
    assert too_many.parsed.error.field == "children"

    # Token creation without its optional body: the generated code sends nothing and parses the answer.
    venue_user = network.users["venue"]
    token = create_token.sync_detailed(venue_user.pk, client=venue)
    assert token.status_code == 201 and isinstance(token.parsed, models.TokenOut), token.content
    assert token.parsed.token.startswith("kk_")
