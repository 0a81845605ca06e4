"""Two journeys in a real browser: an area coordinator's day with sites, users, card batches and guideline
commitments, and the national admin setting up an area and the national settings. Every page is checked
with axe-core on the way."""

import datetime
import re

import pytest

from kaikukanta.cards.models import WellbeingQuestion
from kaikukanta.core.browser import assert_accessible, screenshot
from kaikukanta.network.models import GuidelineVersion, NationalSettings

pytestmark = pytest.mark.django_db(transaction=True)


def test_coordinator_adds_a_site_its_user_a_card_batch_and_a_guideline_commitment(browser_page, site):
    GuidelineVersion.objects.create(label="2025", published_on=datetime.date(2025, 1, 15))
    page = browser_page("coordinator")

    page.goto(f"{site.base_url}/network/organisations/")
    assert page.get_by_role("row", name=re.compile("Kaupunginteatteri")).is_visible()
    assert not page.get_by_text("Tampereen museo").count()
    assert_accessible(page)
    screenshot(page, "network-organisations")

    page.get_by_role("link", name="Lisää toimipaikka").click()
    assert_accessible(page)
    page.get_by_label("Nimi").fill("Espoon kaupunginmuseo")
    page.get_by_label("Tyyppi").select_option("venue")
    page.get_by_label("Kuntakoodi").fill("049")
    page.get_by_label("Luokka").select_option("museum")
    page.get_by_label("Toimiala").select_option("culture")
    page.get_by_role("button", name="Lisää toimipaikka").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Espoon kaupunginmuseo"
    assert page.get_by_text("Toimipaikka Espoon kaupunginmuseo lisättiin.").is_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Lisää käyttäjä tälle toimipaikalle").click()
    page.get_by_label("Käyttäjätunnus").fill("museo-kassa")
    page.get_by_label("Rooli").select_option("venue")
    assert page.get_by_label("Toimipaikka").input_value() != ""
    # Only venues are offered to venue staff, and the site is required for the role (for assistive technology too).
    sites = page.get_by_label("Toimipaikka")
    assert sites.get_attribute("aria-required") == "true" and sites.evaluate("select => select.required")
    assert sites.evaluate("select => [...select.options].filter(o => !o.hidden && o.value)"
                          ".every(o => o.dataset.kind === 'venue')")
    page.get_by_label("Salasana", exact=True).fill("kulttuuria-kaikille-42")
    assert_accessible(page)
    page.get_by_role("button", name="Luo käyttäjä").click()
    assert page.get_by_role("heading", level=1).inner_text() == "museo-kassa"
    assert page.get_by_role("link", name="Espoon kaupunginmuseo").is_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Luo uusi tunniste").click()
    token = page.get_by_label("Tunniste").input_value()
    assert token.startswith("kk_")
    assert_accessible(page)
    page.get_by_role("link", name="Takaisin: museo-kassa").click()
    assert page.get_by_role("row", name=re.compile(re.escape(token[:8]) + ".*Käytössä")).is_visible()

    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Käyttäjät").click()
    assert page.get_by_role("link", name="museo-kassa").is_visible()
    assert_accessible(page)
    screenshot(page, "network-users")

    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Korttierät").click()
    assert_accessible(page)
    screenshot(page, "network-batches")
    page.get_by_role("link", name="Luo korttierä").click()
    page.get_by_label("Kortin jakaja").select_option(label="Sosiaalitoimi Kallio")
    page.get_by_label("Numeroiden määrä").fill("5")
    assert_accessible(page)
    page.get_by_role("button", name="Luo numerot").click()
    assert page.get_by_text("5 kortin numeroa luotiin.").is_visible()
    numbers = page.locator("table.numbers-table tbody th").all_inner_texts()
    assert len(numbers) == 5 and all(re.fullmatch(r"\d{10}", number) for number in numbers)
    assert page.get_by_role("link", name="Tulostettava arkki").is_visible()
    assert_accessible(page)

    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Toimintaohjeet").click()
    assert page.get_by_text("0/3 mukana olevasta toimipaikasta on sitoutunut.").is_visible()
    assert_accessible(page)
    screenshot(page, "network-guidelines")
    page.get_by_role("link", name="Ketkä ovat sitoutuneet versioon 2025 ja ketkä eivät").click()
    page.get_by_label("Toimipaikka").select_option(label="Espoon kaupunginmuseo")
    page.get_by_label("Sitoutumispäivä").fill("2025-02-03")
    page.get_by_role("button", name="Kirjaa sitoutuminen").click()
    assert page.get_by_text("Espoon kaupunginmuseo on sitoutunut versioon 2025.").is_visible()
    committed = page.get_by_role("table", name=re.compile("Sitoutuneet"))
    assert committed.get_by_role("row", name=re.compile("Espoon kaupunginmuseo.*3.2.2025")).is_visible()
    not_committed = page.get_by_role("table", name=re.compile("Ei vielä sitoutunut"))
    assert not not_committed.get_by_text("Espoon kaupunginmuseo").count()
    assert_accessible(page)


def test_national_admin_sets_up_an_area_and_the_national_settings(browser_page, site):
    page = browser_page("admin")

    page.goto(f"{site.base_url}/network/areas/")
    assert page.get_by_role("row", name=re.compile("Pääkaupunkiseutu.*Toiminnassa")).is_visible()
    assert_accessible(page)
    screenshot(page, "network-areas")

    page.get_by_role("link", name="Lisää alue").click()
    page.get_by_label("Nimi").fill("Varsinais-Suomi")
    page.get_by_label("Tila").select_option("pilot")
    page.locator("#id_municipalities-0-code").fill("853")
    page.locator("#id_municipalities-0-joined_on").fill("2015-01-01")
    page.get_by_role("button", name="Lisää rivi").click()
    added = page.locator("#id_municipalities-3-code")
    assert added.evaluate("element => element === document.activeElement")
    added.fill("202")
    page.locator("#id_municipalities-3-joined_on").fill("2018-06-01")
    assert_accessible(page)
    page.get_by_role("button", name="Lisää alue").click()

    assert page.get_by_role("heading", level=1).inner_text() == "Varsinais-Suomi"
    events = [" ".join(text.split()) for text in page.locator("ol.timeline li").all_inner_texts()]
    assert events == ["1.1.2015 Tila: Pilotti", "1.1.2015 Turku (853) liittyi", "1.6.2018 Kaarina (202) liittyi"]
    assert_accessible(page)
    screenshot(page, "network-area-detail")
    page.get_by_role("link", name="Muokkaa aluetta").click()
    assert page.locator("#id_municipalities-0-code").input_value() == "202"
    assert_accessible(page)

    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Asetukset").click()
    assert_accessible(page)
    screenshot(page, "network-settings")
    page.get_by_label("Kortin pisin voimassaoloaika kuukausina").fill("24")
    page.get_by_role("button", name="Tallenna muutokset").click()
    assert page.get_by_text("Asetukset tallennettiin.").is_visible()
    assert page.get_by_label("Kortin pisin voimassaoloaika kuukausina").input_value() == "24"
    assert NationalSettings.current().max_validity_months == 24

    page.get_by_role("link", name="Muokkaa hyvinvointikysymyksiä").click()
    first = page.get_by_role("group", name="Kysymys 1")
    first.get_by_label("Tunnus").fill("mood")
    first.get_by_label("Kysymys suomeksi").fill("Miten voit tänään?")
    first.get_by_label("Kysymys ruotsiksi").fill("Hur mår du i dag?")
    first.get_by_label("Kysymys englanniksi").fill("How are you today?")
    assert_accessible(page)
    page.get_by_role("button", name="Tallenna kysymykset").click()
    assert page.get_by_text("Hyvinvointikysymykset tallennettiin.").is_visible()
    assert page.get_by_role("group", name="Kysymys 1").get_by_label("Kysymys ruotsiksi").input_value() == (
        "Hur mår du i dag?")
    assert list(WellbeingQuestion.objects.filter(current=True).values_list("key", flat=True)) == ["mood"]

    page.get_by_role("link", name="Asetukset").first.click()
    assert page.get_by_role("listitem").filter(has_text="Miten voit tänään?").is_visible()
    assert page.get_by_role("link", name="Avaa Djangon ylläpito").get_attribute("href") == "/admin/"

    page.get_by_role("link", name="Lataa pienituloisuusluvut").click()
    page.get_by_label("CSV-tiedosto").set_input_files(files=[{
        "name": "pienituloiset.csv", "mimeType": "text/csv",
        "buffer": b"municipality_code,year,low_income_persons\n853,2023,21000\n999,2023,5\n"}])
    page.get_by_role("button", name="Lataa").click()
    assert page.get_by_role("row", name=re.compile("3 .*municipality_code.*Kuntakoodia ei tunneta.")).is_visible()
    assert page.get_by_text("Lukuja ei ole ladattu.").is_visible()
    assert_accessible(page)
