"""The card list of distributor staff and coordinators through Django's test client."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaikukanta.core.clock import today
from kaikukanta.testing import make_card, stock_numbers

from .support import (
    ISSUE,
    LIST,
    grouped,
    input_value,
    issue_form,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db


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
