"""One journey of distributor staff in a real browser: issue a card from stock, renew it, close it."""

import pytest
from playwright.sync_api import expect

from kaikukanta.cards.models import WellbeingAnswer, WellbeingQuestion
from kaikukanta.core.browser import assert_accessible, screenshot
from kaikukanta.core.clock import add_months, today
from kaikukanta.testing import stock_numbers


@pytest.mark.django_db(transaction=True)
def test_distributor_issues_renews_and_closes_a_card(browser_page, site):
    WellbeingQuestion.objects.create(key="culture_matters", text_fi="Kulttuuri on minulle tärkeää",
                                     text_sv="Kultur är viktig för mig", text_en="Culture matters to me")
    numbers = sorted(stock_numbers(site.distributor, 2))
    first = numbers[0]
    grouped = f"{first[:5]} {first[5:]}"

    page = browser_page("distributor")
    assert page.url.endswith("/cards/issue/"), "the issue page is the distributor's home"
    assert page.get_by_role("heading", level=1).inner_text() == "Anna kortti"
    assert page.locator("#id_valid_until").input_value() == add_months(today(), 12).isoformat()
    assert_accessible(page)

    page.get_by_role("button", name="Ota seuraava numero varastosta").click()
    expect(page.locator("#id_number")).to_have_value(grouped)
    assert page.get_by_text("Numero on otettu toimipaikan varastosta").is_visible()

    page.get_by_label("Yhteisökortti").check()
    assert page.get_by_label("Syntymävuosi").is_hidden(), "a community card has no holder fields"
    page.get_by_label("Henkilökohtainen kortti").check()
    assert page.get_by_label("Syntymävuosi").is_visible()

    page.get_by_label("Syntymävuosi").fill("1979")
    postal_code = page.get_by_label("Kodin postinumero")
    municipality = page.locator("#postal-code-municipality")
    postal_code.press_sequentially("20100", delay=30)
    municipality.get_by_text("Turku: verkoston ulkopuolella.").wait_for()
    postal_code.fill("")
    postal_code.press_sequentially("02100", delay=30)
    municipality.get_by_text("Espoo").wait_for()
    page.get_by_label("Alle 18-vuotiaat lapset").fill("2")
    page.get_by_label("Elämäntilanne (vapaaehtoinen)").select_option("student")
    page.get_by_role("group", name="Kulttuuri on minulle tärkeää").get_by_label("4").check()
    assert_accessible(page)
    screenshot(page, "cards-issue")

    page.get_by_role("button", name="Tallenna ja anna kortti").click()
    page.wait_for_url(f"**/cards/{first}/")
    assert page.get_by_role("heading", level=1).inner_text() == f"Kortti {grouped}"
    assert page.get_by_text(f"Kortti {grouped} on annettu.").is_visible()
    assert page.locator(".card-heading .status").inner_text().endswith("Voimassa")
    assert page.get_by_role("link", name="Tulosta liite suomeksi (PDF)").is_visible()
    assert page.get_by_text("Espoo").is_visible()
    assert_accessible(page)
    screenshot(page, "cards-detail")
    assert WellbeingAnswer.objects.get(card__number=first).value == 4

    page.get_by_role("link", name="Jatka voimassaoloa").click()
    page.wait_for_url(f"**/cards/{first}/renew/")
    assert page.get_by_label("Kodin postinumero").input_value() == "02100"
    municipality.get_by_text("Espoo").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Jatka voimassaoloa").click()
    page.wait_for_url(f"**/cards/{first}/")
    assert page.get_by_text("Kortin voimassaoloa on jatkettu.").is_visible()
    assert page.get_by_role("cell", name="Voimassaoloa jatkettu").is_visible() or page.get_by_role(
        "rowheader", name="Voimassaoloa jatkettu").is_visible()

    page.get_by_label("Sulkemisen syy").select_option("lost")
    dialogs = []
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Sulje kortti").click()
    page.wait_for_selector(".messages")
    assert dialogs == [f"Suljetaanko kortti {grouped}? Sulkemista ei voi perua."]
    assert page.locator(".card-heading .status").inner_text().endswith("Suljettu")
    assert page.get_by_role("link", name="Jatka voimassaoloa").count() == 0
    assert_accessible(page)

    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Kortit").click()
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name=grouped))
    assert "Suljettu" in row.inner_text()
    assert_accessible(page)
    screenshot(page, "cards-list")


@pytest.mark.django_db(transaction=True)
def test_the_issue_page_fits_a_phone(browser_page, site):
    page = browser_page("distributor", phone=True)
    assert page.url.endswith("/cards/issue/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390, "no sideways scrolling"
    assert page.get_by_role("button", name="Tallenna ja anna kortti").is_visible()
    assert_accessible(page)
    screenshot(page, "cards-issue-phone")
