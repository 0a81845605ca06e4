"""Hostile values never make a server error: every page (each URL pattern, through its page example) is
opened with hostile query values and posted hostile form values, and every API list is paged with a
hostile `after`. An answer is the app's own page (or a redirect, or the file asked for), and on the API the
contract's JSON error body; never Django's bare 400 page or an HTML 500.

Runs on SQLite and PostgreSQL alike (NUL bytes only break PostgreSQL)."""

import re

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaikukanta.testing import all_page_examples, example_path, preferred_caller, sign_in

pytestmark = pytest.mark.django_db

# Unicode digits pass str.isdigit() and fail int(); NUL breaks PostgreSQL; the far ends of the calendar
# overflow date arithmetic; huge numbers overflow SQLite's integers.
HOSTILE = ["²", "١٢٣", "\x00", "a\x00b", "0001-01-01", "9999-12-31", "-1", "0", "99999999999999999999999999",
           "1e400", "'\"<>&", " ", "x" * 3000, "%00", "2024-02-30", "NaN", "[]", "-0001-01-01"]
# Parameters the pages read, beyond the form fields they show.
COMMON_NAMES = ["after", "day", "date", "offering_id", "area", "area_id", "number", "q", "from", "to", "on",
                "group_by", "year", "language", "postal_code", "card_type", "status", "kind", "page", "next",
                "venue_id", "organisation_id", "role", "format", "children", "valid_until", "issued_on"]
FIELD = re.compile(rb'<(?:input|select|textarea)[^>]*\bname="([^"]+)"')
EXAMPLES = all_page_examples()
PAGE_MARK = b'class="site-header"'


def _client(network, caller) -> Client:
    client = Client()
    if caller != "anonymous":
        sign_in(client, network.users[caller])
    return client


def _names(client, path: str, common=COMMON_NAMES) -> list[str]:
    """The fields the page shows, the parameters its example sends and those many pages read."""
    page = client.get(path)
    shown = FIELD.findall(page.content) if page["Content-Type"].startswith("text/html") else []
    asked = {pair.split("=", 1)[0] for pair in path.partition("?")[2].split("&") if pair}
    return sorted({name.decode() for name in shown if name != b"csrfmiddlewaretoken"} | asked | set(common))


def assert_own_answer(response, where: str) -> None:
    assert response.status_code < 500, f"{where}: {response.status_code}"
    if response.status_code < 400:
        return
    kind = response.get("Content-Type", "")
    if where.split("?")[0].startswith("/api/"):
        assert kind.startswith("application/json"), f"{where}: {response.status_code} {kind}"
        assert set(response.json()["error"]) >= {"code", "message"}, where
    else:
        assert kind.startswith("text/html"), f"{where}: {response.status_code} {kind}"
        assert PAGE_MARK in response.content, f"{where}: {response.status_code} is not the app's own page"


def _pages(network):
    """Each page in a savepoint undone afterwards: its example's objects and what the posts did go away."""
    for key, example in sorted(EXAMPLES.items()):
        with transaction.atomic():
            yield key, example, preferred_caller(example), example_path(key, example, network)
            transaction.set_rollback(True)


def test_every_page_survives_hostile_query_and_form_values(network):
    for key, example, caller, path in _pages(network):
        client = _client(network, caller)
        names = _names(client, path)
        base, _, query = path.partition("?")
        for value in HOSTILE:
            hostile = {name: value for name in names}
            if example.method == "get":
                response = client.get(base, {**dict(pair.split("=", 1) for pair in query.split("&") if pair),
                                             **hostile})
            else:
                response = client.post(path, hostile)
            assert_own_answer(response, f"{key} {example.method} {value[:12]!r}")


def test_every_page_survives_one_hostile_parameter_at_a_time(network):
    """One field hostile, the others as the page example has them: a form that stops at its first bad
    field cannot hide the next one."""
    for key, example, caller, path in _pages(network):
        if example.method != "get":
            continue
        client = _client(network, caller)
        for name in _names(client, path, common=("after", "day", "offering_id", "area", "area_id", "page")):
            for value in ("²", "\x00", "0001-01-01", "99999999999999999999"):
                separator = "&" if "?" in path else "?"
                from urllib.parse import quote
                response = client.get(f"{path}{separator}{name}={quote(value)}")
                assert_own_answer(response, f"{key} {name}={value!r}")


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_generated_values_on_generated_pages(network, data):
    key = data.draw(st.sampled_from(sorted(EXAMPLES)))
    example = EXAMPLES[key]
    caller = preferred_caller(example)
    with transaction.atomic():
        path = example_path(key, example, network)
        client = _client(network, caller)
        names = data.draw(st.lists(st.sampled_from(_names(client, path)), min_size=1, max_size=4, unique=True))
        text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=40)
        values = {name: data.draw(st.one_of(text, st.sampled_from(HOSTILE), st.integers().map(str)))
                  for name in names}
        base = path.split("?")[0]
        response = client.get(base, values) if example.method == "get" else client.post(path, values)
        assert_own_answer(response, f"{key} {values!r}"[:300])
        transaction.set_rollback(True)


API_LISTS = ["/api/v1/areas", "/api/v1/organisations", "/api/v1/offerings", "/api/v1/users", "/api/v1/cards",
             "/api/v1/visits", "/api/v1/card-batches"]


@pytest.mark.parametrize("value", ["²", "١٢٣", "\x00", "-1", "99999999999999999999999999", "1.5"])
def test_every_api_list_refuses_a_hostile_after_with_the_error_body(network, value):
    client = _client(network, "anonymous")
    for path in API_LISTS:
        response = client.get(path, {"after": value}, headers={"authorization": f"Bearer {network.tokens['admin']}"})
        assert_own_answer(response, f"{path}?after={value!r}")


BIG = b"x" * (11 * 1024 * 1024)


def test_an_oversized_body_is_the_apps_own_413(network):
    page = _client(network, "venue").post("/desk/check/", BIG, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413
    assert_own_answer(page, "/desk/check/")
    api = _client(network, "anonymous").post("/api/v1/visits", BIG, content_type="application/json",
                                            headers={"authorization": f"Bearer {network.tokens['venue']}"})
    assert api.status_code == 413
    assert api.json()["error"]["code"] == "too_large"
    assert_own_answer(api, "/api/v1/visits")


def test_an_unknown_page_is_the_apps_own_404(network):
    response = _client(network, "anonymous").get("/no-such-page/")
    assert response.status_code == 404
    assert_own_answer(response, "/no-such-page/")


def test_a_server_error_is_the_apps_own_page_and_on_the_api_the_error_body(rf):
    from django.urls import get_resolver

    handler = get_resolver().resolve_error_handler(500)
    page = handler(rf.get("/desk/check/"))
    assert page.status_code == 500 and PAGE_MARK in page.content
    api = handler(rf.get("/api/v1/cards"))
    assert api.status_code == 500 and api["Content-Type"].startswith("application/json")


def test_nul_bytes_in_a_json_name_are_refused_with_the_error_body(network):
    client = _client(network, "anonymous")
    response = client.post("/api/v1/offerings", {"venue_id": network.venue.pk, "name": "Konsertti\x00",
                                                 "kind": "event"}, content_type="application/json",
                           headers={"authorization": f"Bearer {network.tokens['admin']}"})
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid"
