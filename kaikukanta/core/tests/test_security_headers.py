"""Security headers on every kind of response, and the production-only ones under production settings.

The development settings (DJANGO_DEBUG=1, what the test suite runs with) already send the policy headers;
HSTS, secure cookies and the HTTPS redirect only make sense behind HTTPS, so they are checked by starting
Django in a subprocess with DJANGO_DEBUG=0, as production runs it.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client

from kaikukanta.testing import ApiClient, sign_in


def _directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        name, *values = part.split()
        parsed[name] = values
    return parsed


def _responses(network):
    signed_in = Client()
    sign_in(signed_in, network.users["distributor"])
    return {
        "public page": Client().get("/"),
        "login page": Client().get("/login/"),
        "signed-in page": signed_in.get("/cards/"),
        "page not found": Client().get("/no-such-page/"),
        "API answer": network.client("distributor").get("cards"),
        "API refusal": ApiClient().get("cards"),
        "API schema": Client().get("/api/v1/openapi.json"),
    }


@pytest.mark.django_db
def test_every_kind_of_response_carries_the_security_headers(network):
    for kind, response in _responses(network).items():
        assert response["X-Frame-Options"] == "DENY", kind
        assert response["X-Content-Type-Options"] == "nosniff", kind
        assert response["Referrer-Policy"] == "same-origin", kind
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", kind
        policy = _directives(response["Content-Security-Policy"])
        assert policy["frame-ancestors"] == ["'none'"], kind
        assert policy["default-src"] == ["'self'"], kind
        assert policy["object-src"] == ["'none'"], kind


@pytest.mark.django_db
def test_the_content_security_policy_allows_no_inline_code_and_no_other_origin(network):
    policy = _directives(Client().get("/")["Content-Security-Policy"])
    for directive in ("script-src", "style-src"):
        assert policy[directive] == ["'self'"], directive
    for values in policy.values():
        for value in values:
            assert value not in ("'unsafe-inline'", "'unsafe-eval'", "*", "http:", "https:"), (values, policy)
            assert "://" not in value, f"another origin is allowed: {value}"
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"]


@pytest.mark.django_db
def test_session_cookie_is_not_readable_by_scripts_nor_sent_cross_site(network):
    user = network.users["venue"]
    user.set_password("a-long-test-password-1")
    user.save(update_fields=["password"])
    response = Client().post("/login/", {"username": user.username, "password": "a-long-test-password-1"})
    assert response.status_code == 302, "the login itself failed"
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.test import Client
client = Client()
secure = client.get("/login/", secure=True, headers={"host": "kaikukanta.example"})
plain = client.get("/login/", headers={"host": "kaikukanta.example"})
csrf = secure.cookies.get("csrftoken")
from django.conf import settings
print(json.dumps({
    "secure_status": secure.status_code,
    "hsts": secure.get("Strict-Transport-Security"),
    "csp": secure.get("Content-Security-Policy"),
    "plain_status": plain.status_code,
    "plain_location": plain.get("Location"),
    "plain_hsts": plain.get("Strict-Transport-Security"),
    "csrf_cookie_secure": bool(csrf and csrf["secure"]),
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "debug": settings.DEBUG,
}))
"""


def production_environment(**extra) -> dict[str, str]:
    environment = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    environment.update(DJANGO_SETTINGS_MODULE="kaikukanta.settings", DJANGO_DEBUG="0",
                       SECRET_KEY=secrets.token_urlsafe(64), ALLOWED_HOSTS="kaikukanta.example")
    environment.update(extra)
    return environment


def test_production_settings_send_hsts_redirect_to_https_and_mark_cookies_secure(tmp_path):
    # A database file of its own: the login page needs no table, and nothing may touch the developer's data.
    environment = production_environment(DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    result = subprocess.run([sys.executable, "-c", PRODUCTION_PROBE], env=environment, cwd=settings.BASE_DIR,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["debug"] is False
    assert seen["secure_status"] == 200
    hsts = seen["hsts"] or ""
    max_age = int(hsts.split("max-age=")[1].split(";")[0])
    assert max_age >= 365 * 24 * 3600
    assert "includeSubDomains" in hsts and "preload" in hsts
    assert "'unsafe-inline'" not in seen["csp"]
    assert seen["plain_status"] == 301
    assert seen["plain_location"] == "https://kaikukanta.example/login/"
    assert seen["plain_hsts"] is None, "HSTS over plain HTTP means nothing and must not be sent"
    assert seen["csrf_cookie_secure"] is True
    assert seen["session_cookie_secure"] is True
