"""The annual report: a PDF of an area's (or the network's) year, in Finnish or Swedish, checked by the
strings it draws."""

import base64
import re
import zlib

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.testing import sign_in

from .test_stats_pages import small_world

pytestmark = pytest.mark.django_db

PDF_STRING = re.compile(rb"\(((?:\\.|[^\\)])*)\) Tj")
PDF_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)


@pytest.fixture
def world(network):
    return small_world(network)


HEADLINE = "Kaikkien vuosien yhteismäärät 31.12.2024 asti"
SECTORS = "Käyttökerrat toimialoittain vuonna 2024"


def report(network, who, **params):
    client = Client()
    sign_in(client, network.users[who])
    return client.get(reverse("stats:report"), {"year": "2024", **params})


def drawn_strings(pdf: bytes) -> list[str]:
    """Every string the PDF's pages draw, in drawing order (ReportLab's streams: ASCII85 over Flate)."""
    strings = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        raw = stream.strip()
        content = zlib.decompress(base64.a85decode(raw, adobe=True)) if raw.endswith(b"~>") else raw
        for literal in PDF_STRING.findall(content):
            unescaped = PDF_ESCAPE.sub(lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit()
                                       else m.group(1), literal)
            strings.append(unescaped.decode("cp1252"))
    return strings


def section(strings: list[str], heading: str, next_heading: str | None = None) -> list[str]:
    start = strings.index(heading)
    return strings[start:strings.index(next_heading, start) if next_heading else None]


def row_after(strings: list[str], label: str, cells: int) -> list[str]:
    """The cells drawn after a row's label in a section; its table comes after its chart, which names the
    row too."""
    position = len(strings) - 1 - strings[::-1].index(label)
    return strings[position + 1:position + 1 + cells]


def test_a_coordinators_report_is_a_pdf_of_the_year_of_its_area(world):
    response = report(world.network, "coordinator", language="fi")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    strings = drawn_strings(response.content)
    assert "Kaikukortin vuosiraportti 2024" in strings
    assert "Pääkaupunkiseutu" in strings
    # area A's headline figures at the year's end
    headline = section(strings, HEADLINE, SECTORS)
    assert row_after(headline, "Käynnit", 1) == ["11"]
    assert row_after(headline, "Käyttökerrat", 1) == ["17"]
    assert row_after(headline, "Myönnetyt kortit", 1) == ["6"]
    # the year's row of the yearly table by sector: adult, child and community uses, total
    sectors = section(strings, "Käyttökerrat toimialoittain vuonna 2024", "Käyttökerrat kuukausittain – 2024")
    assert row_after(sectors, "Kulttuuri", 4) == ["9", "6", "0", "15"]
    assert row_after(sectors, "Liikunta", 4) == ["2", "0", "0", "2"]
    # the month table, and its chart naming the same months
    months = section(strings, "Käyttökerrat kuukausittain – 2024", "Käyttökerrat ikäryhmittäin – 2024")
    assert row_after(months, "toukokuu 2024", 3) == ["3", "9", "6"]
    assert months.count("toukokuu 2024") == 2


def test_the_report_in_swedish_keeps_suppressed_cells_hidden(world):
    strings = drawn_strings(report(world.network, "coordinator", language="sv").content)
    assert "Kaikukortets årsrapport 2024" in strings
    headline = section(strings, "Summor för alla år till och med 31.12.2024", "Användningar per sektor år 2024")
    assert row_after(headline, "Besök", 1) == ["11"]
    # the grandparent alone: 3 visits, 9 uses, 6 child uses — never shown. The area's venues admit holders
    # of other areas too, so its breakdowns by holder attributes are released as a venue's are: a cell of
    # fewer than five holders is left out with its key.
    ages = section(strings, "Användningar per åldersgrupp – 2024")
    assert "65+" not in ages
    assert all(int(cell) % 5 == 0 for cell in row_after(ages, "30-49", 3))


def test_the_national_admin_reports_on_the_whole_network_or_any_area(world):
    national = drawn_strings(report(world.network, "admin", language="fi").content)
    assert "Koko verkosto" in national
    assert row_after(section(national, HEADLINE, SECTORS),
                     "Käyttökerrat", 1) == ["19"]
    assert row_after(section(national, "Käyttökerrat alueittain – 2024", "Käyttökerrat ikäryhmittäin – 2024"),
                     "Pirkanmaa", 3) == ["2", "2", "0"]
    other = drawn_strings(report(world.network, "admin", language="fi", area_id=world.network.other_area.pk).content)
    assert "Pirkanmaa" in other
    assert row_after(section(other, HEADLINE, SECTORS),
                     "Käyttökerrat", 1) == ["2"]


def test_no_year_before_the_first_figures_is_offered(world):
    assert report(world.network, "coordinator", language="fi", year="2023").status_code == 400
    client = Client()
    sign_in(client, world.network.users["coordinator"])
    page = client.get(reverse("stats:dashboard")).content.decode()
    offered = [int(year) for year in re.findall(r'<option value="(\d{4})"', page)]
    assert min(offered) == 2024 and "2023" not in offered


@pytest.mark.parametrize(("who", "params", "status"), [
    ("coordinator", {"area_id": "other"}, 403),
    ("distributor", {}, 403),
    ("venue", {}, 403),
    ("admin", {"language": "en"}, 400),
    ("admin", {"year": "1999"}, 400),
])
def test_who_may_have_which_report(world, who, params, status):
    if params.get("area_id") == "other":
        params = {"area_id": world.network.other_area.pk}
    assert report(world.network, who, **params).status_code == status


def test_names_with_markup_characters_are_printed_as_they_are(world):
    world.network.area.name = "Savo & <Karjala>"
    world.network.area.save()
    response = report(world.network, "coordinator", language="fi")
    assert response.status_code == 200
    # ReportLab draws the text around an escaped character as separate strings
    assert "Savo & <Karjala>" in "".join(drawn_strings(response.content))
