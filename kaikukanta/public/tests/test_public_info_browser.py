"""The venue finder's new filters, a venue's public page, the statements reached from the footer: in Chromium,
on a phone and a desktop, axe clean."""

import pytest
from django.core.cache import cache

from kaikukanta.core.browser import assert_accessible, screenshot
from kaikukanta.network.models import Organisation
from kaikukanta.testing import make_organisation


@pytest.mark.django_db(transaction=True)
def test_browser_finder_filters_venue_page_and_statements(browser_page, site):
    cache.clear()
    Organisation.objects.filter(pk=site.venue.pk).update(
        street_address="Eläintarhantie 5, 00530 Helsinki", website="https://teatteri.example",
        public_phone="09 394 022", accessibility_info="Esteetön sisäänkäynti.", children_welcome=True)
    make_organisation("Espoon uimahalli", "venue", site.area, "049", category="sport", sector="sport",
                      booking_needed=False)

    page = browser_page()
    page.goto(f"{site.base_url}/venues/")
    page.get_by_label("Lapset tervetulleita").check()
    page.get_by_role("button", name="Näytä paikat").click()
    page.wait_for_url("**/venues/?*children=on*")
    assert page.locator(".venue-list__name").all_inner_texts() == ["Kaupunginteatteri"]
    assert page.get_by_label("Lapset tervetulleita").is_checked(), "the filter stays chosen"
    assert_accessible(page)
    page.goto(f"{site.base_url}/venues/?no_booking=on")
    assert page.locator(".venue-list__name").all_inner_texts() == ["Espoon uimahalli"]
    page.goto(f"{site.base_url}/venues/")
    page.get_by_label("Paikan nimi").fill("teatteri")
    page.get_by_role("button", name="Näytä paikat").click()
    page.get_by_role("link", name="Kaupunginteatteri").click()
    assert page.get_by_text("Eläintarhantie 5, 00530 Helsinki").is_visible()
    assert page.get_by_role("link", name="https://teatteri.example").is_visible()
    assert page.get_by_role("heading", name="Saavutettavuus ja esteettömyys").is_visible()
    assert_accessible(page)
    screenshot(page, "public-venue-contact")

    phone = browser_page(phone=True)
    phone.goto(f"{site.base_url}/")
    phone.locator(".site-footer").get_by_role("link", name="Saavutettavuusseloste").click()
    phone.wait_for_url("**/accessibility/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Saavutettavuusseloste"
    assert phone.get_by_role("link", name="www.saavutettavuusvaatimukset.fi").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    assert_accessible(phone)
    screenshot(phone, "public-accessibility")
    phone.locator(".site-footer").get_by_role("link", name="Tietosuojaseloste").click()
    phone.wait_for_url("**/privacy/")
    assert phone.get_by_role("heading", level=1).inner_text() == "Tietosuojaseloste"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert_accessible(phone)
    screenshot(phone, "public-privacy")
