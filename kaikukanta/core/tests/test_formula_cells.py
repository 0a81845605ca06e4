"""No file the register writes lets a typed text become a spreadsheet formula: every free text set to a
formula-looking value, then every file opened (the area export's ZIP of CSV files, the dashboard's CSV and
XLSX, the API's CSV, the annual report and the batch sheet PDFs)."""

import base64
import csv
import io
import re
import zipfile
import zlib

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kaikukanta.cards.models import CardBatch
from kaikukanta.core.spreadsheet import FORMULA_STARTS, safe_cell
from kaikukanta.stats.tests.test_stats_pages import PERIOD, small_world
from kaikukanta.testing import ApiClient, make_offering, sign_in

pytestmark = pytest.mark.django_db

FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "＝1+1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_looking_text_is_neutralised(text):
    assert safe_cell(text) == "'" + text
    assert safe_cell(" " + text) == "' " + text


@pytest.mark.parametrize("value", [-5, 3.5, None, "Kevätkonsertti", "12.3.", "", "'=already text"])
def test_numbers_and_ordinary_texts_are_left_alone(value):
    assert safe_cell(value) == value


def _formula_world(network):
    """Every free text a coordinator's area has, each a different formula."""
    world = small_world(network)
    texts = iter(FORMULAS * 3)
    area = network.area
    area.name = next(texts)
    area.save()
    for site in (network.venue, network.distributor, world.sport):
        site.name, site.contact_name = next(texts), next(texts)
        site.save()
    make_offering(network.venue, name=next(texts))
    coordinator = network.users["coordinator"]
    coordinator.first_name, coordinator.last_name = next(texts), next(texts)
    coordinator.save()
    return world


def _is_formula(text) -> bool:
    return isinstance(text, str) and text.lstrip(" ").startswith(FORMULA_STARTS + ("＝",))


def _neutralised(cells) -> bool:
    """Some of the formulas were written, each as text."""
    return any(isinstance(cell, str) and cell[1:] in FORMULAS and cell[0] == "'" for cell in cells)


def _signed_in(user) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _csv_cells(content: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(content.decode("utf-8-sig"))) for cell in row]


def test_the_area_export_writes_no_formula(network):
    _formula_world(network)
    response = _signed_in(network.users["coordinator"]).post(reverse("network:area_export"),
                                                              {"area": network.area.pk})
    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    cells = [cell for name in archive.namelist() if name.endswith(".csv")
             for cell in _csv_cells(archive.read(name))]
    # Every formula is there, as text.
    assert {"'" + text for text in FORMULAS} <= set(cells)
    assert [cell for cell in cells if _is_formula(cell)] == []
    assert "'" + FORMULAS[0] in archive.read("README.txt").decode()


@pytest.mark.parametrize("table,group_by", [("breakdown", "venue"), ("area", "month"), ("breakdown", "area")])
def test_the_dashboard_files_write_no_formula(network, table, group_by):
    _formula_world(network)
    client = _signed_in(network.users["admin"])
    url = {fmt: reverse("stats:export", kwargs={"table": table, "fmt": fmt}) for fmt in ("csv", "xlsx")}
    cells = _csv_cells(client.get(url["csv"], {**PERIOD, "group_by": group_by}).content)
    assert _neutralised(cells)
    assert [cell for cell in cells if _is_formula(cell)] == []
    sheet = load_workbook(io.BytesIO(client.get(url["xlsx"], {**PERIOD, "group_by": group_by}).content)).active
    written = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert _neutralised([cell.value for cell in written])
    assert [cell.value for cell in written if cell.data_type == "f" or _is_formula(cell.value)] == []


def test_the_api_csv_writes_no_formula(network):
    _formula_world(network)
    response = ApiClient(network.tokens["admin"]).get("/api/v1/stats/uses", group_by="venue", format="csv",
                                                      **{"from": "2024-01-01", "to": "2024-12-31"})
    assert response.status_code == 200
    # Its keys are ids, months and fixed words today; were a name ever among them, it would be text.
    cells = _csv_cells(response.content)
    assert [cell for cell in cells if _is_formula(cell)] == []


def _pdf_strings(content: bytes) -> list[str]:
    """The text strings drawn on a PDF's pages and in its metadata (reportlab deflates the page streams)."""
    parts = [content]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\n?endstream", content, re.S):
        for decode in (lambda data: data, lambda data: base64.a85decode(data.strip().removesuffix(b"~>"))):
            try:
                parts.append(zlib.decompress(decode(stream)))
                break
            except (ValueError, zlib.error):
                continue
    return [text.decode("latin-1") for part in parts for text in re.findall(rb"\((.*?)(?<!\\)\)", part)]


def test_the_pdfs_draw_no_formula(network):
    _formula_world(network)
    admin = _signed_in(network.users["admin"])
    report = admin.get(reverse("stats:report"), {"year": "2024", "area_id": network.area.pk})
    assert report.status_code == 200
    drawn = _pdf_strings(report.content)
    assert any(text.startswith("'=HYPERLINK") for text in drawn)
    assert [text for text in drawn if text.startswith("=HYPERLINK")] == []
    batch = CardBatch.objects.create(distributor=network.distributor, count=0)
    sheet = _signed_in(network.users["distributor"]).get(reverse("cards:batch_sheet",
                                                                 kwargs={"batch_id": batch.pk}))
    assert sheet.status_code == 200
    name = network.distributor.name[:8]   # the sheet's title names the distributor
    titles = [text for text in _pdf_strings(sheet.content) if name in text]
    assert titles and all(f"'{name}" in text for text in titles)
