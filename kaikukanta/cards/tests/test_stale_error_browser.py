"""A refusal beside a field goes as soon as the value it was about is corrected, not only at the next submit."""

import pytest
from playwright.sync_api import expect

from kaikukanta.testing import stock_numbers


@pytest.mark.django_db(transaction=True)
def test_a_corrected_postal_code_loses_its_old_error_at_once(browser_page, site):
    number = stock_numbers(site.distributor, 1)[0]
    page = browser_page("distributor")
    page.locator("#id_number").fill(number)
    page.get_by_label("Syntymävuosi").fill("1979")
    page.get_by_label("Kodin postinumero").fill("99999")
    page.get_by_label("Alle 18-vuotiaat lapset").fill("0")
    page.get_by_role("button", name="Tallenna ja anna kortti").click()
    page.wait_for_load_state()
    error = page.locator("#id_postal_code_error")
    expect(error).to_be_visible()

    postal_code = page.get_by_label("Kodin postinumero")
    postal_code.fill("")
    postal_code.press_sequentially("02100", delay=30)
    expect(page.locator("#postal-code-municipality")).to_contain_text("Espoo")
    expect(error).to_have_count(0)
    expect(postal_code).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".postal-code .field--invalid")).to_have_count(0)
