"""The dashboards in a real browser: charts drawn from their tables, the breakdown switched in place,
and no serious accessibility violation on the national and area dashboards (desktop) and a venue's
(phone)."""

import re

import pytest
from playwright.sync_api import expect

from kaikukanta.core.browser import assert_accessible, screenshot

from .test_stats_pages import small_world

QUERY = "?from=2024-01-01&to=2024-12-31&on=2024-12-31"
EVERY_CHART_DRAWN = """() => [...document.querySelectorAll('canvas[data-chart]')]
    .map(canvas => Boolean(Chart.getChart(canvas)))"""


def charts_drawn(page) -> list[bool]:
    page.wait_for_load_state("load")
    return page.evaluate(EVERY_CHART_DRAWN)


@pytest.mark.django_db(transaction=True)
def test_national_area_and_venue_dashboards(browser_page, site):
    small_world(site)
    page = browser_page("admin")
    page.goto(f"{site.base_url}/stats/dashboard/{QUERY}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilastot: Koko verkosto")
    headline = page.locator(".stats-headline__item", has_text="Lasten käyttökerrat")
    expect(headline.locator(".stats-headline__value")).to_have_text("6")
    drawn = charts_drawn(page)
    assert len(drawn) >= 6 and all(drawn)
    assert_accessible(page)
    screenshot(page, "stats-national")

    page.get_by_label("Jaottelu").select_option("sector")
    page.get_by_role("button", name="Näytä jaottelu").click()
    expect(page.locator("#heading-breakdown")).to_have_text("Käyttökerrat jaoteltuina: Toimiala")
    expect(page.locator("#breakdown tbody th")).to_have_text(["Kulttuuri", "Liikunta"])
    expect(page).to_have_url(re.compile("group_by=sector"))
    # htmx hands the new section to charts.js once it has settled
    page.wait_for_function("() => Boolean(Chart.getChart(document.querySelector('#breakdown canvas')))")

    page.get_by_label("Alue", exact=True).select_option(label="Pääkaupunkiseutu")
    page.get_by_role("button", name="Näytä", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tilastot: Pääkaupunkiseutu")
    # the breakdown chosen in place stays chosen
    expect(page.locator("#breakdown tbody th")).to_have_text(["Kulttuuri", "Liikunta"])
    expect(page.locator(".stats-headline__item", has_text="Käynnit").first.locator(
        ".stats-headline__value")).to_have_text("11")
    assert all(charts_drawn(page))
    assert_accessible(page)
    screenshot(page, "stats-area")

    venue = browser_page("venue", phone=True)
    venue.goto(f"{site.base_url}/stats/dashboard/{QUERY}")
    expect(venue.get_by_role("heading", level=1)).to_have_text("Tilastot: Kaupunginteatteri")
    # A venue's holder breakdowns leave out groups of fewer than five holders altogether, key and all.
    expect(venue.locator("#section-age_group tbody tr")).to_have_text([re.compile(r"30-49\s+5\s+5\s+0")])
    expect(venue.locator("#section-age_group .stats-note")).to_contain_text("pyöristetty viiden monikerroiksi")
    drawn = charts_drawn(venue)
    assert drawn and all(drawn)
    assert_accessible(venue)
    screenshot(venue, "stats-venue")
