"""The bounds every stored integer and date is checked against before it reaches the database.

Integer columns are PostgreSQL `integer` (int4) at most, so a value outside int4 cannot be stored as sent:
with server-side binding an int8 parameter overflows, SQLite raises on anything past int8. Each rules
module (cards/rules.py, visits/rules.py, network/rules.py) names the tighter bounds of its own fields from
these; API schemas and forms read the same constants, and the services check them, so every entry point
refuses the same values with `invalid` naming the field.
"""

import datetime

from .errors import Code, Refusal
from .reasons import between_days, between_numbers

INT4_MIN = -(2**31)
INT4_MAX = 2**31 - 1
# An id in a body or a query names a row: a positive int4.
ID_MIN, ID_MAX = 1, INT4_MAX
# The dates the register has any use for: nothing before the card existed in any form, nothing so far
# ahead that adding a validity period to it would leave the calendar.
DATE_MIN = datetime.date(1900, 1, 1)
DATE_MAX = datetime.date(9000, 12, 31)


def check_integer(value: int, field: str, low: int = INT4_MIN, high: int = INT4_MAX) -> int:
    """`value` itself, or `invalid` naming `field` when it is not an integer of low..high."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise Refusal(Code.INVALID, field=field, reason=between_numbers(low, high))
    return value


def check_date(value: datetime.date, field: str, low: datetime.date = DATE_MIN,
               high: datetime.date = DATE_MAX) -> datetime.date:
    if not isinstance(value, datetime.date) or not low <= value <= high:
        raise Refusal(Code.INVALID, field=field, reason=between_days(low, high))
    return value


def within_int4(value) -> bool:
    """For schema validators: an int (not a bool) inside int4, or anything that is not an int."""
    return isinstance(value, bool) or not isinstance(value, int) or INT4_MIN <= value <= INT4_MAX
