"""The ticket desk in Chromium at phone size: one venue worker's journey, each step asserting what they see.

A camera cannot be used in the test browser, so the scanner is tested from the decoded text onwards
(KaikuScanner.fill, the call a successful scan makes) and by its button showing only where a camera API exists.
"""

import re

import pytest
from playwright.sync_api import expect

from kaikukanta.core import damm
from kaikukanta.core.browser import assert_accessible, screenshot
from kaikukanta.core.clock import today
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit


def spaced(number: str) -> str:
    return f"{number[:3]} {number[3:6]} {number[6:]}"


def wrong_check_digit(number: str) -> str:
    return number[:9] + str((int(number[9]) + 1) % 10)


@pytest.mark.django_db(transaction=True)
def test_a_venue_worker_runs_the_desk_on_a_phone(browser_page, site):
    card = make_card(site.distributor, children=2)
    community = make_card(site.distributor, card_type="community")
    offering = make_offering(site.venue, "Hamlet", date=today(), ticket_quota=30)
    make_offering(site.venue, "Teatterikurssi", kind="course")
    page = browser_page("venue", phone=True)

    # The desk opens with the number field ready.
    expect(page.get_by_role("heading", name=re.compile("Lipunmyynti"))).to_be_visible()
    number = page.get_by_label("Kortin numero")
    expect(number).to_be_focused()

    # A mistyped number is caught as it is typed, before anything is asked from the server.
    number.press_sequentially(spaced(wrong_check_digit(card.number)))
    expect(page.locator("#card-number-feedback")).to_contain_text("tarkiste ei täsmää")
    expect(page.locator("#card-status [data-card-status]")).to_have_count(0)

    # The right number, typed with spaces: valid, until when, and how many children may come along.
    number.fill("")
    number.press_sequentially(spaced(card.number))
    status = page.locator("#card-status")
    expect(status).to_contain_text(f"Voimassa {card.valid_until.day}.{card.valid_until.month}.")
    expect(status).to_contain_text("Mukaan voi tulla enintään 2 lasta.")
    expect(page.get_by_label("Asiakkaat")).to_be_hidden()
    expect(page.get_by_label("Tarjontakohde")).to_have_value(str(offering.pk))

    # The children stepper stops at what the card allows.
    more_children = page.get_by_role("button", name="Yksi lapsi lisää")
    more_children.click()
    more_children.click()
    expect(more_children).to_have_attribute("aria-disabled", "true")
    more_children.click(force=True)
    expect(page.get_by_label("Lapset")).to_have_value("2")
    expect(page.get_by_text("Niin monta lasta kuin kortti sallii.")).to_be_visible()
    assert_accessible(page)

    # One tap records; the desk is ready for the next person and the visit is in the latest list.
    page.get_by_role("button", name="Kirjaa käynti").click()
    expect(page.get_by_text(f"Käynti kirjattu: kortti {card.number}, 3 käyttökertaa (2 lasta).")).to_be_visible()
    expect(number).to_have_value("")
    expect(number).to_be_focused()
    expect(page.get_by_label("Lapset")).to_have_value("0")
    recent = page.locator(".recent__list")
    expect(recent).to_contain_text(card.number)
    visit = Visit.objects.get()
    assert (visit.children, visit.uses, visit.offering_id) == (2, 3, offering.pk)
    assert_accessible(page)
    screenshot(page, "desk-check")

    # Undo.
    recent.get_by_role("button", name=re.compile("Peru")).click()
    expect(page.get_by_text("Käynti peruttiin.")).to_be_visible()
    expect(page.locator(".recent__list")).to_have_count(0)
    visit.refresh_from_db()
    assert visit.cancelled_at is not None

    # A course admits no children.
    page.get_by_label("Tarjontakohde").select_option(label="Teatterikurssi")
    expect(page.get_by_label("Lapset")).to_be_disabled()
    expect(page.get_by_text("Kursseille ei tulla lasten kanssa.")).to_be_visible()

    # Enter (as a keyboard-wedge scanner sends it) checks and moves to the record button; it records nothing.
    number.fill(community.number)
    number.press("Enter")
    expect(status).to_contain_text("Yhteisökortti")
    expect(page.get_by_role("button", name="Kirjaa käynti")).to_be_focused()
    expect(page.get_by_label("Asiakkaat")).to_be_visible()
    expect(page.get_by_label("Lapset")).to_be_hidden()
    assert Visit.objects.count() == 1

    # What a scan does with the text it decoded: a URL ending with the number fills the field and checks it.
    expect(page.get_by_role("button", name="Skannaa")).to_be_visible()
    number.fill("")
    expect(status).to_be_empty()
    assert page.evaluate("n => KaikuScanner.fill(document.getElementById('id_card_number'), "
                         "'https://kaikukortti.example/k/' + n)", card.number) is True
    expect(number).to_have_value(card.number)
    expect(status).to_contain_text("Mukaan voi tulla enintään 2 lasta.")
    assert page.evaluate("KaikuScanner.digitsFrom('*12345-67890*')") == "1234567890"
    assert page.evaluate("KaikuScanner.digitsFrom('https://x.example/k/1234567890123')") is None
    numbers = [damm.random_number() for _ in range(20)]
    numbers += [wrong_check_digit(one) for one in numbers[:10]]
    numbers += [one[1] + one[0] + one[2:] for one in numbers[:10] if one[0] != one[1]]
    assert page.evaluate("numbers => numbers.map(KaikuScanner.dammValid)", numbers) == [
        damm.is_valid(one) for one in numbers], "the page and the server agree on check digits"

    # The paper list: rows saved one by one, a wrong row kept for correcting.
    page.get_by_role("button", name="Valikko").click()
    page.get_by_role("link", name="Paperilista").click()
    page.get_by_label("Rivi 1: kortin numero").fill(spaced(card.number))
    page.get_by_label("Rivi 1: lapset").fill("1")
    page.get_by_label("Rivi 2: kortin numero").fill("123")
    page.get_by_label("Rivi 3: kortin numero").fill(wrong_check_digit(card.number))
    expect(page.locator("#id_row-3-card_number_hint")).to_contain_text("tarkiste ei täsmää")
    page.get_by_role("button", name="Tallenna rivit").click()
    expect(page.get_by_text("1 rivi kirjattu.")).to_be_visible()
    expect(page.locator('[data-row="1"]')).to_contain_text("Kirjattu, 2 käyttökertaa")
    expect(page.locator('[data-row="2"]')).to_contain_text("Kortin numerossa on 10 numeroa.")
    expect(page.get_by_label("Rivi 2: kortin numero")).to_have_value("123")
    assert_accessible(page)
    screenshot(page, "desk-paper")

    # Today's list with its totals.
    page.get_by_role("button", name="Valikko").click()
    page.get_by_role("link", name="Päivän käynnit", exact=True).click()
    expect(page.locator('[data-total="visits"]')).to_have_text("1")
    expect(page.locator('[data-total="uses"]')).to_have_text("2")
    expect(page.locator('[data-total="children"]')).to_have_text("1")
    assert_accessible(page)
    screenshot(page, "desk-today")

    # Offerings: a new one with a quota.
    page.get_by_role("button", name="Valikko").click()
    page.get_by_role("link", name="Tarjonta", exact=True).click()
    page.get_by_role("link", name="Uusi tarjontakohde").click()
    page.get_by_label("Nimi").fill("Konsertti")
    page.get_by_label("Kaikukortti-lippuja päivässä").fill("25")
    assert_accessible(page)
    page.get_by_role("button", name="Lisää tarjontakohde").click()
    expect(page.get_by_text("Tarjontakohde ”Konsertti” lisätty.")).to_be_visible()
    expect(page.locator(".offering-item", has_text="Konsertti")).to_contain_text("25")
    assert_accessible(page)
    screenshot(page, "desk-offerings")

    # Without a camera API the scan button stays hidden.
    page.context.add_init_script("Object.defineProperty(Navigator.prototype, 'mediaDevices', {get: () => undefined})")
    page.goto(f"{site.base_url}/desk/check/")
    expect(page.get_by_label("Kortin numero")).to_be_visible()
    expect(page.locator("[data-scan-for]")).to_be_hidden()
