"""Card numbers: nine digits and a Damm check digit, which catches every single-digit error
and every transposition of adjacent digits."""

import re
import secrets

_TABLE = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)
_SEPARATORS = re.compile(r"[\s-]")


def check_digit(digits: str) -> str:
    interim = 0
    for digit in digits:
        interim = _TABLE[interim][int(digit)]
    return str(interim)


def is_valid(number: str) -> bool:
    return len(number) == 10 and number.isascii() and number.isdigit() and check_digit(number) == "0"


def strip_separators(raw: str) -> str:
    return _SEPARATORS.sub("", raw)


def random_number() -> str:
    body = f"{secrets.randbelow(10**9):09d}"
    return body + check_digit(body)
