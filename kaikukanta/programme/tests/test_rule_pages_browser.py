"""The rule pages in Chromium: a coordinator changes its area's children's age limit, reads the preview
sentence in Finnish, Swedish and English, saves, and sees the rule in force; the holder's My card applies it at
once. Every state of the page passes axe."""

import datetime
import re

import pytest

from kaikukanta.core.browser import assert_accessible, screenshot
from kaikukanta.core.clock import today
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.testing import make_card

PREVIEWS = {"fi": "{date} alkaen lapset 17-vuotiaiksi asti alueella {place}",
            "sv": "från {date} barn upp till 17 år i {place}",
            "en": "from {date} children up to 17 in {place}"}
PREVIEW_BUTTON = {"fi": "Esikatsele", "sv": "Förhandsgranska", "en": "Preview"}


def _children_today(page, base_url, number) -> str:
    page.goto(f"{base_url}/my-card/")
    page.locator("input[name=card_number]").fill(number)
    page.locator("input[name=birth_year]").fill("1980")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()
    row = page.locator(".public-facts div").filter(has_text="Tänään maksutta mukaan pääsevät lapset")
    return row.locator("dd").inner_text()


@pytest.mark.django_db(transaction=True)
def test_browser_a_coordinator_previews_a_rule_in_three_languages_saves_it_and_it_applies(browser_page, site):
    day = today()
    place = site.area.name
    card = make_card(site.distributor, children=2, birth_year=1980,
                     children_birth_years=[day.year - 18, day.year - 5])
    holder = browser_page()
    assert _children_today(holder, site.base_url, card.number) == "2"

    page = browser_page("coordinator")
    page.goto(f"{site.base_url}/rules/")
    assert place in page.get_by_role("heading", level=1).inner_text()
    assert_accessible(page)
    for language in ("fi", "sv", "en"):
        if language != "fi":
            page.locator(f"button[name=language][value={language}]").first.click()
            page.wait_for_load_state()
        page.locator("input[name=children_max_age]").fill("17")
        page.get_by_role("button", name=PREVIEW_BUTTON[language], exact=True).click()
        page.wait_for_load_state()
        sentence = PREVIEWS[language].format(date=f"{day.day}.{day.month}.{day.year}", place=place)
        notice = page.get_by_role("status").filter(has_text=sentence)
        assert notice.is_visible(), f"{language}: {page.locator('main').inner_text()}"
        assert_accessible(page)
    assert rules_in_force(site.area, day).children_max_age is None, "a preview saves nothing"
    screenshot(page, "rules-area-preview")

    page.get_by_role("button", name="Save the change").click()
    page.wait_for_url(re.compile(r".*/rules/$"))
    assert page.get_by_text(PREVIEWS["en"].format(date=f"{day.day}.{day.month}.{day.year}", place=place)).is_visible()
    in_force = page.locator("section[aria-labelledby=in-force-heading] .facts div").filter(
        has_text="Children free up to the age of")
    assert in_force.locator("dd").inner_text() == "17"
    versions = page.locator("section[aria-labelledby=versions-heading]").inner_text()
    assert f"{day.day}.{day.month}.{day.year}: Children free up to the age of: 17" in versions
    assert_accessible(page)
    screenshot(page, "rules-area-saved")
    assert rules_in_force(site.area, day).children_max_age == 17
    assert rules_in_force(site.other_area, day).children_max_age is None
    # The holder's My card now counts only the child of 17 or younger this year.
    assert _children_today(holder, site.base_url, card.number) == "1"


@pytest.mark.django_db(transaction=True)
def test_browser_the_national_admin_opens_an_areas_rules_from_the_national_page(browser_page, site):
    page = browser_page("admin")
    page.goto(f"{site.base_url}/rules/")
    assert_accessible(page)
    page.get_by_role("link", name=site.other_area.name, exact=True).click()
    page.wait_for_url(f"**/rules/areas/{site.other_area.pk}/")
    assert site.other_area.name in page.get_by_role("heading", level=1).inner_text()
    tomorrow = today() + datetime.timedelta(days=1)
    page.locator("input[name=effective_from]").fill(tomorrow.isoformat())
    page.locator("input[name=children_max_age]").fill("15")
    page.locator("button[name=action][value=preview]").click()
    page.wait_for_load_state()
    assert page.get_by_role("status").inner_text().strip() != ""
    assert_accessible(page)
