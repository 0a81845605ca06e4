"""A bad row's reason in the reader's language: the refusal's own message (core.errors, as the API gives it),
and the importer's detail (source.py writes it in English for the command line) translated here."""

import re

from django.utils import translation
from django.utils.translation import gettext as _

from kaikukanta.core.errors import Code, Refusal


def _details():
    # Built per call so that each text is translated in the language active at that moment.
    return [
        (re.compile(r"UTF-16 text.*"), lambda m: _("The file is UTF-16 text: save it as UTF-8 CSV.")),
        (re.compile(r"not UTF-8 text.*"), lambda m: _("The file is not UTF-8 text: save it as UTF-8 CSV.")),
        (re.compile(r"unreadable CSV \((.*)\)"), lambda m: _("The CSV cannot be read here (%(error)s).")
         % {"error": m[1]}),
        (re.compile(r"(\d+) fields, expected (\d+)"), lambda m: _(
            "The row has %(found)s values, the header %(expected)s columns.") % {"found": m[1], "expected": m[2]}),
        (re.compile(r"a formula, not a value"), lambda m: _("The cell holds a formula: type its value instead.")),
        (re.compile(r"not an XLSX workbook"), lambda m: _("The file is not an XLSX workbook.")),
        (re.compile(r"more than (\d+) rows"), lambda m: _("The file has more than %(rows)s rows: split it.")
         % {"rows": m[1]}),
        (re.compile(r"the database refused a row"), lambda m: _("The database refused a row.")),
        (re.compile(r"birth years: four digits each"), lambda m: _(
            "Write each child's birth year as four digits, separated by spaces (at most 20).")),
        (re.compile(r"(\d+) birth years for (\d+) children"), lambda m: _(
            "Birth years given: %(years)s; children: %(children)s. Give one year per child.")
         % {"years": m[1], "children": m[2]}),
        (re.compile(r"a birth year before 1900 or after the year of issue"), lambda m: _(
            "A child's birth year is before 1900 or after the year the card was issued.")),
    ]


def _header(detail: str) -> str:
    parts = []
    for part in detail.split("; "):
        if part.startswith("missing columns: "):
            parts.append(_("Missing columns: %(columns)s.") % {"columns": part.removeprefix("missing columns: ")})
        elif part.startswith("unknown columns: "):
            parts.append(_("Unknown columns: %(columns)s.") % {"columns": part.removeprefix("unknown columns: ")})
        elif part:
            parts.append(_("A column is named twice."))
    return " ".join(parts)


def reason(error: dict, language: str) -> str:
    """The reason of one stored bad row ({"code", "field", "detail"}) in `language`."""
    code = Code(error["code"])
    detail = error.get("detail") or ""
    with translation.override(language):
        if error.get("field") == "header":
            return _("The header row is not the one expected.") + " " + _header(detail)
        for pattern, text in _details():
            match = pattern.fullmatch(detail)
            if match:
                return text(match)
        if code == Code.INVALID:
            return _("Not a valid value.") + (f" ({detail})" if detail else "")
        if code == Code.FORBIDDEN:
            return _("The site is not in the area of this import, or not yours to import for.")
        return Refusal(code, detail=detail or None).message(language)
