"""Every page works under the Content Security Policy: no script, style or resource it uses is refused.

Each page of the page matrix that answers a GET with a whole HTML document, and the API's documentation
page, is opened in Chromium as a caller allowed to see it. The browser reports every refusal of the policy
as a `securitypolicyviolation` event (collected by a script the browser injects before the page's own) and
as a console message; either fails the test. htmx (its indicator style is switched off in base.html),
Chart.js (styles set through the CSSOM are allowed) and the API docs (Swagger UI served from django-ninja's
own static files, no CDN) are what would trip it.
"""

import pytest

from kaikukanta.core.browser import log_in
from kaikukanta.testing import document_pages_by_caller

API_DOCS = "/api/v1/docs"

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
    window.__cspViolations.push(`${event.violatedDirective} refused ${event.blockedURI || 'inline'}`
                                + ` (${event.sourceFile || ''}:${event.lineNumber || ''})`);
});
"""


@pytest.mark.django_db(transaction=True)
def test_no_page_breaks_the_content_security_policy(chromium, site):
    pages_by_caller = document_pages_by_caller(site)
    pages_by_caller.setdefault("anonymous", []).insert(0, API_DOCS)

    violations: dict[str, list[str]] = {}
    checked = []
    for caller, paths in pages_by_caller.items():
        context = chromium.new_context()
        context.add_init_script(RECORD_VIOLATIONS)
        page = context.new_page()
        console: list[str] = []
        page.on("console", lambda message, console=console: console.append(message.text))
        if caller != "anonymous":
            log_in(page, site.base_url, site.users[caller].username)
        for path in paths:
            console.clear()
            page.goto(f"{site.base_url}{path}")
            page.wait_for_load_state("networkidle")
            found = page.evaluate("window.__cspViolations") + [
                text for text in console if "Content Security Policy" in text]
            if found:
                violations[f"{caller} {path}"] = found
            checked.append(path)
        context.close()

    assert not violations, f"the Content Security Policy refused something: {violations}"
    assert API_DOCS in checked and len(checked) >= 30, f"only {len(checked)} pages were checked: {checked}"


@pytest.mark.django_db(transaction=True)
def test_the_check_catches_an_inline_script(chromium, site):
    """The listener above does see a refusal: an inline script on a served page is reported."""
    context = chromium.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    page = context.new_page()
    page.goto(f"{site.base_url}/")
    page.evaluate("""() => { const s = document.createElement('script'); s.textContent = 'window.ran = 1';
                            document.body.appendChild(s); }""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.ran") is None
    assert any(v.startswith("script-src") for v in page.evaluate("window.__cspViolations"))
    context.close()
