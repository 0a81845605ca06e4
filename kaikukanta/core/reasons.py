"""Why a value was refused as `invalid`, for the API's `message` (and any door that has no words of its own).

The request schemas (django-ninja on pydantic) refuse a body or query before any service sees it; `of_schema`
turns the first of their errors into a reason in the active language. It reads only the error's kind and the
schema's own limits (`ge`, `max_length`, the allowed choices), never the submitted value, so no holder's data
can come back in a message. `between_numbers` and `between_days` are the bounds of core/bounds.py.
"""

import datetime

from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

MISSING = _("a required field is missing")
UNKNOWN_FIELD = _("this request has no such field")
WHOLE_NUMBER = _("must be a whole number")
NUMBER = _("must be a number")
TEXT = _("must be text")
TRUE_OR_FALSE = _("must be true or false")
DATE = _("must be a date as YYYY-MM-DD")
DATE_TIME = _("must be a date and time in ISO 8601 with an offset")
LIST = _("must be a list")
OBJECT = _("must be an object")
PATTERN = _("does not have the expected form")
NOT_NULL = _("may not be null")
NOT_VALID = _("not a valid value")
NOT_JSON = _("the body is not valid JSON")

# pydantic's error kinds (`type`) by what they mean to a caller; a kind not listed is NOT_VALID.
BY_KIND = {
    "missing": MISSING, "missing_argument": MISSING, "missing_keyword_only_argument": MISSING,
    "extra_forbidden": UNKNOWN_FIELD, "unexpected_keyword_argument": UNKNOWN_FIELD,
    "int_type": WHOLE_NUMBER, "int_parsing": WHOLE_NUMBER, "int_from_float": WHOLE_NUMBER,
    "int_parsing_size": WHOLE_NUMBER,
    "float_type": NUMBER, "float_parsing": NUMBER, "decimal_type": NUMBER, "decimal_parsing": NUMBER,
    "finite_number": NUMBER,
    "string_type": TEXT, "string_unicode": TEXT, "string_sub_type": TEXT,
    "bool_type": TRUE_OR_FALSE, "bool_parsing": TRUE_OR_FALSE,
    "date_type": DATE, "date_parsing": DATE, "date_from_datetime_parsing": DATE,
    "date_from_datetime_inexact": DATE,
    "datetime_type": DATE_TIME, "datetime_parsing": DATE_TIME, "datetime_from_date_parsing": DATE_TIME,
    "timezone_aware": DATE_TIME,
    "list_type": LIST, "tuple_type": LIST, "set_type": LIST, "iterable_type": LIST,
    "dict_type": OBJECT, "model_type": OBJECT, "model_attributes_type": OBJECT, "dataclass_type": OBJECT,
    "string_pattern_mismatch": PATTERN,
    "json_invalid": NOT_JSON,
}

# Kinds whose reason quotes a limit of the schema (`ctx`), by the limit's key.
BY_LIMIT = {
    "greater_than_equal": ("ge", _("must be at least %(limit)s")),
    "greater_than": ("gt", _("must be more than %(limit)s")),
    "less_than_equal": ("le", _("must be at most %(limit)s")),
    "less_than": ("lt", _("must be less than %(limit)s")),
    "string_too_long": ("max_length", _("must be at most %(limit)s characters long")),
    "string_too_short": ("min_length", _("must be at least %(limit)s characters long")),
    "too_long": ("max_length", _("must have at most %(limit)s items")),
    "too_short": ("min_length", _("must have at least %(limit)s items")),
}

# The schemas' own `ValueError`s (core/api_support.py, cards/api.py), by their text.
BY_OWN_ERROR = {
    "may not be null": lambda: NOT_NULL,
    "out of range": lambda: between_numbers(*_int4()),
    "a date is YYYY-MM-DD text": lambda: DATE,
}


def _int4() -> tuple[int, int]:
    from .bounds import INT4_MAX, INT4_MIN

    return INT4_MIN, INT4_MAX


def _between_numbers(low: int, high: int) -> str:
    return gettext("must be a whole number from %(low)s to %(high)s") % {"low": low, "high": high}


def _between_days(low: datetime.date, high: datetime.date) -> str:
    return gettext("must be a day from %(low)s to %(high)s") % {"low": low.isoformat(), "high": high.isoformat()}


# Lazy: read in the language of whoever renders the refusal (Refusal.message overrides it).
between_numbers = lazy(_between_numbers, str)
between_days = lazy(_between_days, str)


def _choices(expected: str) -> str:
    # pydantic lists literal choices as "'a', 'b' or 'c'": the "or" is English, the choices are the schema's.
    return expected.replace("' or '", "', '")


def of_schema(error: dict) -> str:
    """The reason of one schema error ({"type", "loc", "ctx"?, ...}) in the active language."""
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    if kind in BY_LIMIT:
        key, text = BY_LIMIT[kind]
        if key in context:
            return str(text) % {"limit": context[key]}
    if kind in ("literal_error", "enum") and isinstance(context.get("expected"), str):
        return gettext("must be one of %(choices)s") % {"choices": _choices(context["expected"])}
    if kind == "value_error":
        own = BY_OWN_ERROR.get(str(context.get("error", "")))
        return str(own() if own else NOT_VALID)
    return str(BY_KIND.get(kind, NOT_VALID))
