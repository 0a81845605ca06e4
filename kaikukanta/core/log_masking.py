"""The log rule: no line the app or its server writes carries a card number, or a token secret.

Holder attributes (birth year, postal code, children...) never travel in an address, only in posted
bodies, which nothing logs; the only addresses with a card number are the card's own pages
(`/cards/<number>/...`) and API paths. `mask` writes both kinds of value as a placeholder, and is the one
function every log goes through: Django's (the `masked` formatter of settings.LOGGING: `django.request`'s
"Not Found: /cards/0401234567/" lines, tracebacks with their SQL); the production server writes no access
log of its own (operations/serve.py)."""

import logging
import re

# Ten digits, alone: a card number (a longer run of digits, a date or an id is left as it is).
_CARD_NUMBER = re.compile(r"(?<![0-9])[0-9]{10}(?![0-9])")
# An API token secret (`kk_` and 43 characters of URL-safe base64), anywhere, also URL-encoded.
_SECRET = re.compile(r"kk_[A-Za-z0-9_\-]{16,}")
CARD_PLACEHOLDER = "[card]"
SECRET_PLACEHOLDER = "kk_[secret]"


def mask(text: str) -> str:
    """`text` with every card number and token secret in it replaced by a placeholder."""
    if not text:
        return text
    return _CARD_NUMBER.sub(CARD_PLACEHOLDER, _SECRET.sub(SECRET_PLACEHOLDER, text))


class MaskingFormatter(logging.Formatter):
    """Formats a record as `inner` (or as logging's default) would, then masks the whole text, traceback
    included. The record itself is left alone, for any other handler."""

    def __init__(self, fmt=None, datefmt=None, style="%", inner: logging.Formatter | None = None, **kwargs):
        super().__init__(fmt, datefmt, style, **kwargs)
        self.inner = inner

    def format(self, record: logging.LogRecord) -> str:
        return mask(self.inner.format(record) if self.inner is not None else super().format(record))
