"""axe-core on every page, not only on those the journeys pass through.

Each page of the page matrix that answers a GET with a whole HTML document is opened in Chromium as a
caller allowed to see it, in Finnish and at phone size for the desk, and must have no serious or critical
WCAG 2.1 AA violation. PDFs, downloads and htmx fragments are not documents and are left out.
"""

import pytest

from kaikukanta.core.browser import assert_accessible, log_in
from kaikukanta.testing import document_pages_by_caller


@pytest.mark.django_db(transaction=True)
def test_every_page_passes_axe_core(chromium, site):
    pages_by_caller = document_pages_by_caller(site)

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
