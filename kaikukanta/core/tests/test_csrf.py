"""CSRF on every form: every page's POST forms carry the token, and every POST target refuses a request
without one, writing nothing.

The pages come from the page matrix (`<app>/tests/page_examples.py`), each rendered as a caller allowed to
open it, with a recorded visit in the network so that the desk's undo form is on the page too. The POST
targets are the matrix's POST pages plus the action of every form found on those pages.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.caller import Caller
from kaikukanta.testing import (
    PREFERRED_CALLERS,
    all_page_examples,
    example_path,
    make_card,
    preferred_caller,
    sign_in,
)


class _Forms(HTMLParser):
    """The POST forms of a page: their action, their fields, and whether the CSRF token is among them;
    and the body's htmx headers."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self.body_hx_headers: str | None = None
        self.is_fragment = True
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.is_fragment = False
        elif tag == "body":
            self.body_hx_headers = attrs.get("hx-headers")
        elif tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._open = {"action": attrs.get("action") or "", "fields": {}, "has_token": False}
            self.forms.append(self._open)
        elif tag in ("input", "select", "textarea", "button") and self._open is not None and attrs.get("name"):
            if attrs["name"] == "csrfmiddlewaretoken":
                self._open["has_token"] = bool(attrs.get("value"))
            else:
                self._open["fields"].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def _client(network, caller: str) -> Client:
    """A caller's browser that checks CSRF as a real one would, already holding the CSRF cookie: what is
    refused below is the missing token, not a missing cookie."""
    client = Client(enforce_csrf_checks=True)
    if caller != "anonymous":
        sign_in(client, network.users[caller])
    client.get("/login/" if caller == "anonymous" else "/")
    assert client.cookies.get(settings.CSRF_COOKIE_NAME), "no CSRF cookie was set"
    return client


def _clients(network) -> dict[str, Client]:
    return {caller: _client(network, caller) for caller in PREFERRED_CALLERS}


def _rendered_pages(network):
    """(name, client, path, parsed forms) of every GET page that answers with HTML. Each page's own objects
    are built and rendered in a transaction undone after the caller has looked at it, so the examples
    cannot collide with each other; what the caller does with a page happens while it still stands."""
    from kaikukanta.visits.services import record_visit

    record_visit(Caller.for_console(network.users["venue"]), card_number=make_card(network.distributor).number)
    clients = _clients(network)
    for name, example in sorted(all_page_examples().items()):
        if example.method != "get":
            continue
        with transaction.atomic():
            client = clients[preferred_caller(example)]
            path = example_path(name, example, network)
            response = client.get(path)
            if response.status_code == 200 and response["Content-Type"].startswith("text/html"):
                parser = _Forms()
                parser.feed(response.content.decode())
                yield name, client, path, parser
            transaction.set_rollback(True)


def _row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()
            if model._meta.label != "sessions.Session"}


@pytest.mark.django_db
def test_every_post_form_on_every_page_carries_the_csrf_token(network):
    without_token, form_count, page_count = [], 0, 0
    for name, _client, path, parser in _rendered_pages(network):
        if not parser.is_fragment:
            page_count += 1
            assert parser.body_hx_headers and '"X-CSRFToken": "' in parser.body_hx_headers, (
                f"{name}: htmx requests would be sent without the CSRF header")
        for form in parser.forms:
            form_count += 1
            if not form["has_token"]:
                without_token.append((name, path, form["action"]))
    assert not without_token, f"POST forms without csrfmiddlewaretoken: {without_token}"
    # The header's three forms alone are on every page; fewer means pages were not rendered.
    assert page_count >= 30 and form_count >= 3 * page_count, (page_count, form_count)


def _post_without_token(client: Client, target: str, fields: dict) -> tuple[int, bool]:
    """The status of a POST without a CSRF token, and whether it changed any table."""
    before = _row_counts()
    response = client.post(target, fields)
    return response.status_code, _row_counts() != before


@pytest.mark.django_db
def test_every_post_target_refuses_a_request_without_the_token_and_writes_nothing(network):
    outcomes: dict[str, tuple[int, bool]] = {}
    clients = _clients(network)
    for name, example in sorted(all_page_examples().items()):
        if example.method == "post":
            with transaction.atomic():
                target = example_path(name, example, network)
                outcomes[target] = _post_without_token(clients[preferred_caller(example)], target, {})
                transaction.set_rollback(True)
    for _name, client, path, parser in _rendered_pages(network):
        for form in parser.forms:
            target = urlsplit(urljoin(path, form["action"])).path
            if target not in outcomes:
                outcomes[target] = _post_without_token(client, target, form["fields"])
    assert len(outcomes) >= 20, f"only {len(outcomes)} POST targets found: {sorted(outcomes)}"
    wrong = {target: outcome for target, outcome in outcomes.items() if outcome != (403, False)}
    assert not wrong, f"POSTs without a CSRF token not refused with 403, or that wrote (status, wrote): {wrong}"


@pytest.mark.django_db
def test_an_htmx_post_with_the_header_token_is_accepted_and_one_with_a_wrong_token_refused(network):
    client = _client(network, "venue")
    page = client.get(reverse("desk:check"))
    parser = _Forms()
    parser.feed(page.content.decode())
    token = parser.body_hx_headers.split('"X-CSRFToken": "')[1].split('"')[0]
    assert client.cookies[settings.CSRF_COOKIE_NAME].value

    htmx = {"HX-Request": "true"}
    accepted = client.post("/text-size/", {"size": "large", "next": "/desk/"},
                           headers={**htmx, "X-CSRFToken": token})
    assert accepted.status_code == 302
    refused = client.post("/text-size/", {"size": "larger", "next": "/desk/"},
                          headers={**htmx, "X-CSRFToken": "x" * 64})
    assert refused.status_code == 403
    assert 'class="text-large"' in client.get(reverse("desk:check")).content.decode()
