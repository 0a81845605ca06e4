"""The desk devices' pages in a real browser at phone size: an enrolment code with its QR code (an image the
CSP lets through), revoking with its confirmation, and a conflict resolved by the coordinator."""

import pytest
from playwright.sync_api import expect

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.browser import assert_accessible
from kaikukanta.devices.models import Conflict, Device
from kaikukanta.testing import make_card
from kaikukanta.visits.models import Visit

from .support import enrol_device, queued


@pytest.mark.django_db(transaction=True)
def test_venue_staff_get_an_enrolment_code_and_revoke_a_device_on_a_phone(browser_page, site):
    # The live server's first answer (its static file index, the first connections) can take longer than a
    # step's patience on a busy machine: let it come once before the journey.
    browser_page().goto(f"{site.base_url}/login/", timeout=90_000)
    device, _ = enrol_device(site, name="Ovi 1")
    page = browser_page("venue", phone=True)
    page.goto(f"{site.base_url}/devices/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Lipunmyyntilaitteet")
    assert_accessible(page)
    page.get_by_role("button", name="Hae käyttöönottokoodi").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Käyttöönottokoodi")
    code = page.locator("code").inner_text()
    qr = page.get_by_role("img", name=f"Käyttöönottokoodin {code} QR-koodi")
    expect(qr).to_be_visible()
    assert qr.evaluate("image => image.complete && image.naturalWidth > 0"), "the CSP refused the QR image"
    assert_accessible(page)

    page.get_by_role("link", name="Takaisin laitteisiin").click()
    page.get_by_role("link", name="Poista käytöstä Ovi 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Poistetaanko laite Ovi 1 käytöstä?")
    assert_accessible(page)
    page.get_by_role("button", name="Poista laite käytöstä").click()

    expect(page.get_by_text("Laite Ovi 1 on poistettu käytöstä.")).to_be_visible()
    assert Device.objects.get(pk=device.pk).revoked_at is not None


@pytest.mark.django_db(transaction=True)
def test_the_coordinator_records_a_revoked_device_s_visit_from_the_inbox(browser_page, site):
    from kaikukanta.devices import services

    device, api = enrol_device(site)
    services.revoke_device(Caller.for_console(site.users["venue"]), device.pk)
    card = make_card(site.distributor)
    api.post("/api/v1/offline/visits", {"visits": [queued(card.number)]})
    page = browser_page("coordinator")
    page.goto(f"{site.base_url}/devices/venues/{site.venue.pk}/conflicts/")

    expect(page.get_by_role("cell", name=card.number)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("row").nth(1).get_by_role("link").click()
    expect(page.get_by_role("button", name="Kirjaa silti")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Kirjaa silti").click()

    expect(page.get_by_text("Käynti on kirjattu.")).to_be_visible()
    assert Conflict.objects.get().status == "recorded" and Visit.objects.count() == 1
