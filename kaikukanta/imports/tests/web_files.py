"""Files for the browser's imports in tests and the benchmark: CSV text and XLSX workbooks of cards and visits."""

import datetime
import io

from kaikukanta.core import damm
from kaikukanta.core.clock import today

CARD_HEADER = ["number", "card_type", "issuer_id", "issued_on", "valid_until", "birth_year", "postal_code",
               "children", "gender", "status"]
VISIT_HEADER = ["card_number", "venue_id", "offering_id", "used_on", "children", "clients", "assistants"]


def number(index: int, prefix: str = "66") -> str:
    digits = f"{prefix}{index:07d}"
    return digits + damm.check_digit(digits)


def card_row(distributor_id: int, index: int, **values) -> list[str]:
    row = {"number": number(index), "card_type": "personal", "issuer_id": str(distributor_id),
           "issued_on": (today() - datetime.timedelta(days=30)).isoformat(),
           "valid_until": (today() + datetime.timedelta(days=300)).isoformat(), "birth_year": "1980",
           "postal_code": "00100", "children": "1", "gender": "", "status": "active"}
    row.update(values)
    return [row[column] for column in CARD_HEADER]


def visit_row(card_number: str, venue_id: int, **values) -> list[str]:
    row = {"card_number": card_number, "venue_id": str(venue_id), "offering_id": "",
           "used_on": (today() - datetime.timedelta(days=3)).isoformat(), "children": "0", "clients": "0",
           "assistants": "0"}
    row.update(values)
    return [row[column] for column in VISIT_HEADER]


def csv_bytes(header: list[str], rows: list[list[str]]) -> bytes:
    return ("\n".join(",".join(row) for row in [header, *rows]) + "\n").encode()


def xlsx_bytes(header: list[str], rows: list[list], formulas: dict[tuple[int, int], str] | None = None) -> bytes:
    """A workbook whose first sheet holds the table; `formulas` puts a formula at (sheet row, column index)."""
    import openpyxl

    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet("Taulukko")
    for number_, row in enumerate([header, *rows], start=1):
        cells = [_cell(value) for value in row]
        for (line, column), formula in (formulas or {}).items():
            if line == number_:
                cells[column] = formula
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(value):
    # Numbers as a spreadsheet holds them: years and ids as numbers, dates as dates.
    if isinstance(value, str) and value.isdigit() and len(value) < 6 and not value.startswith("0"):
        return int(value)
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return datetime.date.fromisoformat(value)
    return value
