"""axe-core on every page, not only on those the journeys pass through.

Each page of the page matrix that answers a GET with a whole HTML document is opened in Chromium as a
caller allowed to see it, in Finnish and at phone size for the desk, and must have no serious or critical
WCAG 2.1 AA violation. PDFs, downloads and htmx fragments are not documents and are left out.
"""

import pytest
from django.test import Client

from kaikukanta.core.browser import assert_accessible, log_in
from kaikukanta.core.testing import all_page_examples, example_path, sign_in

PREFERRED_CALLERS = ("venue", "distributor", "coordinator", "admin", "anonymous")


def _caller_for(example) -> str:
    return next(caller for caller in PREFERRED_CALLERS if caller in example.allowed)


def _is_document(response) -> bool:
    return (response.status_code == 200 and response["Content-Type"].startswith("text/html")
            and b"<html" in response.content[:400])


@pytest.mark.django_db(transaction=True)
def test_every_page_passes_axe_core(chromium, site):
    pages_by_caller: dict[str, list[str]] = {}
    for name, example in sorted(all_page_examples().items()):
        if example.method != "get":
            continue
        caller = _caller_for(example)
        path = example_path(name, example, site)
        client = Client()
        if caller != "anonymous":
            sign_in(client, site.users[caller])
        if _is_document(client.get(path)):
            pages_by_caller.setdefault(caller, []).append(path)

    checked = []
    for caller, paths in pages_by_caller.items():
        context = chromium.new_context(viewport={"width": 390, "height": 844} if caller == "venue" else None)
        page = context.new_page()
        if caller != "anonymous":
            log_in(page, site.base_url, site.users[caller].username)
        for path in paths:
            page.goto(f"{site.base_url}{path}")
            assert_accessible(page)
            checked.append(path)
        context.close()
    assert len(checked) >= 30, f"only {len(checked)} pages were checked: {checked}"
