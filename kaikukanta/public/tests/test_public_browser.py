import datetime

import pytest
from django.core.cache import cache

from kaikukanta.core.browser import assert_accessible, screenshot
from kaikukanta.core.clock import today
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit


@pytest.mark.django_db(transaction=True)
def test_browser_home_finder_venue_and_my_card_on_a_phone(browser_page, site):
    cache.clear()
    day = today()
    make_offering(site.venue, "Hamlet", "event", date=day + datetime.timedelta(days=7))
    card = make_card(site.distributor, children=1, birth_year=1975, issued_on=day - datetime.timedelta(days=30))
    Visit.objects.create(card=card, venue=site.other_venue, used_on=day - datetime.timedelta(days=2), uses=2,
                         children=1)

    page = browser_page()
    page.goto(f"{site.base_url}/")
    assert page.get_by_role("heading", level=1).inner_text() == "Kaikukortti: kulttuuria ja liikuntaa maksutta"
    assert "Espoo, Helsinki" in page.locator(".public-areas").inner_text()
    assert_accessible(page)
    screenshot(page, "public-home")

    page.get_by_role("link", name="Etsi paikkoja, joissa kortti käy").first.click()
    page.wait_for_url("**/venues/")
    page.get_by_label("Kunta").select_option(label="Helsinki")
    page.get_by_role("button", name="Näytä paikat").click()
    page.wait_for_url("**/venues/?*municipality=091*")
    assert page.locator(".venue-list__name").all_inner_texts() == ["Kaupunginteatteri"]
    assert page.get_by_label("Kunta").input_value() == "091", "the chosen filter stays selected"
    assert_accessible(page)
    screenshot(page, "public-venues")

    page.get_by_role("link", name="Kaupunginteatteri").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Kaupunginteatteri"
    assert page.get_by_role("row", name="Hamlet").is_visible()
    assert_accessible(page)
    screenshot(page, "public-venue")
    page.get_by_role("link", name="Takaisin paikkojen listaan").click()
    assert page.get_by_label("Kunta").input_value() == "091", "back to the same filtered list"

    phone = browser_page(phone=True)
    phone.goto(f"{site.base_url}/my-card/")
    assert_accessible(phone)
    phone.get_by_label("Kortin numero").fill(f"{card.number[:5]} {card.number[5:]}")
    phone.get_by_label("Syntymävuotesi").fill("1975")
    phone.get_by_role("button", name="Näytä korttini").click()
    assert phone.locator(".status").inner_text().strip().endswith("Voimassa")
    assert phone.get_by_role("row", name="Tampereen museo").is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling on a phone"
    assert_accessible(phone)
    screenshot(phone, "public-my-card")
