import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings

CONFORMANCE_TOOL = Path(settings.BASE_DIR).parent / "shared" / "tools" / "api_conformance.py"


def test_schema_is_public_and_lists_every_operation_of_the_contract(anonymous, tmp_path):
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema_file = tmp_path / "openapi.json"
    schema_file.write_text(json.dumps(response.json()))
    assert CONFORMANCE_TOOL.exists(), f"the shared conformance tool is missing at {CONFORMANCE_TOOL}"
    result = subprocess.run([sys.executable, str(CONFORMANCE_TOOL), str(schema_file)], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_unknown_token_is_refused_with_the_contract_error_body(db):
    from kaikukanta.core.testing import ApiClient

    response = ApiClient("kk_not-a-real-token").get("/api/v1/settings")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_readable_api_page_and_its_assets_are_served_without_internet(anonymous):
    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 200
    assert b"/static/ninja/swagger-ui-bundle.js" in page.content
    asset = anonymous.get("/static/ninja/swagger-ui-bundle.js")
    assert asset.status_code == 200
