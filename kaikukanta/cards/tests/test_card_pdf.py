"""The printable card insert and the batch sheet: read back from the PDF bytes the pages send."""

import base64
import re
import zlib

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.cards import pdf
from kaikukanta.cards.models import CardBatch, StockNumber
from kaikukanta.testing import make_card, sign_in, stock_numbers

STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
SHOWN_TEXT = re.compile(rb"\(((?:[^()\\]|\\.)*)\)\s*Tj", re.S)
ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.S)
SIMPLE_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(match) -> bytes:
    escaped = match.group(1)
    if escaped.isdigit():
        return bytes([int(escaped, 8)])
    return SIMPLE_ESCAPES.get(escaped, escaped)


def pdf_texts(data: bytes) -> list[str]:
    """Every string drawn with Tj in the PDF's content streams (reportlab writes them ASCII85 + Flate)."""
    texts = []
    for raw in STREAM.findall(data):
        raw = raw.strip()
        try:
            body = zlib.decompress(base64.a85decode(raw if raw.startswith(b"<~") else b"<~" + raw, adobe=True))
        except (ValueError, zlib.error):
            continue
        texts += [ESCAPE.sub(_unescape, text).decode("cp1252") for text in SHOWN_TEXT.findall(body)]
    return texts


def _client(network, who="distributor"):
    client = Client()
    sign_in(client, network.users[who])
    return client


def grouped(number):
    return f"{number[:5]} {number[5:]}"


@pytest.mark.django_db
def test_the_insert_carries_number_validity_and_children_in_finnish(network):
    card = make_card(network.distributor, children=3)
    response = _client(network).get(reverse("cards:insert_pdf", kwargs={"number": card.number}),
                                    {"language": "fi"})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    texts = pdf_texts(response.content)
    assert grouped(card.number) in texts
    assert card.valid_until.strftime("%-d.%-m.%Y") in texts
    assert "Voimassa" in " ".join(texts)
    assert "Henkilökohtainen kortti" in texts
    assert "3" in texts


@pytest.mark.django_db
def test_the_insert_in_swedish(network):
    card = make_card(network.distributor)
    response = _client(network).get(reverse("cards:insert_pdf", kwargs={"number": card.number}),
                                    {"language": "sv"})

    texts = pdf_texts(response.content)
    assert grouped(card.number) in texts
    assert "Kaikukortet" in texts
    assert "Giltigt till" in texts
    assert "Personligt kort" in texts


@pytest.mark.django_db
def test_the_insert_language_follows_the_page_language_and_falls_back_to_finnish(network):
    card = make_card(network.distributor)
    path = reverse("cards:insert_pdf", kwargs={"number": card.number})
    client = _client(network)

    def language_of(response):
        texts = pdf_texts(response.content)
        return "sv" if "Giltigt till" in texts else "fi" if "Voimassa" in " ".join(texts) else "?"

    assert language_of(client.get(path, HTTP_ACCEPT_LANGUAGE="sv")) == "sv"
    assert language_of(client.get(path, HTTP_ACCEPT_LANGUAGE="en")) == "fi"
    assert language_of(client.get(path, {"language": "de"}, HTTP_ACCEPT_LANGUAGE="en")) == "fi"
    assert language_of(client.get(path, {"language": "fi"}, HTTP_ACCEPT_LANGUAGE="sv")) == "fi"


@pytest.mark.django_db
def test_a_community_card_insert_says_so_and_shows_no_children(network):
    card = make_card(network.distributor, card_type="community")
    texts = pdf_texts(_client(network).get(reverse("cards:insert_pdf", kwargs={"number": card.number})).content)

    assert "Yhteisökortti" in texts
    assert not any("Lapsia" in text for text in texts)


@pytest.mark.django_db
def test_another_distributor_cannot_print_the_insert(network):
    card = make_card(network.distributor)
    response = _client(network, "other_distributor").get(
        reverse("cards:insert_pdf", kwargs={"number": card.number}))
    assert response.status_code == 404


def _batch(network, count):
    batch = CardBatch.objects.create(distributor=network.distributor, count=count)
    numbers = stock_numbers(network.distributor, count)
    StockNumber.objects.filter(number__in=numbers).update(batch=batch)
    return batch, numbers


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["coordinator", "admin", "distributor"])
def test_the_batch_sheet_has_every_number_of_the_batch(network, who):
    batch, numbers = _batch(network, 30)
    make_card(network.distributor)  # another number of the same stock, outside the batch

    response = _client(network, who).get(reverse("cards:batch_sheet", kwargs={"batch_id": batch.pk}))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response.content.count(b"/Type /Page\n") == 2, "30 numbers at 24 a page"
    drawn = {text for text in pdf_texts(response.content) if re.fullmatch(r"\d{5} \d{5}", text)}
    assert drawn == {grouped(number) for number in numbers}


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("other_coordinator", 403), ("other_distributor", 403),
                                             ("venue", 403)])
def test_the_batch_sheet_is_refused_outside_the_batch_distributors_scope(network, who, status):
    batch, _numbers = _batch(network, 2)
    response = _client(network, who).get(reverse("cards:batch_sheet", kwargs={"batch_id": batch.pk}))
    assert response.status_code == status


@pytest.mark.django_db
def test_an_unknown_batch_is_not_found(network):
    response = _client(network, "admin").get(reverse("cards:batch_sheet", kwargs={"batch_id": 999999}))
    assert response.status_code == 404


def test_qr_code_is_drawn_within_its_square():
    """Every module of the code lies inside the square it was given, quiet zone included."""
    from reportlab.pdfgen.canvas import Canvas

    rectangles = []

    class Recording(Canvas):
        def drawPath(self, path, *args, **kwargs):  # noqa: N802 (reportlab's name)
            rectangles.extend(re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re", path.getCode()))
            super().drawPath(path, *args, **kwargs)

    import io

    pdf.draw_qr(Recording(io.BytesIO()), "1234567890", 100, 200, 50)
    assert len(rectangles) > 20
    for x, y, width, height in ((float(value) for value in rectangle) for rectangle in rectangles):
        assert 100 < x and x + width < 150 and 200 < y and y + height < 250
