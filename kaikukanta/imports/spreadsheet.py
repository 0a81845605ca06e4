"""The sources of the browser's imports: CSV as the command line reads it, and XLSX streamed with openpyxl
(read-only), both bounded in rows and both tallying what the rows would create for the dry run's summary.

An XLSX sheet is read as the CSV of the same table would be: the first sheet, its first row the header, every
cell as the text the CSV would hold (whole numbers without a decimal point, dates as YYYY-MM-DD). A formula
is refused on its row and column: the register stores values as they were answered, never a formula's."""

import datetime
import hashlib
import zipfile
from collections import Counter
from pathlib import Path

from kaikukanta.core.errors import Code

from .source import CsvSource, FileRefused, RowError

MAX_ROWS = 200_000
MAX_COLUMNS = 40          # cells read of each sheet row; a real file has 7 or 10 columns
SITE_COLUMN = {"issuer_id", "venue_id"}


class _Tally:
    """Counts what the rows name, for the summary: rows per site and cards closed. Exact when every row is
    good (the only case in which the summary is shown)."""

    def _tallied(self, rows):
        self.sites: Counter = Counter()
        self.closed = 0
        site_column = next(column for column in self.columns if column in SITE_COLUMN)
        for line, row in rows:
            if line > MAX_ROWS + 1:
                raise FileRefused(RowError(line, Code.TOO_LARGE, detail=f"more than {MAX_ROWS} rows"))
            if not isinstance(row, RowError):
                self.sites[row[site_column]] += 1
                self.closed += row.get("status") == "closed"
            yield line, row


class TalliedCsvSource(_Tally, CsvSource):
    def rows(self):
        yield from self._tallied(super().rows())


class _SheetReader:
    """The rows of a worksheet as lists of text, like csv.reader (with `line_num`); formula cells are noted
    by line so that their rows are refused."""

    def __init__(self, sheet):
        self.rows = sheet.iter_rows(max_col=MAX_COLUMNS, values_only=False)
        self.line_num = 0
        self.formulas: dict[int, str] = {}

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        cells = next(self.rows)
        self.line_num = cells[0].row if cells and getattr(cells[0], "row", None) else self.line_num + 1
        values = []
        for cell in cells:
            value = cell.value
            if getattr(cell, "data_type", None) == "f" or (isinstance(value, str) and value.startswith("=")):
                self.formulas.setdefault(self.line_num, str(len(values)))
                value = ""
            values.append(_text(value))
        while values and values[-1] == "":
            values.pop()
        return values


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        return value.date().isoformat() if value.time() == datetime.time() else value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    # A line break inside a cell would be a line break in the CSV: kept as a space, so the value is refused
    # (or read) as itself.
    return str(value).replace("\r", " ").replace("\n", " ")


class XlsxSource(_Tally, CsvSource):
    def __init__(self, path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()):
        super().__init__(path, columns, optional)
        self.digest = hashlib.sha256(Path(path).read_bytes())
        self.total_rows: int | None = None
        self.rows_read = 0

    @property
    def fraction(self) -> float | None:
        return min(self.rows_read / self.total_rows, 1.0) if self.total_rows else None

    def rows(self):
        import openpyxl
        from openpyxl.utils.exceptions import InvalidFileException

        try:
            workbook = openpyxl.load_workbook(self.path, read_only=True, data_only=False)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
            raise FileRefused(RowError(1, Code.INVALID, detail="not an XLSX workbook")) from error
        try:
            sheet = workbook.worksheets[0]
            self.total_rows = sheet.max_row if isinstance(sheet.max_row, int) else None
            reader = _SheetReader(sheet)
            padded = _Padded(reader, len(self.columns))
            for line, row in self._tallied(self._checked(self._records(padded), reader)):
                self.rows_read = line
                yield line, row
        except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as error:
            # A damaged sheet inside a sound zip: openpyxl's parser gives up part way.
            raise FileRefused(RowError(self.rows_read + 1, Code.INVALID, detail="not an XLSX workbook")) from error
        finally:
            workbook.close()

    @staticmethod
    def _checked(records, reader):
        for line, row in records:
            if line in reader.formulas and not isinstance(row, RowError):
                column = list(row)[int(reader.formulas[line])] if int(reader.formulas[line]) < len(row) else None
                yield line, RowError(line, Code.INVALID, column, "a formula, not a value")
            else:
                yield line, row


class _Padded:
    """A sheet row shorter than the header because its last cells are empty is as long as the header."""

    def __init__(self, reader: _SheetReader, width: int):
        self.reader = reader
        self.width = width
        self.first = True

    def __iter__(self):
        return self

    def __next__(self) -> list[str]:
        values = next(self.reader)
        if self.first:
            self.first = False
            self.width = len(values) or self.width
        elif values and len(values) < self.width:
            values = values + [""] * (self.width - len(values))
        return values

    @property
    def line_num(self) -> int:
        return self.reader.line_num


SOURCES = {"csv": TalliedCsvSource, "xlsx": XlsxSource}
