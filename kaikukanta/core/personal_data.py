"""Spotting personal data in free text: Finnish identity codes, phone numbers and e-mail addresses.

The register keeps no names, identity codes or contact details of holders, so texts that many people read
(names of areas, organisations and offerings, guideline texts, wellbeing questions) must not become a
back door for them. `check_free_text` refuses such a text before anything is stored.

Choices, so that ordinary names of offerings pass:
- An identity code counts only with a valid date and check character: "010203-123A" with a wrong check
  character is a product code or a typo, not a person.
- A domestic phone number starts with 0 and an area or mobile prefix (0[1-9]), 7–12 digits in all,
  separated by spaces or hyphens only: dots and colons belong to dates and times ("24.11.2026", "18.00"),
  and a number starting with 1–9 is a year, a price or a time ("2026", "klo 18–20"). A d-m-y date written
  with hyphens ("01-02-2026") is not a phone number. Postal codes (five digits) are too short.
- A 10-digit card number starting with 0[1-9] looks exactly like a mobile number (040 and 10 digits) and
  is refused as one: a card number names a holder's card, and texts read by the whole network are no
  place for it either. Card numbers starting with 1–9 pass.
- International numbers start with + (or 00358) and have 7–15 digits.
- A domestic number written with dots or slashes ("040.123.4567", "040/123 4567") counts too, unless it
  reads as a date ("01.02.2026", "01/02/2026"): those separators are only let through in dates and times.

Every text is normalised before it is read (`normalised`): Unicode NFKC (fullwidth digits and `＠` become
their ASCII forms, non-breaking and other spaces a space), format characters (category Cf: zero-width
spaces and joiners, soft hyphens, direction marks) removed, and the non-breaking hyphens made hyphens. So
"040\u00a0123\u200b4567" or "０４０１２３４５６７" is read as the number it shows.
"""

import datetime
import re
import unicodedata

from .errors import Code, Refusal

HETU_CHECK_CHARACTERS = "0123456789ABCDEFHJKLMNPRSTUVWXY"
CENTURY_OF_SIGN = {"+": 1800, "-": 1900, "Y": 1900, "X": 1900, "W": 1900, "V": 1900, "U": 1900,
                   "A": 2000, "B": 2000, "C": 2000, "D": 2000, "E": 2000, "F": 2000}

_HETU = re.compile(r"(?<![0-9A-Za-z])(\d{2})(\d{2})(\d{2})([-+A-FU-Ya-fu-y])(\d{3})([0-9A-Ya-y])(?![0-9A-Za-z])")
_INTERNATIONAL = re.compile(r"(?<![\w+])(?:\+|00\s?(?=358))\d{1,3}(?:[ \-]?(?:\(0\)|\(\d{1,4}\)|\d{1,5})){1,6}(?!\w)")
_DOMESTIC = re.compile(r"(?<![\w+(])(?:\(0[1-9]\d{0,2}\)|0[1-9]\d{0,2})(?:[ \-]?\d{2,8}){1,3}(?![\w])")
_HYPHEN_DATE = re.compile(r"(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})")
# "02100 2026": a postal code and a year, which no one writes a phone number as.
_POSTAL_CODE_AND_YEAR = re.compile(r"\d{5} (?:19|20)\d{2}")
# Dots or slashes between the digit groups of a domestic number: "040.123.4567", "09/1234 5678".
_DOMESTIC_PUNCTUATED = re.compile(r"(?<![\w+(./])0[1-9]\d{0,2}(?:[./ \-]?\d{2,8}){1,3}(?![\w]|[./]\d)")
_SEPARATED_DATE = re.compile(r"(\d{1,2})([./\-])(\d{1,2})\2(\d{2}|\d{4})")
# "08.00-10.00", "09.30–11": opening hours, not a number.
_TIMES = re.compile(r"\d{1,2}[.:]\d{2}(?: ?- ?\d{1,2}(?:[.:]\d{2})?)?")
_HYPHENS = str.maketrans({"\u2010": "-", "\u2011": "-", "\u2212": "-", "\ufe63": "-", "\uff0d": "-"})
_EMAIL = re.compile(r"[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)*\.[A-Za-z]{2,}")


def hetu_check_character(birth: str, individual: str) -> str:
    return HETU_CHECK_CHARACTERS[int(birth + individual) % 31]


def _is_hetu(match: re.Match) -> bool:
    day, month, year, sign, individual, check = match.groups()
    try:
        datetime.date(CENTURY_OF_SIGN[sign.upper()] + int(year), int(month), int(day))
    except ValueError:
        return False
    return hetu_check_character(day + month + year, individual) == check.upper()


def _digits(text: str) -> int:
    return sum(character.isdigit() for character in text)


def normalised(text: str) -> str:
    """`text` as it reads: NFKC, format characters dropped, every space a space, hyphens hyphens."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(" " if unicodedata.category(character) in ("Zs", "Zl", "Zp") else character
                   for character in text if unicodedata.category(character) != "Cf")
    return text.translate(_HYPHENS)


def _is_date(text: str) -> bool:
    match = _HYPHEN_DATE.fullmatch(text) or _SEPARATED_DATE.fullmatch(text)
    if match is None:
        return False
    day, month, year = (int(part) for part in match.groups() if part not in "./-")
    try:
        datetime.date(2000 + year if year < 100 else year, month, day)
    except ValueError:
        return False
    return True


def find_hetu(text: str) -> str | None:
    return next((match.group(0) for match in _HETU.finditer(text) if _is_hetu(match)), None)


def find_phone(text: str) -> str | None:
    for match in _INTERNATIONAL.finditer(text):
        if 7 <= _digits(match.group(0)) <= 15:
            return match.group(0)
    for match in _DOMESTIC.finditer(text):
        found = match.group(0)
        if 7 <= _digits(found) <= 12 and not _is_date(found) and not _POSTAL_CODE_AND_YEAR.fullmatch(found):
            return found
    for match in _DOMESTIC_PUNCTUATED.finditer(text):
        found = match.group(0)
        if 7 <= _digits(found) <= 12 and not _is_date(found) and not _TIMES.fullmatch(found):
            return found
    return None


def find_email(text: str) -> str | None:
    match = _EMAIL.search(text)
    return match.group(0) if match else None


def find_personal_data(text: str) -> str | None:
    """The first identity code, phone number or e-mail address in `text`, or None."""
    if not text:
        return None
    text = normalised(text)
    return find_hetu(text) or find_phone(text) or find_email(text)


def check_free_text(text: str | None, field: str) -> None:
    """Refuses a text that carries personal data; `field` names it in the refusal, as the request did."""
    if text and find_personal_data(text) is not None:
        raise Refusal(Code.PERSONAL_DATA_NOT_ALLOWED, field=field)
