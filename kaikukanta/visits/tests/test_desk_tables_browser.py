"""The desk's lists on a phone (390 px): nothing a worker needs is off screen or behind a sideways scroll."""

import pytest
from playwright.sync_api import expect

from kaikukanta.core.browser import PHONE, SCREENSHOTS
from kaikukanta.core.clock import today
from kaikukanta.testing import make_card, make_offering


def assert_on_screen(page, locator, what: str) -> None:
    box = locator.bounding_box()
    assert box is not None, f"{what} is not shown"
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (
        f"{what} is cut off at {box['x']:.0f}+{box['width']:.0f} px of a {PHONE['width']} px screen")


def assert_no_sideways_scroll(page) -> None:
    wide = page.evaluate("""() => [...document.querySelectorAll('main *')]
        .filter(e => e.getBoundingClientRect().right > 391).slice(0, 6)
        .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))""")
    widths = page.evaluate("""() => [document.documentElement.scrollWidth,
        ...[...document.querySelectorAll('.table-wrap')].map(w => w.scrollWidth - w.clientWidth)]""")
    assert widths[0] <= PHONE["width"] and all(extra <= 0 for extra in widths[1:]), (widths, page.url, wide)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("size", ["normal", "large", "larger"])
def test_todays_list_and_the_paper_list_fit_a_phone(browser_page, site, size):
    card = make_card(site.distributor, children=2)
    make_offering(site.venue, "Hamlet – suuren näyttämön iltanäytös", date=today(), ticket_quota=30)
    page = browser_page("venue", phone=True)
    page.context.add_cookies([{"name": "text_size", "value": size, "url": site.base_url}])

    page.goto(f"{site.base_url}/desk/check/")
    page.locator("#id_card_number").fill(card.number)
    expect(page.locator("#card-status [data-card-status=valid]")).to_be_visible()
    page.get_by_role("button", name="Kirjaa käynti").click()
    expect(page.locator(".messages .notice--success")).to_be_visible()

    page.goto(f"{site.base_url}/desk/today/")
    undo = page.locator(".visits-table .undo-button").first
    expect(undo).to_be_visible()
    assert_on_screen(page, undo, f"today's Undo ({size} text)")
    assert_no_sideways_scroll(page)

    page.goto(f"{site.base_url}/desk/paper/")
    assert_no_sideways_scroll(page)
    page.get_by_label("Rivi 1: kortin numero").fill(card.number)
    page.get_by_label("Rivi 2: kortin numero").fill("123")
    page.get_by_role("button", name="Tallenna rivit").click()
    summary = page.locator("main .notice[role=status]").first
    expect(summary).to_contain_text("1 rivi kirjattu.")
    assert summary.bounding_box()["y"] < PHONE["height"], "the summary is at the top, on the first screen"
    expect(page.locator('[data-row="2"] .paper-row__result')).to_contain_text("Ei kirjattu")
    assert_on_screen(page, page.locator('[data-row="2"] .field__error').first, f"row 2's reason ({size} text)")
    for row in ("1", "2"):
        result = page.locator(f'[data-row="{row}"] .paper-row__result')
        expect(result).not_to_be_empty()
        assert_on_screen(page, result, f"row {row}'s result ({size} text)")
    assert_no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / f"paper-phone-{size}.png"), full_page=True)
