"""One scanning component: the distributor's camera dialog has the desk's title, hint and failure message.
The test browser has no camera, so opening it fails, which is what the message is for."""

import pytest
from playwright.sync_api import expect


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("role", "path"), [("distributor", "/cards/issue/"), ("venue", "/desk/check/")])
def test_the_camera_dialog_says_what_to_do_and_when_the_camera_fails(browser_page, site, role, path):
    page = browser_page(role)
    page.goto(f"{site.base_url}{path}")
    scan = page.locator("main [data-scan-for]")
    expect(scan).to_be_visible()
    expect(scan).to_have_accessible_name("Skannaa")
    scan.click()
    dialog = page.locator("dialog.scanner")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_role("heading")).to_have_text("Lue kortti kameralla")
    expect(dialog).to_contain_text("Osoita kameralla kortin QR-koodia tai viivakoodia.")
    expect(dialog.locator(".scanner__failure")).to_have_text("Kameraa ei voitu avata. Kirjoita numero.")
    expect(dialog.get_by_role("button", name="Sulje kamera")).to_be_visible()
