"""Statistics Finland's low-income population per municipality: the import, and the figure coverage uses.

The import is all-or-nothing: every row is checked first, and one bad row means nothing is written.
Figures are kept per year; a file with a newer year adds it, and coverage reads the newest year
that is not later than the year asked about.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from kaikukanta.core import audit
from kaikukanta.core.errors import Code

from .models import LowIncomeFigure, Municipality

COLUMNS = ("municipality_code", "year", "low_income_persons")
FIRST_YEAR = 1900
LAST_YEAR = 2100


@dataclass(frozen=True)
class RowError:
    line: int
    code: Code
    field: str | None = None


@dataclass
class ImportResult:
    errors: list[RowError] = field(default_factory=list)
    created: int = 0
    updated: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


def _whole_number(text: str, low: int, high: int) -> int | None:
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    value = int(text)
    return value if low <= value <= high else None


@transaction.atomic
def import_low_income(path: Path) -> ImportResult:
    """Check every row of `path`, then store all of them (per municipality and year) or none."""
    with open(path, encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames is None or any(column not in reader.fieldnames for column in COLUMNS):
            return ImportResult(errors=[RowError(1, Code.INVALID, "header")])
        rows = list(reader)

    known = set(Municipality.objects.values_list("code", flat=True))
    result = ImportResult()
    figures: dict[tuple[str, int], int] = {}
    for line, row in enumerate(rows, start=2):
        code = (row["municipality_code"] or "").strip()
        year = _whole_number(row["year"] or "", FIRST_YEAR, LAST_YEAR)
        persons = _whole_number(row["low_income_persons"] or "", 0, 2**31 - 1)
        if code not in known:
            result.errors.append(RowError(line, Code.MUNICIPALITY_UNKNOWN, "municipality_code"))
        elif year is None:
            result.errors.append(RowError(line, Code.INVALID, "year"))
        elif persons is None:
            result.errors.append(RowError(line, Code.INVALID, "low_income_persons"))
        elif (code, year) in figures:
            # Two figures for one municipality and year would make the stored one depend on row order.
            result.errors.append(RowError(line, Code.INVALID, "year"))
        else:
            figures[(code, year)] = persons
    if result.errors:
        return result
    for (code, year), persons in figures.items():
        _, created = LowIncomeFigure.objects.update_or_create(
            municipality_id=code, year=year, defaults={"low_income_persons": persons})
        if created:
            result.created += 1
        else:
            result.updated += 1
    audit.record(None, "import_low_income", object_type="lowincomefigure", object_id="",
                 created=result.created, updated=result.updated)
    return result


def low_income_population(codes: Iterable[str], year: int) -> int | None:
    """Low-income persons of the municipalities `codes`: for each, the newest figure of `year` or earlier,
    else its newest figure at all. None unless every one of them has a figure (a partial sum would
    overstate coverage) or when there are none."""
    codes = set(codes)
    if not codes:
        return None
    chosen: dict[str, tuple[tuple[bool, int], int]] = {}
    for code, figure_year, persons in (LowIncomeFigure.objects.filter(municipality_id__in=codes)
                                       .values_list("municipality_id", "year", "low_income_persons")):
        # Any year up to `year` ranks above every later one; within each group the newest wins.
        rank = (figure_year <= year, figure_year)
        if code not in chosen or rank > chosen[code][0]:
            chosen[code] = (rank, persons)
    if set(chosen) != codes:
        return None
    return sum(persons for _, persons in chosen.values())
