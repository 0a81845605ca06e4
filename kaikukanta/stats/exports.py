"""A dashboard table as a file: CSV (UTF-8 with a byte-order mark, so spreadsheet programs read ä and ö
right) and XLSX (numbers as numbers, dates as dates). The rows and headers are the page table's own; a
suppressed cell holds the words "fewer than 5", never its number.

Names come from the register and anyone with a site may type them: text is never let to become a
spreadsheet formula (`core.spreadsheet.safe_cell`, for every text cell in CSV and XLSX alike)."""

import csv
import datetime
import io
import re

from openpyxl import Workbook
from openpyxl.styles import Font

from kaikukanta.core.spreadsheet import safe_cell

from .tables import DATE, DECIMAL, PERCENT, SUPPRESSED_TEXT, TEXT, Cell, Table

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
SHEET_NAME_LENGTH = 31


def _plain(cell: Cell):
    if cell.suppressed:
        return str(SUPPRESSED_TEXT)
    if cell.value is None:
        return ""
    if isinstance(cell.value, datetime.date):
        return cell.value.isoformat()
    if cell.kind in (DECIMAL, PERCENT):
        return f"{cell.value:.{cell.places}f}"
    if cell.kind == TEXT:
        return safe_cell(str(cell.value))
    return cell.value


def to_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(str(column.label)) for column in table.columns])
    for row in table.rows:
        writer.writerow([_plain(cell) for cell in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_NAME_FORBIDDEN.sub(" ", table.title)[:SHEET_NAME_LENGTH]
    sheet.append([safe_cell(table.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([safe_cell(str(column.label)) for column in table.columns])
    for header in sheet[2]:
        header.font = Font(bold=True)
    for row in table.rows:
        sheet.append([str(SUPPRESSED_TEXT) if cell.suppressed else safe_cell(cell.value) for cell in row])
        for written, cell in zip(sheet[sheet.max_row], row, strict=True):
            if cell.kind == DATE and cell.value is not None:
                written.number_format = "yyyy-mm-dd"
            elif cell.kind in (DECIMAL, PERCENT) and cell.places:
                written.number_format = "0." + "0" * cell.places
    sheet.freeze_panes = "B3"
    sheet.column_dimensions["A"].width = max([len(str(row[0].value or "")) for row in table.rows] + [20]) + 2
    return _saved(workbook)


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


WRITERS = {"csv": (to_csv, CSV_TYPE), "xlsx": (to_xlsx, XLSX_TYPE)}
