import json
import re
from pathlib import Path

from django.conf import settings

# The project's own copy of the HTTP contract. The shared conformance tool, where a checkout has it beside the
# project, is run by .ci/run as an extra step; nothing here needs anything outside the repository.
CONTRACT = Path(settings.BASE_DIR) / "docs" / "API.md"
# An operation the contract offers as one choice ("… or what the schema offers") is not required.
OPERATION = re.compile(r"`((?:GET|POST|PATCH|PUT|DELETE)(?:\|(?:GET|POST|PATCH|PUT|DELETE))*) (/api/v1/[^`?\s]*)"
                       r"(?![^`]*`\s+or what the\s+schema offers)")


def _shape(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "{}", path.rstrip("/"))


def contract_operations() -> set[tuple[str, str]]:
    text = CONTRACT.read_text(encoding="utf-8")
    return {(method.lower(), _shape(path))
            for methods, path in OPERATION.findall(text) for method in methods.split("|")}


def test_schema_is_public_and_lists_every_operation_of_the_contract(anonymous):
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    served = {(method, _shape(path)) for path, item in schema["paths"].items() for method in item}
    named = contract_operations()
    assert len(named) > 25, "the contract in docs/API.md names the API's operations"
    assert named - served == set(), json.dumps(sorted(named - served))


def test_unknown_token_is_refused_with_the_contract_error_body(db):
    from kaikukanta.testing import ApiClient

    response = ApiClient("kk_not-a-real-token").get("/api/v1/settings")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_readable_api_page_and_its_assets_are_served_without_internet(anonymous):
    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in page.content
    asset = anonymous.get("/static/ninja/swagger-ui-bundle.js")
    assert asset.status_code == 200
