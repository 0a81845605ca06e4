"""An import journey in a real browser: a coordinator uploads a file with bad rows and sees them listed, uploads
the corrected file, sees what would be created, imports it and finds the result; and a running job's progress
bar moves by itself (htmx polling) and is there again after a reload."""

import re
import time

import pytest
from playwright.sync_api import expect

from kaikukanta.cards.models import Card
from kaikukanta.core.browser import assert_accessible, screenshot
from kaikukanta.imports import jobs
from kaikukanta.imports.models import ImportJob, JobState
from kaikukanta.imports.tests.web_files import CARD_HEADER, card_row, csv_bytes, number, xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def choose(page, name: str, content: bytes, mime: str):
    page.get_by_label("Tiedosto").set_input_files({"name": name, "mimeType": mime, "buffer": content})


def test_a_coordinator_checks_a_file_sees_its_bad_rows_and_imports_the_corrected_one(browser_page, site):
    page = browser_page("coordinator")
    page.goto(f"{site.base_url}/")
    page.get_by_role("navigation", name="Päävalikko").get_by_role("link", name="Tuonnit").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuonnit")
    assert_accessible(page)

    bad = [card_row(site.distributor.pk, 1), card_row(site.distributor.pk, 2, birth_year="18x0"),
           card_row(site.other_distributor.pk, 3)]
    choose(page, "kortit.xlsx", xlsx_bytes(CARD_HEADER, bad), "application/octet-stream")
    page.get_by_role("button", name="Tarkista tiedosto").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tuonti: kortit.xlsx")
    expect(page.get_by_text("2 virheellistä riviä: mitään ei tuotu.")).to_be_visible()
    errors = page.get_by_role("table", name="Virheelliset rivit")
    expect(errors.get_by_role("row", name=re.compile(r"^3 birth_year Arvo ei kelpaa\."))).to_be_visible()
    expect(errors.get_by_role("row", name=re.compile(r"^4 issuer_id Toimipaikka ei kuulu"))).to_be_visible()
    expect(page.get_by_role("button", name="Tuo")).to_have_count(0)
    assert_accessible(page)
    screenshot(page, "imports-bad-rows")

    page.get_by_role("link", name="Takaisin: tuonnit").click()
    good = [card_row(site.distributor.pk, index) for index in (1, 2)]
    choose(page, "kortit-korjattu.csv", csv_bytes(CARD_HEADER, good), "text/csv")
    page.get_by_role("button", name="Tarkista tiedosto").click()
    expect(page.get_by_text("Kaikki 2 riviä ovat kunnossa. Tuonti luo ne:")).to_be_visible()
    expect(page.get_by_role("table", name="Toimipaikoittain").get_by_role(
        "row", name="Sosiaalitoimi Kallio 2")).to_be_visible()
    expect(page.get_by_text("Tarkistettu rivejä: 2 · tallennettu rivejä: 0")).to_be_visible()
    assert not Card.objects.filter(number__in=[number(1), number(2)]).exists()
    screenshot(page, "imports-checked")

    page.get_by_role("button", name="Tuo").click()
    expect(page.get_by_text("2 riviä tuotiin:")).to_be_visible()
    expect(page.get_by_text("Tarkistettu rivejä: 2 · tallennettu rivejä: 2")).to_be_visible()
    expect(page.get_by_label("Edistyminen")).to_have_attribute("value", "100")
    assert set(Card.objects.filter(number__in=[number(1), number(2)]).values_list("number", flat=True)) == {
        number(1), number(2)}
    assert_accessible(page)

    page.get_by_role("link", name="Takaisin: tuonnit").click()
    latest = page.get_by_role("table", name="Viimeisimmät tuonnit")
    expect(latest.get_by_role("row", name=re.compile(r"kortit-korjattu\.csv Kortit .* 2 0 Tuotu"))).to_be_visible()
    refused_row = latest.get_by_role("row", name=re.compile(r"kortit\.xlsx Kortit .* 3 2 Virheellisiä rivejä"))
    expect(refused_row).to_be_visible()


def test_a_running_jobs_progress_moves_by_itself_and_survives_a_reload(browser_page, site):
    # A job whose dry run a worker is doing: its progress lives in the shared cache, as the task writes it.
    job = ImportJob.objects.create(kind="cards", area=site.area, created_by=site.users["coordinator"],
                                   file_name="iso.csv", file_format="csv", state=JobState.CHECKING)
    started = time.time() - 30
    jobs.cache.set(jobs._progress_key(job.pk), {"phase": "check", "rows": 25000, "fraction": 0.25,
                                                "started": started}, 600)
    page = browser_page("coordinator")
    page.goto(f"{site.base_url}/imports/{job.pk}/")
    shown = r"Tarkistettu rivejä: 25000 · tallennettu rivejä: 0 · jäljellä noin 1 min \d+ s"
    expect(page.get_by_text(re.compile(shown))).to_be_visible()
    expect(page.get_by_label("Edistyminen")).to_have_attribute("value", "25")

    jobs.cache.set(jobs._progress_key(job.pk), {"phase": "check", "rows": 50000, "fraction": 0.5,
                                                "started": started}, 600)
    expect(page.get_by_label("Edistyminen")).to_have_attribute("value", "50")
    expect(page.get_by_text(re.compile(r"Tarkistettu rivejä: 50000"))).to_be_visible()
    page.reload()
    expect(page.get_by_label("Edistyminen")).to_have_attribute("value", "50")
    assert_accessible(page)

    page.get_by_role("button", name="Peruuta").click()
    expect(page.get_by_text("Tuonti peruttiin.")).to_be_visible()
    # The worker stops at its next chunk; here it is the cancel flag it would read.
    assert jobs.cache.get(jobs._cancel_key(job.pk)) == site.users["coordinator"].pk
