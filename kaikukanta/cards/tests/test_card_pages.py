"""The card pages of distributor staff through Django's test client: what a worker sees and keeps."""

import datetime
import html
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaikukanta.cards.models import Card, WellbeingAnswer, WellbeingQuestion
from kaikukanta.core.clock import add_months, today
from kaikukanta.core.errors import MEANINGS, Code
from kaikukanta.network.models import NationalSettings
from kaikukanta.testing import make_card, sign_in, stock_numbers

pytestmark = pytest.mark.django_db

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


@pytest.fixture
def stock(network):
    return stock_numbers(network.distributor, 3)


@pytest.fixture
def questions(db):
    WellbeingQuestion.objects.create(key="culture_matters", text_fi="Kulttuuri on minulle tärkeää",
                                     text_sv="Kultur är viktig för mig", text_en="Culture matters to me",
                                     position=0)
    WellbeingQuestion.objects.create(key="feel_included", text_fi="Tunnen kuuluvani joukkoon",
                                     text_sv="Jag känner mig delaktig", text_en="I feel included", position=1)
    WellbeingQuestion.objects.create(key="retired_question", text_fi="Vanha", text_sv="Gammal", text_en="Old",
                                     current=False)


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


# A card's page -------------------------------------------------------------------------------------------


def test_the_card_page_shows_status_holder_data_and_history(network):
    card = make_card(network.distributor, children=2, postal_code="02100", gender="male",
                     life_situation="retired")
    page = text(signed_in(network).get(reverse("cards:detail", kwargs={"number": card.number})))

    assert f"Kortti {grouped(card.number)}" in page
    assert 'class="status status--valid">Voimassa<' in page
    for shown in ("1980", "02100", "Espoo", "Mies", "Eläkkeellä", "Annettu", "Sosiaalitoimi Kallio"):
        assert shown in page, shown
    for action in ("renew", "replace", "close"):
        assert reverse(f"cards:{action}", kwargs={"number": card.number}) in page
    assert 'data-confirm="Suljetaanko kortti' in page


def test_the_area_coordinator_reads_the_card_but_cannot_manage_it(network):
    card = make_card(network.distributor)
    response = signed_in(network, "coordinator").get(reverse("cards:detail", kwargs={"number": card.number}))

    assert response.status_code == 200
    assert "1980" in text(response)
    assert reverse("cards:renew", kwargs={"number": card.number}) not in text(response)
    assert reverse("cards:close", kwargs={"number": card.number}) not in text(response)


@pytest.mark.parametrize(("who", "status"), [("other_distributor", 404), ("other_coordinator", 404),
                                             ("venue", 403)])
def test_a_card_outside_the_callers_scope_is_not_shown(network, who, status):
    card = make_card(network.distributor)
    response = signed_in(network, who).get(reverse("cards:detail", kwargs={"number": card.number}))

    assert response.status_code == status
    assert "1980" not in text(response)


@pytest.mark.parametrize("number", ["1234567890", "12345", "kortti"])
def test_an_unknown_or_malformed_number_is_not_found(network, number):
    response = signed_in(network).get(reverse("cards:detail", kwargs={"number": number}))
    assert response.status_code == 404
    assert MEANINGS[Code.CARD_NOT_FOUND].fi in text(response)


def test_another_distributor_cannot_open_the_forms_of_a_card(network):
    card = make_card(network.distributor)
    client = signed_in(network, "other_distributor")
    for action in ("renew", "close", "replace"):
        path = reverse(f"cards:{action}", kwargs={"number": card.number})
        assert client.get(path).status_code == 404, action
        assert client.post(path, {"reason": "lost", "new_number": "x", "valid_until": in_days(10)}
                           ).status_code == 404, action
    assert Card.objects.get(pk=card.pk).closed_on is None


# Renewing ------------------------------------------------------------------------------------------------


def test_the_renew_form_is_prefilled_with_the_holder_data_and_a_year_of_validity(network, questions):
    card = make_card(network.distributor, children=4, postal_code="02100", gender="female")
    response = signed_in(network).get(reverse("cards:renew", kwargs={"number": card.number}))

    assert input_value(response, "valid_until") == add_months(today(), 12).isoformat()
    assert (input_value(response, "birth_year"), input_value(response, "postal_code"),
            input_value(response, "children")) == ("1980", "02100", "4")
    assert selected(response, "gender") == "female"
    assert "Kulttuuri on minulle tärkeää" in text(response)


def test_a_renewal_updates_validity_and_holder_and_records_the_answers(network, questions):
    card = make_card(network.distributor, valid_until=today() - datetime.timedelta(days=3))
    client = signed_in(network)
    response = client.post(reverse("cards:renew", kwargs={"number": card.number}), {
        "valid_until": in_days(300), "birth_year": "1980", "postal_code": "00100", "children": "1",
        "gender": "", "life_situation": "", "wellbeing.feel_included": "3"})

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.valid_until.isoformat(), card.postal_code_id, card.home_municipality_id, card.children) == (
        in_days(300), "00100", "091", 1)
    answer = WellbeingAnswer.objects.get(card=card)
    assert (answer.question_key, answer.value, answer.event.event) == ("feel_included", 3, "renewed")
    assert "Kortin voimassaoloa on jatkettu." in text(client.get(response["Location"]))


def test_a_renewal_judges_the_holder_again(network):
    card = make_card(network.distributor)
    path = reverse("cards:renew", kwargs={"number": card.number})
    response = signed_in(network).post(path, {"valid_until": in_days(300), "birth_year": "1980",
                                              "postal_code": "20100", "children": "1"})

    assert response.status_code == 200
    assert field_error(response, "postal_code") == MEANINGS[Code.MUNICIPALITY_NOT_IN_NETWORK].fi
    assert input_value(response, "postal_code") == "20100"
    assert input_value(response, "valid_until") == in_days(300)
    assert Card.objects.get(pk=card.pk).postal_code_id == "00100"


def test_a_community_card_is_renewed_with_a_date_only(network):
    card = make_card(network.distributor, card_type="community")
    client = signed_in(network)
    path = reverse("cards:renew", kwargs={"number": card.number})

    assert input_value(client.get(path), "birth_year") is None
    too_long = add_months(today(), 12) + datetime.timedelta(days=1)
    response = client.post(path, {"valid_until": too_long.isoformat()})
    assert field_error(response, "valid_until") == MEANINGS[Code.VALIDITY_TOO_LONG].fi
    assert client.post(path, {"valid_until": in_days(100)}).status_code == 302
    assert Card.objects.get(pk=card.pk).valid_until.isoformat() == in_days(100)


# Closing and replacing -----------------------------------------------------------------------------------


def test_closing_needs_a_reason_and_closes_from_today(network):
    card = make_card(network.distributor)
    client = signed_in(network)
    path = reverse("cards:close", kwargs={"number": card.number})

    assert field_error(client.post(path, {"reason": ""}), "reason") == "Tämä kenttä vaaditaan."
    response = client.post(path, {"reason": "moved"})

    assert response.status_code == 302
    card.refresh_from_db()
    assert (card.closed_on, card.close_reason) == (today(), "moved")
    page = text(client.get(response["Location"]))
    assert 'class="status status--closed">Suljettu<' in page
    assert "Muuttanut pois" in page
    assert reverse("cards:renew", kwargs={"number": card.number}) not in page, "a closed card has no actions"
    assert reverse("cards:insert_pdf", kwargs={"number": card.number}) not in page, "nor an insert to print"


def test_a_closed_card_cannot_be_closed_or_renewed_again(network):
    card = make_card(network.distributor, closed_on=today())
    client = signed_in(network)

    closing = client.post(reverse("cards:close", kwargs={"number": card.number}), {"reason": "lost"})
    renewing = client.post(reverse("cards:renew", kwargs={"number": card.number}), {
        "valid_until": in_days(30), "birth_year": "1980", "postal_code": "00100", "children": "0"})

    for response in (closing, renewing):
        assert response.status_code == 200
        assert MEANINGS[Code.CARD_CLOSED].fi in text(response)


def test_a_lost_card_is_replaced_with_the_next_number_and_keeps_its_holder(network):
    card = make_card(network.distributor, children=3)
    new_number = stock_numbers(network.distributor, 1)[0]
    client = signed_in(network)

    response = client.post(reverse("cards:replace", kwargs={"number": card.number}),
                           {"new_number": grouped(new_number)})

    assert response.status_code == 302
    assert response["Location"] == reverse("cards:detail", kwargs={"number": new_number})
    new = Card.objects.get(number=new_number)
    assert (new.children, new.valid_until, new.replaces_id) == (3, card.valid_until, card.pk)
    card.refresh_from_db()
    assert card.close_reason == "replaced"
    page = text(client.get(response["Location"]))
    assert f"Kortti {grouped(new_number)} korvaa kortin {grouped(card.number)}" in page
    assert f"korvaa kortin {grouped(card.number)}" in page
    old_page = text(client.get(reverse("cards:detail", kwargs={"number": card.number})))
    assert "Korvattu uudella kortilla" in old_page


@pytest.mark.parametrize(("new_number", "code"), [
    (lambda network: make_card(network.distributor).number, Code.NUMBER_TAKEN),
    (lambda network: stock_numbers(network.other_distributor, 1)[0], Code.NUMBER_NOT_IN_STOCK),
])
def test_a_replacement_refusal_is_shown_next_to_the_new_number(network, new_number, code):
    card = make_card(network.distributor)
    typed = new_number(network)
    response = signed_in(network).post(reverse("cards:replace", kwargs={"number": card.number}),
                                       {"new_number": typed})

    assert response.status_code == 200
    assert field_error(response, "new_number") == MEANINGS[code].fi
    assert input_value(response, "new_number") == typed
    assert Card.objects.get(pk=card.pk).closed_on is None


# The list ------------------------------------------------------------------------------------------------


@pytest.fixture
def cards(network):
    day = today()
    return {
        "valid": make_card(network.distributor, valid_until=day + datetime.timedelta(days=200)),
        "expiring": make_card(network.distributor, valid_until=day + datetime.timedelta(days=20)),
        "expired": make_card(network.distributor, issued_on=day - datetime.timedelta(days=400),
                             valid_until=day - datetime.timedelta(days=5)),
        "closed": make_card(network.distributor, closed_on=day - datetime.timedelta(days=1)),
        "community": make_card(network.distributor, card_type="community",
                               valid_until=day + datetime.timedelta(days=100)),
        "elsewhere": make_card(network.other_distributor),
    }


def listed(response) -> set[str]:
    return {number.replace(" ", "") for number in re.findall(r'class="card-number" href="[^"]*">([\d ]+)<',
                                                              text(response))}


@pytest.mark.parametrize(("query", "expected"), [
    ({}, {"valid", "expiring", "expired", "closed", "community"}),
    ({"status": "valid"}, {"valid", "expiring", "community"}),
    ({"status": "expired"}, {"expired"}),
    ({"status": "closed"}, {"closed"}),
    ({"expiring": "on"}, {"expiring"}),
    ({"card_type": "community"}, {"community"}),
    ({"card_type": "personal", "status": "valid"}, {"valid", "expiring"}),
])
def test_the_list_filters_the_sites_cards(network, cards, query, expected):
    response = signed_in(network).get(LIST, query)
    assert response.status_code == 200
    assert listed(response) == {cards[name].number for name in expected}


def test_the_list_finds_a_number_typed_with_spaces_or_dashes(network, cards):
    number = cards["expired"].number
    client = signed_in(network)
    assert listed(client.get(LIST, {"number": f"{number[:5]} {number[5:]}"})) == {number}
    assert listed(client.get(LIST, {"number": f"{number[:3]}-{number[3:]}"})) == {number}
    assert number in listed(client.get(LIST, {"number": number[2:7]}))
    assert listed(client.get(LIST, {"number": cards["elsewhere"].number})) == set()
    assert "Yhtään korttia ei löytynyt." in text(client.get(LIST, {"number": "abc"}))


def test_the_coordinator_lists_the_areas_cards_with_their_issuer(network, cards):
    response = signed_in(network, "coordinator").get(LIST)
    assert listed(response) == {card.number for name, card in cards.items() if name != "elsewhere"}
    assert "Sosiaalitoimi Kallio" in text(response)


def test_the_list_is_paged_newest_first(network):
    numbers = [make_card(network.distributor).number for _ in range(52)]
    client = signed_in(network)

    first = client.get(LIST, {"status": "valid"})
    assert listed(first) == set(numbers[2:])
    next_link = re.search(r'href="\?([^"]*after=\d+[^"]*)">Seuraava sivu', text(first)).group(1)
    second = client.get(f"{LIST}?{next_link}")
    assert listed(second) == set(numbers[:2])
    assert "Seuraava sivu" not in text(second)
    assert "Ensimmäinen sivu" in text(second)


def test_the_list_costs_the_same_queries_however_many_cards(network, django_assert_max_num_queries):
    client = signed_in(network, "coordinator")
    make_card(network.distributor)
    with CaptureQueriesContext(connection) as one_card:
        client.get(LIST)
    for _ in range(20):
        make_card(network.distributor)
    with django_assert_max_num_queries(len(one_card.captured_queries)):
        response = client.get(LIST)
    assert len(listed(response)) == 21


def test_a_number_just_issued_is_no_longer_offered_as_the_next(network):
    number = stock_numbers(network.distributor, 1)[0]
    client = signed_in(network)
    assert input_value(client.get(reverse("cards:next_number")), "number") == grouped(number)

    assert client.post(ISSUE, issue_form(number)).status_code == 302
    assert input_value(client.get(reverse("cards:next_number")), "number") == ""


def test_postal_code_lookup_is_never_a_query(network):
    """The renew page's address names the card: a GET with the code would put both on one log line."""
    response = signed_in(network).get(reverse("cards:postal_code"), {"postal_code": "02100"})
    assert response.status_code == 405
    issue_page = signed_in(network).get(reverse("cards:issue")).content.decode()
    assert 'hx-post="/cards/postal-code/"' in issue_page and 'hx-params="postal_code"' in issue_page
