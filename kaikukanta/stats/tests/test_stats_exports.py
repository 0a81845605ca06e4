"""Every dashboard table downloads as CSV and XLSX with the page's own headers and rows."""

import csv
import datetime
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kaikukanta.testing import sign_in

from .test_stats_pages import PERIOD, PageTables, open_dashboard, small_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(network):
    return small_world(network)


def download(network, who, table, fmt, language="fi", **params):
    client = Client(headers={"accept-language": language})
    sign_in(client, network.users[who])
    return client.get(reverse("stats:export", kwargs={"table": table, "fmt": fmt}), {**PERIOD, **params})


def csv_rows(response) -> list[list[str]]:
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def xlsx_rows(response) -> list[list]:
    assert response["Content-Type"].endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]


def as_file_text(page_cell: str) -> str:
    """A page cell as the files write it: no thousands separator, a decimal point, no percent sign, dates
    as year-month-day."""
    if day := re.fullmatch(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", page_cell):
        return datetime.date(*map(int, reversed(day.groups()))).isoformat()
    if page_cell.startswith("–"):
        return ""    # no figure (a share of no uses): the page's dash, an empty file cell
    number = page_cell.removesuffix(" %")
    if re.fullmatch(r"-?[\d ]+(,\d+)?", number):
        return number.replace(" ", "").replace(",", ".")
    return page_cell


def same_cell(xlsx_value, csv_text: str) -> bool:
    if isinstance(xlsx_value, datetime.datetime):
        return xlsx_value.date().isoformat() == csv_text
    if isinstance(xlsx_value, (int, float)):
        return float(csv_text) == xlsx_value
    return ("" if xlsx_value is None else str(xlsx_value)) == csv_text


@pytest.mark.parametrize("who", ["admin", "coordinator", "venue"])
def test_every_table_on_the_page_downloads_with_the_same_headers_and_rows(world, who):
    html = open_dashboard(world.network, who).content.decode()
    page = PageTables(html)
    assert {"yearly", "month", "sector", "age_group", "breakdown", "travel"} <= set(page.tables)
    for name, table in page.tables.items():
        assert f"/stats/export/{name}.csv?" in html and f"/stats/export/{name}.xlsx?" in html, name
        rows = csv_rows(download(world.network, who, name, "csv"))
        assert rows == [[as_file_text(cell) for cell in row] for row in table], name
        xlsx = xlsx_rows(download(world.network, who, name, "xlsx"))
        assert len(xlsx) == len(rows), name
        for xlsx_row, csv_row in zip(xlsx, rows, strict=True):
            assert len(xlsx_row) == len(csv_row), name
            assert all(same_cell(*pair) for pair in zip(xlsx_row, csv_row, strict=True)), (name, xlsx_row, csv_row)


def test_the_headline_figures_download_too(world):
    headline = PageTables(open_dashboard(world.network, "coordinator").content.decode()).headline
    rows = csv_rows(download(world.network, "coordinator", "summary", "csv"))
    assert rows[0] == ["Luku", "Arvo"]
    assert dict(rows[1:]) == {label: as_file_text(text) for label, text in headline.items()}


def test_excel_keeps_numbers_as_numbers_and_has_a_title(world):
    response = download(world.network, "venue", "month", "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "Käyttökerrat kuukausittain"
    assert [cell.value for cell in sheet[4]] == ["toukokuu 2024", 3, 9, 6]
    assert all(isinstance(cell.value, int) for cell in sheet[4][1:])
    assert 'filename="kaikukanta-month.xlsx"' in response["Content-Disposition"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_suppressed_cells_are_words_in_the_files_never_numbers(world, fmt):
    response = download(world.network, "admin", "age_group", fmt)
    rows = csv_rows(response) if fmt == "csv" else xlsx_rows(response)
    by_group = {row[0]: row[1:] for row in rows[1:]}
    # The grandparent alone: 3 visits, 9 uses, 6 child uses.
    assert by_group["65+"] == ["alle 5"] * 3
    assert by_group["18-29"] == ["alle 5"] * 3
    assert by_group["30-49"] == (["7", "7", "0"] if fmt == "csv" else [7, 7, 0])


def test_the_files_speak_the_page_language(world):
    assert csv_rows(download(world.network, "admin", "month", "csv", "sv"))[0] == [
        "Månad", "Besök", "Användningar", "Barnens användningar"]
    assert csv_rows(download(world.network, "admin", "age_group", "csv", "sv"))[-1] == ["65+"] + ["färre än 5"] * 3
    assert xlsx_rows(download(world.network, "admin", "month", "xlsx", "en"))[0] == [
        "Month", "Visits", "Uses", "Child uses"]


def test_the_files_follow_the_filters_of_the_page(world):
    rows = csv_rows(download(world.network, "admin", "breakdown", "csv", group_by="sector",
                             area_id=world.network.other_area.pk))
    assert rows == [["Toimiala", "Käynnit", "Käyttökerrat", "Lasten käyttökerrat"], ["Kulttuuri", "2", "2", "0"]]
    may = csv_rows(download(world.network, "admin", "month", "csv", **{"from": "2024-05-01", "to": "2024-05-31"}))
    assert may[1:] == [["toukokuu 2024", "3", "9", "6"]]


def test_a_coordinator_cannot_download_another_areas_tables(world):
    assert download(world.network, "coordinator", "month", "csv", area_id=world.network.other_area.pk
                    ).status_code == 403


@pytest.mark.parametrize(("who", "table", "fmt"), [
    ("admin", "nonsense", "csv"), ("admin", "month", "pdf"),
    # the area bars and milestones belong to the whole network's dashboard
    ("coordinator", "area", "csv"), ("coordinator", "milestones", "xlsx"),
])
def test_tables_a_scope_does_not_have_are_not_found(world, who, table, fmt):
    assert download(world.network, who, table, fmt).status_code == 404


def test_a_malformed_filter_is_refused(world):
    assert download(world.network, "admin", "month", "csv", to="not a date").status_code == 400


def test_a_share_of_nothing_is_no_figure_on_the_page_and_empty_in_the_files(world):
    period = {"from": "2023-01-01", "to": "2023-12-31"}
    page = PageTables(open_dashboard(world.network, "distributor", **period).content.decode())
    shares = {row[0]: row[1] for row in page.tables["activation"][1:]}
    assert shares["Myönnetyt kortit"] == "0"
    # a dash to the eye, words to a screen reader
    assert shares["Käyttöönottoaste (%)"] == "–ei lukua"
    rows = dict(csv_rows(download(world.network, "distributor", "activation", "csv", **period))[1:])
    assert rows["Käyttöönottoaste (%)"] == ""
    cells = dict(xlsx_rows(download(world.network, "distributor", "activation", "xlsx", **period))[1:])
    assert cells["Käyttöönottoaste (%)"] is None


def test_a_name_that_looks_like_a_formula_stays_text(world):
    world.sport.name = "=HYPERLINK(\"http://evil.example\")"
    world.sport.save()
    rows = csv_rows(download(world.network, "coordinator", "breakdown", "csv", group_by="venue"))
    assert ["'=HYPERLINK(\"http://evil.example\")", "2", "2", "0"] in rows
    sheet = load_workbook(io.BytesIO(download(world.network, "coordinator", "breakdown", "xlsx",
                                              group_by="venue").content)).active
    names = [row[0] for row in sheet.iter_rows(min_row=3)]
    assert [(cell.value, cell.data_type) for cell in names if "HYPERLINK" in cell.value] == [
        ("'=HYPERLINK(\"http://evil.example\")", "s")]
