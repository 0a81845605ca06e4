"""Reading an import file: UTF-8 CSV, streamed, every problem of the file itself a row-numbered refusal."""

import csv
import hashlib
import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kaikukanta.core.errors import Code, Refusal

UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


@dataclass(frozen=True)
class RowError:
    """A refused row: its line in the file (the header is line 1), the API.md code and the column."""

    line: int
    code: Code
    field: str | None = None
    detail: str | None = None

    def describe(self, language: str = "en") -> str:
        column = f" ({self.field})" if self.field else ""
        reason = Refusal(self.code, detail=self.detail).message(language)
        return f"line {self.line}: {self.code.value}{column}: {reason}"


class FileRefused(Exception):
    def __init__(self, error: RowError):
        super().__init__(error.code.value)
        self.error = error


class CsvSource:
    """Streams (line number, {column: text}) out of a UTF-8 CSV file, hashing it and counting bytes read.

    The delimiter is a comma, or a semicolon when the header has semicolons and no comma (as spreadsheet
    programs write CSV in Finnish locales). The header must name exactly `columns`, in any order, and may
    name the `optional` ones (a row of a file without one reads it as empty): an extra column (a holder's
    name, say) refuses the file rather than being ignored.
    """

    def __init__(self, path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()):
        self.path = path
        self.columns = columns
        self.optional = optional
        self.header: list[str] = []  # as read, once rows() has started
        self.size = os.path.getsize(path)
        self.bytes_read = 0
        self.digest = hashlib.sha256()

    @property
    def fraction(self) -> float | None:
        return self.bytes_read / self.size if self.size else None

    def _text_lines(self, handle) -> Iterator[str]:
        for number, raw in enumerate(handle, start=1):
            self.bytes_read += len(raw)
            self.digest.update(raw)
            if number == 1 and raw.startswith(UTF16_BOMS):
                raise FileRefused(RowError(1, Code.INVALID, detail="UTF-16 text: save the file as UTF-8"))
            if b"\0" in raw:
                raise FileRefused(RowError(number, Code.INVALID, detail="not UTF-8 text (a NUL byte)"))
            try:
                yield raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as error:
                raise FileRefused(RowError(number, Code.INVALID, detail="not UTF-8 text")) from error

    def rows(self) -> Iterator[tuple[int, dict[str, str] | RowError]]:
        with open(self.path, "rb") as handle:
            lines = self._text_lines(handle)
            first = next(lines, "")
            delimiter = ";" if ";" in first and "," not in first else ","
            reader = csv.reader(itertools.chain([first], lines), delimiter=delimiter)
            try:
                yield from self._records(reader)
            except csv.Error as error:
                # A field longer than the csv module's limit, or an unclosed quote at the end of the file.
                raise FileRefused(RowError(reader.line_num, Code.INVALID, detail=f"unreadable CSV ({error})")) \
                    from None

    def _records(self, reader) -> Iterator[tuple[int, dict[str, str] | RowError]]:
        header = [name.strip().lower() for name in next(reader, [])]
        self.header = header
        missing = [c for c in self.columns if c not in header]
        unknown = [c for c in header if c not in self.columns and c not in self.optional]
        if missing or unknown or len(header) != len(set(header)):
            detail = "; ".join(part for part in (
                f"missing columns: {', '.join(missing)}" if missing else "",
                f"unknown columns: {', '.join(unknown)}" if unknown else "",
                "a column named twice" if not missing and not unknown else "") if part)
            raise FileRefused(RowError(1, Code.INVALID, "header", detail))
        absent = {name: "" for name in self.optional if name not in header}
        for values in reader:
            if not values or (len(values) == 1 and not values[0].strip()):
                continue
            if len(values) != len(header):
                yield reader.line_num, RowError(reader.line_num, Code.INVALID, detail=(
                    f"{len(values)} fields, expected {len(header)}"))
                continue
            row = {name: text.strip() for name, text in zip(header, values, strict=True)}
            if absent:
                row.update(absent)
            yield reader.line_num, row
