"""The desk's most repeated task fits one phone screen: the number, the answer, the steppers and the record
button are all inside a 390 × 844 viewport without scrolling, at every text size, in Finnish and in
Swedish (the longer words), for a personal card with children and for a community card."""

import os
import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect

from kaikukanta.core.browser import PHONE
from kaikukanta.core.clock import today
from kaikukanta.testing import make_card, make_offering

SCREENS = Path(settings.BASE_DIR) / "var" / "screens"
RECORD = {"fi": "Kirjaa käynti", "sv": "Registrera besöket"}


def inside_viewport(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def assert_fits(page, selectors: list[str], where: str) -> None:
    assert page.evaluate("window.scrollY") == 0, f"{where}: the page scrolled"
    for selector in selectors:
        box = inside_viewport(page, selector)
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (
            f"{where}: {selector} spans {box['y']:.0f}–{box['y'] + box['height']:.0f} px, "
            f"below the {PHONE['height']} px screen")
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
            f"{where}: {selector} is cut off at the side ({box['x']:.0f}+{box['width']:.0f} px)")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fi", "sv"])
def test_the_desk_fits_a_phone_screen_at_every_text_size(browser_page, site, language):
    personal = make_card(site.distributor, children=3)
    second = make_card(site.distributor, children=2)
    community = make_card(site.distributor, card_type="community")
    make_offering(site.venue, "Hamlet – suuren näyttämön iltanäytös", date=today(), ticket_quota=30)
    worker = site.users["venue"]
    worker.language = language
    worker.save(update_fields=["language"])
    page = browser_page("venue", phone=True)
    for size in ("normal", "large", "larger"):
        page.context.add_cookies([{"name": "text_size", "value": size, "url": site.base_url}])
        page.goto(f"{site.base_url}/desk/check/")
        expect(page.locator("html")).to_have_class(re.compile(rf"\btext-{size}\b"))
        number = page.locator("#id_card_number")
        # The first visitor of the day, then the next one in the queue (the success notice still shown).
        number.fill(personal.number)
        expect(page.locator("#card-status [data-card-status=valid]")).to_be_visible()
        until = personal.valid_until
        expect(page.locator("#card-status")).to_contain_text(f"{until.day}.{until.month}.{until.year}")
        assert_fits(page, ["#id_card_number", "#card-status", "[data-stepper=children] .stepper__controls",
                           ".desk-record"], f"{language}, {size} text, first check")
        page.locator("[data-stepper=children] [data-step='1']").click()
        page.get_by_role("button", name=RECORD[language]).click()
        expect(page.locator(".messages .notice--success")).to_be_visible()
        number.fill(second.number)
        expect(page.locator(".messages .notice--success")).to_have_count(0)
        expect(page.locator(".recent__list")).to_contain_text(personal.number)
        expect(page.locator("#card-status [data-card-status=valid]")).to_contain_text(second.number)
        where = f"{language}, {size} text, next in the queue"
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"desk-phone-{language}-{size}.png"))
        assert_fits(page, ["#id_card_number", "[data-check-button]", "#card-status",
                           "[data-stepper=children] .stepper__controls", ".desk-record"], where)
        number.fill(community.number)
        expect(page.locator("#card-status [data-card-status=valid]")).to_contain_text(community.number)
        assert_fits(page, ["#id_card_number", "#card-status", "[data-stepper=clients] .stepper__controls",
                           ".desk-record"], f"{language}, {size} text, community card")
        # The header's menu is one button on a phone; behind it the pages, the language and the text size.
        menu = page.locator(".site-header__toggle")
        expect(menu).to_be_visible()
        expect(page.locator("#site-menu")).to_be_hidden()
        menu.click()
        expect(page.locator("#site-menu nav a").first).to_be_visible()
        expect(page.locator("#site-menu button[name=size]").first).to_be_visible()
        expect(page.locator("#site-menu button[name=language]").first).to_be_visible()
    assert os.path.exists(SCREENS / f"desk-phone-{language}-larger.png")
