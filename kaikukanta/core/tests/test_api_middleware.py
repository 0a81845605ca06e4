"""The bearer-token API skips the page-only middleware (core.middleware.pages_only), and a busy PostgreSQL
connection is not health-checked before every request (core.postgresql): what that changes, and what not."""

import pytest
from django.db import connection
from django.test import Client

from kaikukanta.accounts import middleware as session_expiry
from kaikukanta.testing import make_card, sign_in


def test_an_api_call_with_a_browser_session_beside_its_token_answers_as_the_token_and_leaves_the_session(
        network, monkeypatch):
    browser = Client()
    sign_in(browser, network.users["distributor"])
    card = make_card(network.distributor)
    # Long enough after signing in that a page request would write the session's last-seen time back.
    later = session_expiry.now() + 2 * session_expiry.LAST_SEEN_RESOLUTION
    monkeypatch.setattr(session_expiry, "now", lambda: later)

    response = browser.get(f"/api/v1/cards/{card.number}",
                           HTTP_AUTHORIZATION=f"Bearer {network.tokens['venue']}")

    assert response.status_code == 200
    assert response.json()["number"] == card.number
    assert "sessionid" not in response.cookies
    assert "csrftoken" not in response.cookies
    # The page still finds the browser signed in, and its session is then refreshed as before.
    page = browser.get("/")
    assert page.wsgi_request.user == network.users["distributor"]
    assert "sessionid" in page.cookies


def test_an_api_request_without_a_token_runs_the_page_middleware_and_is_refused(network):
    browser = Client()
    sign_in(browser, network.users["venue"])
    card = make_card(network.distributor)

    response = browser.get(f"/api/v1/cards/{card.number}")

    assert response.status_code == 401
    assert response.wsgi_request.user == network.users["venue"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the PostgreSQL backend's health check")
def test_a_connection_is_health_checked_only_after_it_has_been_idle(db, settings, monkeypatch):
    connection.ensure_connection()
    checks = []
    monkeypatch.setattr(connection, "health_check_enabled", True)
    monkeypatch.setattr(connection, "is_usable", lambda: checks.append(1) or True)

    settings.KAIKUKANTA_DB_HEALTH_CHECK_IDLE_SECONDS = 3600
    connection.close_if_unusable_or_obsolete()
    connection.close_if_health_check_failed()
    assert checks == []

    settings.KAIKUKANTA_DB_HEALTH_CHECK_IDLE_SECONDS = 0
    connection.close_if_unusable_or_obsolete()
    connection.close_if_health_check_failed()
    assert checks == [1]
