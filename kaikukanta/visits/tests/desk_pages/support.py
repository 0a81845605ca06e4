"""What the desk pages' tests (test_desk_*.py) share: signing in, the refusal messages, reading a page's
idempotency key and field errors, and recording a visit from the desk's form. The signed-in desk itself is
the `desk` fixture of conftest.py."""

import html
import re

from django.test import Client
from django.urls import reverse

from kaikukanta.core import damm
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.testing import sign_in

UNKNOWN_NUMBER = "123456789" + damm.check_digit("123456789")
BAD_CHECK_DIGIT = "123456789" + str((int(damm.check_digit("123456789")) + 1) % 10)


def message(code: Code, language: str = "en") -> str:
    return Refusal(code).message(language)


def signed_in(network, who: str = "venue", language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, network.users[who])
    return client


def spaced(number: str) -> str:
    return f"{number[:5]} {number[5:]}"


def key_of(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page).group(1)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field__error" id="id_{field}_error">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def record(client, number: str, key: str = "key-1", **fields):
    return client.post(reverse("desk:check"), {"card_number": number, "idempotency_key": key, **fields})
