"""Every page against every caller: the page counterpart of the API operation matrix.

Each app lists its pages in `<app>/tests/page_examples.py` as `EXAMPLES = {url name: PageExample}`, with
the callers who may open it written out by hand. A URL pattern without an example fails this suite, so a
new page cannot ship without its permissions being decided and tested.
"""

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from kaikukanta.testing import (
    LOCKED_OUT_CALLERS,
    PAGE_CALLERS,
    all_page_examples,
    example_path,
    lock_out,
    sign_in,
    url_name_of,
)

SKIPPED_NAMESPACES = {"admin"}
# 400 too: a parameter naming an object outside the caller's scope may be refused as invalid input.
REFUSED = {400, 403, 404}


EXAMPLES = all_page_examples()


def _patterns():
    def walk(resolver, namespace=""):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or ""
                if inner in SKIPPED_NAMESPACES or "api" in str(entry.pattern):
                    continue
                yield from walk(entry, f"{namespace}{inner}:" if inner else namespace)
            elif isinstance(entry, URLPattern) and entry.name:
                yield f"{namespace}{entry.name}", entry
    return dict(walk(get_resolver()))


PATTERNS = _patterns()
PAGE_NAMES = sorted(PATTERNS)


def test_every_page_has_an_example_with_its_callers():
    named = {url_name_of(key) for key in EXAMPLES}
    missing = [name for name in PAGE_NAMES if name not in named]
    assert not missing, f"pages without a PageExample in <app>/tests/page_examples.py: {missing}"


def test_every_view_declares_its_access():
    undeclared = []
    for name in PAGE_NAMES:
        view = get_resolver().resolve(reverse(name, kwargs=_placeholder_kwargs(name))).func
        if not hasattr(view, "page_access") and not hasattr(getattr(view, "view_class", None), "page_access"):
            undeclared.append(name)
    assert not undeclared, f"views without page(...), signed_in_page or public_page: {undeclared}"


def _placeholder_kwargs(name: str) -> dict:
    pattern = PATTERNS[name]
    return {key: ("1" if converter.regex == "[0-9]+" else "x")
            for key, converter in pattern.pattern.converters.items()}




@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_page_admits_exactly_its_callers(name, network):
    example = EXAMPLES[name]
    path = example_path(name, example, network)
    outcomes = {}
    for caller in PAGE_CALLERS:
        client = Client()
        if caller != "anonymous":
            sign_in(client, network.users[caller])
        response = getattr(client, example.method)(path)
        if caller in example.allowed:
            admitted = response.status_code not in REFUSED and not _sent_to_login(response)
        else:
            admitted = False if caller == "anonymous" and _sent_to_login(response) else (
                response.status_code not in REFUSED)
        outcomes[caller] = admitted == (caller in example.allowed) or response.status_code
    wrong = {caller: outcome for caller, outcome in outcomes.items() if outcome is not True}
    assert not wrong, f"{name} ({path}): callers treated wrongly (status shown): {wrong}"


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_a_caller_locked_out_after_signing_in_is_refused_like_the_anonymous(name, network):
    """A deactivated user, and the staff of a site taken out of the network, with a session opened before:
    every page treats them as signed out (the public pages stay open to them, as to anyone)."""
    example = EXAMPLES[name]
    outcomes = {}
    for caller in LOCKED_OUT_CALLERS:
        with transaction.atomic():
            path = example_path(name, example, network)
            client = Client()
            sign_in(client, network.users["admin" if caller == "inactive_user" else "distributor"])
            lock_out(network, caller)
            response = getattr(client, example.method)(path)
            refused = _sent_to_login(response) or response.status_code in REFUSED
            outcomes[caller] = refused != ("anonymous" in example.allowed) or response.status_code
            transaction.set_rollback(True)
    wrong = {caller: outcome for caller, outcome in outcomes.items() if outcome is not True}
    assert not wrong, f"{name}: locked-out callers treated wrongly (status shown): {wrong}"


def _sent_to_login(response) -> bool:
    return response.status_code == 302 and reverse("accounts:login") in response.get("Location", "")
