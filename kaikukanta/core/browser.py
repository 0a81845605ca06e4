"""Browser tests: Playwright from PyPI driving Debian's Chromium, never a downloaded browser.

`browser_page(role)` gives a phone- or desktop-sized page signed in as a user of the test network;
`assert_accessible(page)` runs axe-core (vendored) and fails on serious or critical violations;
`screenshot(page, name)` keeps a picture of the page under var/screenshots/.
"""

import os
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
AXE = Path(settings.BASE_DIR) / "static" / "vendor" / "axe.min.js"
BLOCKING_IMPACTS = ("serious", "critical")
TEST_PASSWORD = "browser-test-password-1"


def browser_required() -> bool:
    """In CI the browser tests must fail, not skip, when Chromium is missing."""
    return os.environ.get("KAIKUKANTA_REQUIRE_BROWSER") == "1"


def assert_accessible(page, *, offline: bool = False) -> None:
    if offline:
        # Offline the page cannot fetch axe-core from the server: evaluated through the browser's debugging
        # protocol instead, which the page's CSP does not govern.
        page.evaluate(AXE.read_text())
    else:
        # From the server's own static files: the CSP refuses the inline script `add_script_tag(path=...)` makes.
        page.add_script_tag(url=urljoin(page.url, f"/{settings.STATIC_URL.strip('/')}/vendor/{AXE.name}"))
    result = page.evaluate(
        """async () => {
            const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }"""
    )
    blocking = [violation for violation in result if violation["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe-core found serious or critical violations on {page.url}: {blocking}"


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def log_in(page, base_url: str, username: str, password: str = TEST_PASSWORD) -> None:
    """Sign in through the login page; for a national admin or coordinator also through the second step,
    with the current code of the user's test authenticator (kaikukanta.testing.give_authenticator)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from kaikukanta.testing import current_code

    page.goto(f"{base_url}/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(password)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    if "/login/second-factor/" in page.url:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        page.locator("input[name=code]").fill(current_code(device))
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
