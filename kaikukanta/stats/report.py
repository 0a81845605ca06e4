"""An area's (or the whole network's) annual report as a printable PDF in Finnish or Swedish.

Every chart is drawn from the table printed beside it (`Table.chart_data`), bars carry their numbers so
the charts read without colour, and suppressed cells say "fewer than 5" as they do on the pages.
"""

import dataclasses
import datetime
import io
import math
from fractions import Fraction
from xml.sax.saxutils import escape

from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus import Table as PdfTable

from kaikukanta.core.spreadsheet import safe_cell

from .selectors import Scope, euros, ticket_value
from .tables import DATE, DECIMAL, PERCENT, SUPPRESSED_TEXT, Cell, Figures, Table, scope_name

INK = colors.HexColor("#1a1a1a")
BAR = colors.HexColor("#0000bf")
LINE = colors.HexColor("#808080")
CHART_WIDTH = 16 * cm
TEXT_WIDTH = 17 * cm
NUMBER_WIDTH = 2.2 * cm
CELL_PADDING = 14
BAR_ROW = 0.6 * cm


def cell_text(cell: Cell) -> str:
    """A cell as the pages show it, in the active language."""
    if cell.suppressed:
        return str(SUPPRESSED_TEXT)
    if cell.value is None:
        return "–"
    if cell.kind == DATE:
        return formats.date_format(cell.value, "SHORT_DATE_FORMAT")
    if cell.kind in (DECIMAL, PERCENT):
        text = formats.number_format(cell.value, cell.places, use_l10n=True, force_grouping=True)
        return f"{text} %" if cell.kind == PERCENT else text
    if isinstance(cell.value, int) and cell.numeric:
        return formats.number_format(cell.value, 0, use_l10n=True, force_grouping=True)
    # Text copied out of the PDF into a spreadsheet must not become a formula either.
    return safe_cell(str(cell.value))


def _table(table: Table, header_style) -> PdfTable:
    # Headers wrap inside their columns: Swedish and Finnish headers are long and the page is not.
    right = ParagraphStyle("header-right", parent=header_style, alignment=TA_RIGHT)
    data = [[Paragraph(escape(str(column.label)), right if column.numeric else header_style)
             for column in table.columns]]
    data += [[cell_text(cell) for cell in row] for row in table.rows]
    numbers = table.columns[1:]
    widths = [8 * cm, 3 * cm]
    if len(numbers) > 1:
        # Wide enough for the longest word of any header, so words wrap between, never inside, themselves.
        number_width = max(NUMBER_WIDTH, *(stringWidth(word, header_style.fontName, header_style.fontSize)
                                           + CELL_PADDING for column in numbers for word in column.label.split()))
        widths = [TEXT_WIDTH - len(numbers) * number_width] + [number_width] * len(numbers)
    drawn = PdfTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    style = [("FONT", (0, 0), (-1, 0), "Helvetica-Bold"), ("FONTSIZE", (0, 0), (-1, -1), 9),
             ("LINEBELOW", (0, 0), (-1, 0), 1, INK), ("LINEBELOW", (0, 1), (-1, -1), 0.25, LINE),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    style += [("ALIGN", (position, 0), (position, -1), "RIGHT")
              for position, column in enumerate(table.columns) if column.numeric]
    drawn.setStyle(TableStyle(style))
    return drawn


def _number_label(value) -> str:
    return formats.number_format(value, 0, use_l10n=True, force_grouping=True) if value is not None else ""


def _chart(table: Table) -> Drawing | None:
    """The table's first charted series as bars with their numbers written on them."""
    data = table.chart_data()
    if not data or not any(value for value in data["series"][0]["values"]):
        return None
    labels, values = data["labels"], data["series"][0]["values"]
    horizontal = data["kind"] == "hbar"
    if horizontal:
        if not data["reverse"]:
            # The category axis runs upwards: reversed, the first row is the top bar, as in the table.
            labels, values = labels[::-1], values[::-1]
        height = BAR_ROW * len(labels) + 1.2 * cm
        chart = HorizontalBarChart()
        chart.x, chart.y, chart.width, chart.height = 5 * cm, 0.6 * cm, CHART_WIDTH - 6.5 * cm, height - 0.9 * cm
        chart.barLabels.boxAnchor, chart.barLabels.dx = "w", 3
    else:
        height = 6 * cm
        chart = VerticalBarChart()
        chart.x, chart.y, chart.width, chart.height = 1.5 * cm, 1.5 * cm, CHART_WIDTH - 2 * cm, height - 2.2 * cm
        chart.barLabels.boxAnchor, chart.barLabels.dy = "s", 2
        chart.categoryAxis.labels.angle, chart.categoryAxis.labels.boxAnchor = 30, "ne"
    chart.data = [values]
    chart.categoryAxis.categoryNames = labels
    chart.categoryAxis.labels.fontSize = chart.valueAxis.labels.fontSize = chart.barLabels.fontSize = 8
    chart.valueAxis.valueMin = 0
    chart.valueAxis.labelTextFormat = _number_label
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.barLabelFormat = _number_label
    drawing = Drawing(CHART_WIDTH, height)
    drawing.add(chart)
    return drawing


def _section(table: Table, heading, note, header_style) -> list:
    # Paragraphs read markup: names from the register (an area called "A & B") are escaped.
    parts = [Paragraph(escape(table.title), heading)]
    chart = _chart(table)
    if chart is not None:
        parts.append(chart)
    if table.rows:
        parts.append(_table(table, header_style))
    else:
        parts.append(Paragraph(escape(table.empty), note))
    if table.has_suppressed:
        parts.append(Paragraph(escape(_("“Fewer than 5”: the figure concerns fewer than five cardholders and is "
                                        "not shown, to protect their privacy.")), note))
    return [KeepTogether(parts), Spacer(1, 0.5 * cm)]


def _money(cents: int) -> str:
    """Exact euros in the active language's number format: whole euros without decimals, else with cents."""
    return formats.number_format(euros(cents), 0 if cents % 100 == 0 else 2, use_l10n=True, force_grouping=True)


def value_sentences(value: dict, year: int) -> list[str]:
    """The report's headline of the value of tickets given in `year` (`selectors.ticket_value` total)."""
    if not value["uses"]:
        return []
    if not value["priced_uses"]:
        return [_("No ticket prices were known for the uses of %(year)s, so the value of the tickets given is not "
                  "known.") % {"year": year}]
    worth = _money(value["ticket_value_cents"])
    sentences = [_("Venues gave tickets worth %(value)s € in %(year)s.") % {"value": worth, "year": year}]
    if value["priced_uses"] < value["uses"]:
        # Rounded half up, but never to 100 while some value is unknown.
        percent = min(99, math.floor(Fraction(100 * value["priced_uses"], value["uses"]) + Fraction(1, 2)))
        sentences.append(_("The value is known for %(percent)s %% of uses.") % {"percent": percent})
    return sentences


def annual_report(scope: Scope, year: int, language: str, today: datetime.date) -> bytes:
    with translation.override(language):
        year_end = min(datetime.date(year, 12, 31), today)
        figures = Figures(scope, start=datetime.date(year, 1, 1), end=datetime.date(year, 12, 31), on=year_end,
                          group_by="month", today=today)
        styles = getSampleStyleSheet()
        heading, note = styles["Heading2"], styles["Italic"]
        header_style = ParagraphStyle("header", parent=styles["Normal"], fontName="Helvetica-Bold", fontSize=8,
                                      leading=10)
        title = _("Kaikukortti annual report %(year)s") % {"year": year}
        story = [Paragraph(escape(title), styles["Title"]),
                 Paragraph(escape(safe_cell(scope_name(scope))), styles["Heading1"]),
                 Paragraph(_("Produced on %(date)s.") % {"date": formats.date_format(today, "SHORT_DATE_FORMAT")},
                           styles["Normal"]),
                 Spacer(1, 0.3 * cm)]
        value = ticket_value(scope, "year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))["total"]
        story += [Paragraph(escape(sentence), styles["Heading3"]) for sentence in value_sentences(value, year)]
        story.append(Spacer(1, 0.5 * cm))
        # Each section says its period: the headline figures are totals of every year up to the year's end,
        # the other sections the year alone.
        up_to = formats.date_format(year_end, "SHORT_DATE_FORMAT")
        for table in (figures.table("summary"), figures.sectors_of_year(year), figures.table("month"),
                      figures.table("area"), figures.table("age_group")):
            if table is not None:
                if table.name == "summary":
                    table = dataclasses.replace(table, title=_("Totals of all years up to %(date)s") % {
                        "date": up_to})
                elif str(year) not in table.title:
                    table = dataclasses.replace(table, title=f"{table.title} – {year}")
                story += _section(table, heading, note, header_style)
        buffer = io.BytesIO()
        document = SimpleDocTemplate(buffer, pagesize=A4, title=title, author="Kaikukanta", lang=language,
                                     invariant=1, leftMargin=2 * cm, rightMargin=2 * cm)
        document.build(story)
        return buffer.getvalue()
