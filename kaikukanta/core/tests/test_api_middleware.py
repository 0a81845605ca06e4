"""The bearer-token API skips the page-only middleware (core.middleware.pages_only) and the page's language
look-ups (core.middleware.LanguageMiddleware), and a busy PostgreSQL connection is not health-checked before
every request (core.postgresql): what that changes, and what not."""

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from kaikukanta.accounts import middleware as session_expiry
from kaikukanta.core.errors import Code, Refusal
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


@pytest.mark.parametrize("header, language", [(None, "fi"), ("sv-FI", "sv"), ("de, en;q=0.5, sv;q=0.4", "en")])
def test_an_api_answer_is_in_accept_languages_choice_with_its_language_headers(network, header, language):
    browser = Client()
    # A page's language cookie is not the API's: its messages follow Accept-Language alone.
    browser.cookies["django_language"] = "sv" if language != "sv" else "en"
    extra = {"HTTP_ACCEPT_LANGUAGE": header} if header else {}
    response = browser.get("/api/v1/cards/0000000000", HTTP_AUTHORIZATION=f"Bearer {network.tokens['venue']}",
                           **extra)
    body = response.json()["error"]
    assert (response.status_code, body["code"]) == (404, "card_not_found")
    assert body["message"] == Refusal(Code.CARD_NOT_FOUND).message(language)
    assert response["Content-Language"] == language
    assert "Accept-Language" in response["Vary"]
    assert translation.get_language() == language  # what a view's gettext would have used


def test_a_page_still_takes_its_language_from_the_cookie(network):
    browser = Client()
    browser.cookies["django_language"] = "sv"
    response = browser.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "sv"
