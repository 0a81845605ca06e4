"""An area's printable list of places where the card works, by municipality and sector, with how to book.

Two layouts of the same text: A4 portrait, and an A4 landscape sheet of two A5 columns that folds in the
middle into an A5 leaflet. Finnish or Swedish (the languages of the municipalities' own brochures). Built
from the same public reads as the venue finder, so it lists exactly what the public pages list, never a
distributor.
"""

import datetime
import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Frame, KeepTogether, PageTemplate, Paragraph, Spacer

from kaikukanta.core.spreadsheet import safe_cell
from kaikukanta.network.models import Area

from . import selectors
from .forms import CATEGORY_LABELS, SECTOR_LABELS

LANGUAGES = ("fi", "sv")
LAYOUTS = ("a4", "a5")


@dataclass(frozen=True)
class BrochureVenue:
    name: str
    category: str
    lines: list[str]


def _text(value: str) -> str:
    """A register text as a paragraph reads it: no formula start, markup escaped, line breaks kept."""
    return escape(safe_cell(value)).replace("\n", "<br/>")


def _venue_lines(venue) -> list[str]:
    lines = []
    if venue.street_address:
        lines.append(_text(venue.street_address))
    contact = [value for value in (venue.public_phone, venue.public_email, venue.website) if value]
    if contact:
        lines.append(" · ".join(_text(value) for value in contact))
    if venue.opening_hours:
        lines.append(f"{escape(_('Opening hours'))}: {_text(venue.opening_hours)}")
    booking = _("Book your free ticket in advance.") if venue.booking_needed else _(
        "No booking needed: come to the ticket office.")
    lines.append(escape(booking) + (f" {_text(venue.booking_info)}" if venue.booking_info else ""))
    if venue.children_welcome:
        lines.append(escape(_("Children welcome")))
    return lines


def grouped_venues(area: Area, day: datetime.date, language: str) -> list[tuple[str, list[tuple[str, list]]]]:
    """[(municipality, [(sector, [BrochureVenue])])], each level in alphabetical order of the language."""
    groups: dict[str, dict[str, list[BrochureVenue]]] = {}
    for venue in selectors.public_venues(day).filter(area=area):
        municipality = selectors.municipality_name(venue.municipality, language)
        sector = str(SECTOR_LABELS.get(venue.sector, venue.sector))
        groups.setdefault(municipality, {}).setdefault(sector, []).append(
            BrochureVenue(venue.name, str(CATEGORY_LABELS.get(venue.category, venue.category)), _venue_lines(venue)))
    key = selectors.collation_key
    return [(municipality, [(sector, sorted(venues, key=lambda venue: key(venue.name)))
                            for sector, venues in sorted(sectors.items(), key=lambda pair: key(pair[0]))])
            for municipality, sectors in sorted(groups.items(), key=lambda pair: key(pair[0]))]


def _styles(layout: str) -> dict:
    base = getSampleStyleSheet()
    size = 9 if layout == "a5" else 10
    body = ParagraphStyle("body", parent=base["Normal"], fontSize=size, leading=size * 1.3)
    return {"title": ParagraphStyle("title", parent=base["Title"], fontSize=size * 2, leading=size * 2.4),
            "municipality": ParagraphStyle("municipality", parent=base["Heading1"], fontSize=size * 1.6,
                                           leading=size * 2, spaceBefore=size),
            "sector": ParagraphStyle("sector", parent=base["Heading2"], fontSize=size * 1.25, leading=size * 1.6),
            "name": ParagraphStyle("name", parent=body, fontName="Helvetica-Bold", spaceBefore=size * 0.5),
            "body": body, "note": ParagraphStyle("note", parent=body, textColor="#4a4a4a")}


def _story(area: Area, day: datetime.date, language: str, styles: dict) -> list:
    story = [Paragraph(escape(_("Kaikukortti: where the card works")), styles["title"]),
             Paragraph(_text(area.name), styles["municipality"]),
             Paragraph(escape(_("Show your Kaikukortti at the ticket office. Children registered on your card can "
                                "come with you, except on courses.")), styles["body"]),
             Paragraph(escape(_("Some places ask you to book in advance: each place below says how. The free "
                                "tickets of an event may run out.")), styles["body"]),
             Paragraph(escape(_("List of %(date)s. The latest list is at the card's website.") % {
                 "date": formats.date_format(day, "SHORT_DATE_FORMAT")}), styles["note"])]
    groups = grouped_venues(area, day, language)
    if not groups:
        story.append(Paragraph(escape(_("No places in this area take part yet.")), styles["body"]))
    for municipality, sectors in groups:
        story.append(Paragraph(escape(safe_cell(municipality)), styles["municipality"]))
        for sector, venues in sectors:
            story.append(Paragraph(escape(sector), styles["sector"]))
            for venue in venues:
                story.append(KeepTogether(
                    [Paragraph(f"{_text(venue.name)} <font name='Helvetica'>({escape(venue.category)})</font>",
                               styles["name"])]
                    + [Paragraph(line, styles["body"]) for line in venue.lines]))
    return story


def venue_brochure(area: Area, day: datetime.date, language: str, layout: str) -> bytes:
    """The PDF: `layout` "a4" (A4 pages) or "a5" (A4 landscape sheets of two A5 columns, to fold)."""
    with translation.override(language):
        styles = _styles(layout)
        buffer = io.BytesIO()
        title = f"{_('Kaikukortti: where the card works')} – {safe_cell(area.name)}"
        margin = 12 * mm
        if layout == "a5":
            width, height = landscape(A4)
            column = width / 2
            frames = [Frame(index * column + margin, margin, column - 2 * margin, height - 2 * margin,
                            id=f"column{index}") for index in (0, 1)]
        else:
            width, height = A4
            frames = [Frame(margin + 6 * mm, margin, width - 2 * margin - 12 * mm, height - 2 * margin, id="page")]
        document = BaseDocTemplate(buffer, pagesize=(width, height), title=title, author="Kaikukortti",
                                   lang=language, invariant=1)
        document.addPageTemplates([PageTemplate(id=layout, frames=frames)])
        document.build(_story(area, day, language, styles) + [Spacer(1, 1)])
        return buffer.getvalue()
