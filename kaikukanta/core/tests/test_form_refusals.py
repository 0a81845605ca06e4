"""Every page form, walked with each refusal the server can give it: the refusal lands on the field it
concerns (the error beside the input, tied to it with aria-invalid and aria-describedby) and says why, in
the page's language, never only "the request is invalid".

The forms are found, not listed: every page of the page matrix is opened by each caller allowed to, and
each form posting to the site with an input a person fills is a form of this walk. Each app lists its
forms' refusals in `<app>/tests/form_refusals.py` as `REFUSALS = {url name: [FormRefusal, ...]}`, and the
forms that have inputs but no refusal of their own in `WITHOUT_REFUSALS = {url name: why}`; a form in
neither fails the suite, so a new form cannot ship without its refusals walked.
"""

import html
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from kaikukanta.core.errors import MEANINGS, Code
from kaikukanta.testing import (
    FormRefusal,
    all_app_tests_attribute,
    all_page_examples,
    example_path,
    sign_in,
)

REFUSALS: dict[str, list[FormRefusal]] = all_app_tests_attribute("form_refusals", "REFUSALS")
WITHOUT_REFUSALS: dict[str, str] = all_app_tests_attribute("form_refusals", "WITHOUT_REFUSALS")
GENERIC = {MEANINGS[Code.INVALID].fi, MEANINGS[Code.INVALID].sv, MEANINGS[Code.INVALID].en}
LANGUAGES = ("fi", "sv", "en")
FILLED_INPUTS = {"text", "number", "date", "email", "url", "tel", "password", "file", "search", "checkbox",
                 "radio", None}


class _Forms(HTMLParser):
    """The POST forms of a page: (action, names of the inputs a person fills)."""

    def __init__(self):
        super().__init__()
        self.forms, self._current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self._current = [attrs.get("action"), set()]
            self.forms.append(self._current)
        elif self._current is not None and attrs.get("name") and (
                tag in ("select", "textarea") or (tag == "input" and attrs.get("type") in FILLED_INPUTS)):
            self._current[1].add(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _client(network, who: str, language: str = "fi") -> Client:
    client = Client()
    if who != "anonymous":
        sign_in(client, network.users[who])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def _page_forms(network) -> dict[str, str]:
    """Every form with inputs to fill that some caller is shown: its target's URL name → where it was seen."""
    found = {}
    for key, example in sorted(all_page_examples().items()):
        if example.method != "get":
            continue
        path = example_path(key, example, network)
        for who in sorted(example.allowed):
            response = _client(network, who).get(path)
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            parser = _Forms()
            parser.feed(response.content.decode())
            for action, names in parser.forms:
                if not names:
                    continue  # a button: nothing typed or chosen to refuse
                target = (action or path).split("?")[0]
                try:
                    found.setdefault(resolve(target).view_name, f"{key} as {who}")
                except Resolver404:
                    pass
    return found


def test_every_page_form_has_its_refusals_walked(network):
    forms = _page_forms(network)
    missing = {name: seen for name, seen in forms.items() if name not in REFUSALS and name not in WITHOUT_REFUSALS}
    assert not missing, f"forms without FormRefusal cases in <app>/tests/form_refusals.py: {missing}"
    assert not set(REFUSALS) & set(WITHOUT_REFUSALS)
    # An entry for a form no page shows any more is dropped, not kept green by a form that is gone.
    gone = sorted(name for name in set(REFUSALS) | set(WITHOUT_REFUSALS) if name not in forms)
    assert not gone, f"entries for forms no page shows: {gone}"


CASES = [(name, index) for name in sorted(REFUSALS) for index in range(len(REFUSALS[name]))]


def _error_of(page: str, field: str) -> str | None:
    match = re.search(rf'<p class="field__error" id="id_{re.escape(field)}_error">(.*?)</p>', page, re.S)
    return html.unescape(match.group(1)).strip() if match else None


def _input_tag(page: str, field: str) -> str:
    match = re.search(rf'<(?:input|select|textarea|fieldset)\b[^>]*\bid="id_{re.escape(field)}"[^>]*>', page)
    assert match, f"no input id_{field} on the page"
    return match.group(0)


@pytest.mark.parametrize("name, index", CASES, ids=[f"{name}-{REFUSALS[name][index].field}" for name, index in CASES])
def test_a_refusal_lands_on_its_field_with_its_reason(name, index, network):
    case = REFUSALS[name][index]
    kwargs = (case.kwargs or all_page_examples().get(name, _NO_EXAMPLE).kwargs)(network)
    path = reverse(name, kwargs=kwargs)
    reasons = {}
    for language in LANGUAGES:
        response = _client(network, case.caller, language).post(path, case.data(network))
        assert response.status_code in (200, 400, 403, 404, 409, 422), (language, response.status_code)
        page = response.content.decode()
        error = _error_of(page, case.field)
        assert error, f"{language}: no error beside id_{case.field}; errors shown: " + str(
            re.findall(r'class="(?:field__error|notice notice--error)"[^>]*>(.*?)</', page, re.S))
        assert error not in GENERIC and error.rstrip(".") not in {text.rstrip(".") for text in GENERIC}, error
        tag = _input_tag(page, case.field)
        assert 'aria-invalid="true"' in tag, tag
        assert f"id_{case.field}_error" in (re.search(r'aria-describedby="([^"]*)"', tag) or [None, ""])[1], tag
        reasons[language] = error
    assert len(set(reasons.values())) == len(LANGUAGES), f"the reason is not translated: {reasons}"


class _NoExample:
    kwargs = staticmethod(lambda network: {})


_NO_EXAMPLE = _NoExample()


@pytest.mark.parametrize("name, data, reason", [
    ("operations:start_area_export", {"area": "999999"}, "Valitse jokin luettelon alueista."),
    ("operations:start_report", {"area_id": "999999", "year": "2025", "language": "fi"},
     "Valitse jokin luettelon alueista."),
])
def test_a_made_up_choice_of_a_list_only_form_gets_the_reason_on_its_refusal_page(name, data, reason, network):
    """The forms of WITHOUT_REFUSALS made of lists: only a made-up request is refused, on a page of its own
    that still says why."""
    response = _client(network, "admin").post(reverse(name), data)

    assert response.status_code == 400
    assert reason in html.unescape(response.content.decode())
