"""Printable PDFs of cards: the insert handed to a holder, and a sheet of a whole stock batch.

Both carry each number three ways: as text in two groups of five (read aloud, typed by hand), as a QR
code (on an insert signed for the offline desk, cards/signing.py) and as a Code 39 barcode of the 10 bare
digits (the desk's camera or a handheld scanner). Code 39
gets no check character of its own: the last digit already is a Damm check digit, and a scanner must
hand back exactly the 10 digits.
"""

import io
import itertools

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.graphics.barcode import code39, qr
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, A6, landscape
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfgen.canvas import Canvas

from kaikukanta.core.spreadsheet import safe_cell

from . import signing
from .models import CardType

INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#4a4a4a")
ACCENT = colors.HexColor("#0000bf")
GUIDE = colors.HexColor("#bfbfbf")
FONT = "Helvetica"
BOLD = "Helvetica-Bold"


def grouped(number: str) -> str:
    """A number as people read it aloud and compare it with the card: two groups of five."""
    return f"{number[:5]} {number[5:]}"


def draw_qr(canvas: Canvas, value: str, x: float, y: float, size: float) -> None:
    """A QR code with its quiet zone, `size` wide, lower left corner at (x, y).

    reportlab's widget encodes; the modules are drawn as one path of row runs, which is many times faster
    than rendering the widget's shapes one by one (a batch sheet has thousands of codes).
    """
    widget = qr.QrCodeWidget(value, barLevel="M")
    widget.qr.make()
    modules = widget.qr.modules
    border = 4
    box = size / (len(modules) + 2 * border)
    path = canvas.beginPath()
    for row_index, row in enumerate(modules):
        column = 0
        for dark, run in itertools.groupby(bool(module) for module in row):
            length = len(list(run))
            if dark:
                path.rect(x + (border + column) * box, y + size - (border + row_index + 1) * box, length * box, box)
            column += length
    canvas.setFillColor(colors.black)
    canvas.drawPath(path, stroke=0, fill=1)


def code39_barcode(value: str, bar_width: float, bar_height: float) -> code39.Standard39:
    return code39.Standard39(value, barWidth=bar_width, barHeight=bar_height, checksum=0, humanReadable=False,
                             quiet=1)


def _new_canvas(buffer, pagesize, title: str, language: str) -> Canvas:
    canvas = Canvas(buffer, pagesize=pagesize, lang=language)
    canvas.setTitle(title)
    canvas.setAuthor("Kaikukanta")
    canvas.setCreator("Kaikukanta")
    return canvas


def _paragraph(canvas: Canvas, text: str, x: float, top: float, width: float, size: float,
               leading: float) -> float:
    """Wrapped text from `top` down; returns where the next line would start."""
    canvas.setFont(FONT, size)
    for line in simpleSplit(text, FONT, size, width):
        top -= leading
        canvas.drawString(x, top, line)
    return top


def card_insert(card, language: str) -> bytes:
    """An A6 insert for one card, with its texts in `language` (fi or sv)."""
    buffer = io.BytesIO()
    width, height = landscape(A6)
    margin = 8 * mm
    with translation.override(language):
        personal = card.card_type == CardType.PERSONAL
        canvas = _new_canvas(buffer, (width, height), _("Kaikukortti %(number)s") % {
            "number": grouped(card.number)}, language)

        canvas.setStrokeColor(GUIDE)
        canvas.setDash(3, 3)
        canvas.rect(2 * mm, 2 * mm, width - 4 * mm, height - 4 * mm)
        canvas.setDash()

        qr_size = 34 * mm
        draw_qr(canvas, signing.qr_payload(card), width - margin - qr_size, height - margin - qr_size, qr_size)

        top = height - margin
        canvas.setFillColor(ACCENT)
        canvas.setFont(BOLD, 18)
        canvas.drawString(margin, top - 16, _("Kaikukortti"))
        canvas.setFillColor(MUTED)
        canvas.setFont(FONT, 9)
        canvas.drawString(margin, top - 29, _("Free entry to culture and sport"))
        canvas.drawString(margin, top - 41, str(_("Personal card") if personal else _("Community card")))

        canvas.setFillColor(INK)
        canvas.setFont(FONT, 8)
        canvas.drawString(margin, top - 60, _("Card number"))
        canvas.setFont(BOLD, 20)
        canvas.drawString(margin, top - 80, grouped(card.number))

        canvas.setFont(FONT, 8)
        canvas.drawString(margin, top - 98, _("Valid until"))
        canvas.setFont(BOLD, 14)
        canvas.drawString(margin, top - 114, formats.date_format(card.valid_until, "SHORT_DATE_FORMAT"))
        if personal:
            canvas.setFont(FONT, 8)
            canvas.drawString(margin + 40 * mm, top - 98, _("Children under 18 along"))
            canvas.setFont(BOLD, 14)
            canvas.drawString(margin + 40 * mm, top - 114, str(card.children))

        barcode = code39_barcode(card.number, 0.3 * mm, 11 * mm)
        barcode.drawOn(canvas, margin - barcode.lquiet, margin + 17 * mm)

        canvas.setFillColor(MUTED)
        _paragraph(canvas, _("Show the card at the ticket office of a participating venue. The card carries no "
                             "name: keep it safe, and if you lose it, tell the service that gave it to you."),
                   margin, margin + 15 * mm, width - 2 * margin, 8, 10)
        canvas.showPage()
        canvas.save()
    return buffer.getvalue()


SHEET_COLUMNS = 3
SHEET_ROWS = 8


def batch_sheet(batch, numbers: list[str], language: str) -> bytes:
    """Every number of a batch on A4 pages, 24 to a page, each in a cell to cut out: QR, number, Code 39."""
    buffer = io.BytesIO()
    width, height = A4
    margin = 10 * mm
    header = 12 * mm
    cell_width = (width - 2 * margin) / SHEET_COLUMNS
    cell_height = (height - 2 * margin - header) / SHEET_ROWS
    per_page = SHEET_COLUMNS * SHEET_ROWS
    pages = max(1, -(-len(numbers) // per_page))
    with translation.override(language):
        title = _("Card numbers of batch %(batch)s, %(distributor)s") % {
            "batch": batch.pk, "distributor": safe_cell(batch.distributor.name)}
        canvas = _new_canvas(buffer, A4, title, language)
        for page in range(pages):
            chunk = numbers[page * per_page:(page + 1) * per_page]
            canvas.setFillColor(INK)
            canvas.setFont(BOLD, 11)
            canvas.drawString(margin, height - margin - 11, title)
            canvas.setFont(FONT, 9)
            canvas.drawRightString(width - margin, height - margin - 11, _("page %(page)s / %(pages)s") % {
                "page": page + 1, "pages": pages})
            for index, number in enumerate(chunk):
                column, row = index % SHEET_COLUMNS, index // SHEET_COLUMNS
                x = margin + column * cell_width
                y = height - margin - header - (row + 1) * cell_height
                _batch_cell(canvas, number, x, y, cell_width, cell_height)
            canvas.showPage()
        canvas.save()
    return buffer.getvalue()


def _batch_cell(canvas: Canvas, number: str, x: float, y: float, cell_width: float, cell_height: float) -> None:
    canvas.setStrokeColor(GUIDE)
    canvas.setLineWidth(0.5)
    canvas.setDash(2, 2)
    canvas.rect(x, y, cell_width, cell_height)
    canvas.setDash()
    qr_size = 20 * mm
    draw_qr(canvas, number, x + 1 * mm, y + cell_height - qr_size - 1 * mm, qr_size)
    canvas.setFillColor(INK)
    canvas.setFont(BOLD, 12)
    canvas.drawString(x + qr_size + 2 * mm, y + cell_height - 11 * mm, grouped(number))
    barcode = code39_barcode(number, 0.24 * mm, 8 * mm)
    barcode.drawOn(canvas, x + (cell_width - barcode.width) / 2, y + 2 * mm)
