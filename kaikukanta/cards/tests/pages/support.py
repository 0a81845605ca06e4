"""What the card pages' tests (test_card_*_pages.py) share: signing in, reading a page's fields and errors,
and the issue form. The stock and questions they start from are in conftest.py."""

import datetime
import html
import re

from django.test import Client
from django.urls import reverse

from kaikukanta.core.clock import today
from kaikukanta.testing import sign_in

ISSUE = reverse("cards:issue")
LIST = reverse("cards:list")


def signed_in(network, who="distributor", language=None):
    client = Client(headers={"Accept-Language": language} if language else {})
    sign_in(client, network.users[who])
    return client


def grouped(number):
    return f"{number[:5]} {number[5:]}"


def text(response) -> str:
    return html.unescape(response.content.decode())


def field_error(response, field: str) -> str | None:
    """The error shown next to a field (core/field.html ties it to the field by id)."""
    match = re.search(rf'id="id_{re.escape(field)}_error">(.*?)</p>', text(response))
    return match.group(1) if match else None


def input_value(response, name: str) -> str | None:
    match = re.search(rf'<input [^>]*name="{re.escape(name)}"[^>]*>', text(response))
    if match is None:
        return None
    value = re.search(r'value="([^"]*)"', match.group(0))
    return value.group(1) if value else ""


def selected(response, name: str) -> str | None:
    select = re.search(rf'<select name="{re.escape(name)}".*?</select>', text(response), re.S)
    option = re.search(r'<option value="([^"]*)" selected>', select.group(0)) if select else None
    return option.group(1) if option else None


def in_days(days: int) -> str:
    return (today() + datetime.timedelta(days=days)).isoformat()


def issue_form(number: str, /, **overrides) -> dict:
    form = {"number": number, "card_type": "personal", "valid_until": in_days(200), "birth_year": "1975",
            "postal_code": "02100", "children": "2", "gender": "female", "life_situation": "student"}
    form.update(overrides)
    return form
