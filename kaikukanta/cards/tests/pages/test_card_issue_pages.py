"""The issue page of distributor staff through Django's test client: issuing, its refusals and the
form's helpers."""

import datetime
import re

import pytest
from django.urls import reverse

from kaikukanta.cards.models import Card, WellbeingAnswer
from kaikukanta.core.clock import add_months, today
from kaikukanta.core.errors import MEANINGS, Code
from kaikukanta.network.models import NationalSettings
from kaikukanta.testing import make_card, stock_numbers

from .support import (
    ISSUE,
    field_error,
    grouped,
    in_days,
    input_value,
    issue_form,
    selected,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db


# Issuing -----------------------------------------------------------------------------------------------


def test_the_issue_page_offers_a_year_of_validity_and_tells_the_stock_left(network, stock):
    response = signed_in(network).get(ISSUE)

    assert response.status_code == 200
    assert input_value(response, "valid_until") == add_months(today(), 12).isoformat()
    assert input_value(response, "number") == ""
    assert input_value(response, "children") == "0"
    assert selected(response, "gender") == "", "gender defaults to not given"
    assert "3 käyttämätöntä numeroa jäljellä varastossa" in text(response)
    assert 'data-scan-for="id_number"' in text(response)


def test_the_default_validity_is_capped_by_a_shorter_national_maximum(network):
    settings = NationalSettings.current()
    settings.max_validity_months = 6
    settings.save()
    assert input_value(signed_in(network).get(ISSUE), "valid_until") == add_months(today(), 6).isoformat()


def test_wellbeing_questions_are_asked_in_the_page_language(network, questions):
    finnish = text(signed_in(network).get(ISSUE))
    swedish = text(signed_in(network, language="sv").get(ISSUE))

    assert "Kulttuuri on minulle tärkeää" in finnish and "Vanha" not in finnish
    assert "Kultur är viktig för mig" in swedish
    assert finnish.count('name="wellbeing.culture_matters"') == 6, "no answer, then 1..5"


def test_a_personal_card_is_issued_and_its_page_offers_the_insert(network, stock, questions):
    client = signed_in(network)
    response = client.post(ISSUE, issue_form(f"{stock[0][:5]}-{stock[0][5:]}", **{
        "wellbeing.culture_matters": "4", "wellbeing.feel_included": ""}))

    assert response.status_code == 302
    assert response["Location"] == reverse("cards:detail", kwargs={"number": stock[0]})
    card = Card.objects.get(number=stock[0])
    assert (card.card_type, card.birth_year, card.postal_code_id, card.home_municipality_id, card.children,
            card.gender, card.life_situation) == ("personal", 1975, "02100", "049", 2, "female", "student")
    assert card.valid_until.isoformat() == in_days(200)
    assert [(answer.question_key, answer.value) for answer in WellbeingAnswer.objects.filter(card=card)] == [
        ("culture_matters", 4)]

    page = text(client.get(response["Location"]))
    assert f"Kortti {grouped(stock[0])} on annettu." in page
    assert reverse("cards:insert_pdf", kwargs={"number": stock[0]}) + "?language=fi" in page
    assert "Espoo" in page


def test_a_community_card_ignores_holder_fields_left_in_the_form(network, stock, questions):
    response = signed_in(network).post(ISSUE, issue_form(stock[0], card_type="community", birth_year="",
                                                         **{"wellbeing.culture_matters": "5"}))

    assert response.status_code == 302
    card = Card.objects.get(number=stock[0])
    assert (card.card_type, card.birth_year, card.postal_code_id, card.children) == ("community", None, None, 0)
    assert not WellbeingAnswer.objects.exists()


def test_a_personal_card_needs_birth_year_postal_code_and_children(network, stock):
    response = signed_in(network).post(ISSUE, issue_form(stock[0], birth_year="", postal_code="", children=""))

    assert response.status_code == 200
    for field in ("birth_year", "postal_code", "children"):
        assert field_error(response, field) == "Tämä kenttä vaaditaan."
    assert not Card.objects.exists()


REFUSALS = [
    # (what is typed, the field the refusal is shown next to, its code: its message is the one shown)
    (lambda network, stock: {"number": make_card(network.distributor).number}, "number", Code.NUMBER_TAKEN),
    (lambda network, stock: {"number": stock_numbers(network.other_distributor, 1)[0]}, "number",
     Code.NUMBER_NOT_IN_STOCK),
    (lambda network, stock: {"number": stock[0][:9] + str((int(stock[0][9]) + 1) % 10)}, "number",
     Code.NUMBER_INVALID),
    (lambda network, stock: {"birth_year": str(today().year - 15)}, "birth_year", Code.HOLDER_TOO_YOUNG),
    (lambda network, stock: {"postal_code": "00000"}, "postal_code", Code.POSTAL_CODE_UNKNOWN),
    (lambda network, stock: {"postal_code": "20100"}, "postal_code", Code.MUNICIPALITY_NOT_IN_NETWORK),
    (lambda network, stock: {"valid_until": (add_months(today(), 12) + datetime.timedelta(days=1)).isoformat()},
     "valid_until", Code.VALIDITY_TOO_LONG),
    (lambda network, stock: {"valid_until": in_days(-1)}, "valid_until", Code.VALIDITY_IN_PAST),
    (lambda network, stock: {"children": "21"}, "children", Code.TOO_MANY_CHILDREN),
]


@pytest.mark.parametrize(("typed", "field", "code"), REFUSALS, ids=[code.value for _t, _f, code in REFUSALS])
def test_a_refusal_is_shown_next_to_its_field_with_everything_typed_kept(network, stock, typed, field, code):
    form = issue_form(stock[0], **typed(network, stock))
    cards_before = Card.objects.count()

    response = signed_in(network).post(ISSUE, form)

    assert response.status_code == 200
    # The minimum age refusal names the area's rule after the message.
    detail = " (16, täyttää 16 tänä kalenterivuonna)" if code == Code.HOLDER_TOO_YOUNG else ""
    assert field_error(response, field) == MEANINGS[code].fi + detail
    other_errors = re.findall(r'id="id_(\w+)_error"', text(response))
    assert other_errors == [field]
    for name in ("number", "valid_until", "birth_year", "postal_code", "children"):
        assert input_value(response, name) == form[name], name
    assert selected(response, "gender") == "female"
    assert selected(response, "life_situation") == "student"
    assert Card.objects.count() == cards_before


def test_a_number_without_10_digits_is_explained(network, stock):
    response = signed_in(network).post(ISSUE, issue_form("12345 678"))
    assert field_error(response, "number") == "Kortin numerossa on 10 numeroa."
    assert input_value(response, "number") == "12345 678"


def test_a_refusal_speaks_the_page_language(network, stock):
    response = signed_in(network, language="sv").post(ISSUE, issue_form(stock[0], postal_code="20100"))
    assert field_error(response, "postal_code") == MEANINGS[Code.MUNICIPALITY_NOT_IN_NETWORK].sv


def test_venue_staff_and_coordinators_cannot_issue(network, stock):
    for who in ("venue", "coordinator", "admin"):
        response = signed_in(network, who).post(ISSUE, issue_form(stock[0]))
        assert response.status_code == 403, who
    assert not Card.objects.exists()


# The issue form's helpers ---------------------------------------------------------------------------------


def test_next_number_is_the_sites_first_unissued_stock_number(network):
    first, second = stock_numbers(network.distributor, 2)
    stock_numbers(network.other_distributor, 3)
    earliest = min(first, second)
    Card.objects.create(number=earliest, card_type="community", issuer=network.distributor, issued_on=today(),
                        valid_until=today())
    client = signed_in(network)

    response = client.get(reverse("cards:next_number"))

    assert input_value(response, "number") == grouped(max(first, second))
    assert "Numero on otettu toimipaikan varastosta" in text(response)
    assert input_value(client.get(reverse("cards:next_number"), {"field": "new_number"}),
                       "new_number") == grouped(max(first, second))


def test_next_number_says_when_the_stock_is_empty(network):
    response = signed_in(network).get(reverse("cards:next_number"))
    assert input_value(response, "number") == ""
    assert "Toimipaikan varastossa ei ole enää käyttämättömiä numeroita" in text(response)


@pytest.mark.parametrize(("code", "language", "shown"), [
    ("00100", "fi", "Helsinki"),
    ("00100", "sv", "Helsingfors"),
    ("02100", "fi", "Espoo"),
    ("20100", "fi", "Turku: verkoston ulkopuolella."),
    ("20100", "sv", "Åbo: utanför nätverket."),
    ("00000", "fi", "Tuntematon postinumero."),
])
def test_postal_code_lookup_names_the_municipality_and_whether_it_is_in_the_network(
        network, code, language, shown):
    response = signed_in(network, language=language).post(reverse("cards:postal_code"), {"postal_code": code})
    assert response.status_code == 200
    assert shown in text(response)


def test_postal_code_lookup_waits_for_five_digits(network):
    assert text(signed_in(network).post(reverse("cards:postal_code"), {"postal_code": "001"})).strip() == ""
