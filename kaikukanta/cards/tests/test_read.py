"""Reading cards: venues see only validity, the issuer's side sees holder data, others see nothing."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaikukanta.core.clock import today
from kaikukanta.testing import make_card

from .helpers import in_days, refused

CHECK_KEYS = {"number", "status", "valid_until", "card_type", "children", "children_today"}
HOLDER_VIEW_KEYS = CHECK_KEYS | {"holder", "issued_on", "issuer_id", "history", "closed_on", "close_reason",
                                 "replaces"}


@pytest.mark.parametrize("who", ["venue", "other_venue", "other_coordinator"])
def test_venues_and_other_areas_see_validity_and_nothing_about_the_holder(network, issued, who):
    response = network.client(who).get(f"cards/{issued['number']}")

    assert response.status_code == 200
    assert response.json() == {"number": issued["number"], "status": "valid", "valid_until": in_days(100),
                               "card_type": "personal", "children": 2, "children_today": 2}
    assert "1980" not in response.content.decode()
    assert "00100" not in response.content.decode()


@pytest.mark.parametrize("who", ["distributor", "coordinator", "admin"])
def test_the_issuer_its_coordinator_and_the_admin_see_holder_data_and_history(network, issued, who):
    response = network.client(who).get(f"cards/{issued['number']}")

    assert response.status_code == 200
    card = response.json()
    assert set(card) == HOLDER_VIEW_KEYS
    assert card["holder"] == {"birth_year": 1980, "postal_code": "00100", "home_municipality": "091",
                              "children": 2, "gender": None, "life_situation": None}
    assert [event["event"] for event in card["history"]] == ["issued"]


def test_another_distributor_is_told_the_card_does_not_exist(network, issued):
    response = network.client("other_distributor", "en").get(f"cards/{issued['number']}")
    refused(response, 404, "card_not_found")
    assert response.json()["error"]["message"] == "Card not found."


def test_unknown_or_impossible_numbers_are_not_found(network, stock):
    client = network.client("venue")
    for number in (stock[0], "12345", stock[0][:9] + str((int(stock[0][9]) + 1) % 10), "abcdefghij"):
        refused(client.get(f"cards/{number}"), 404, "card_not_found")


def test_a_number_with_spaces_or_dashes_in_the_path_is_found(network, issued):
    number = issued["number"]
    client = network.client("venue")
    assert client.get(f"cards/{number[:5]}-{number[5:]}").json()["number"] == number
    assert client.get(f"cards/{number[:5]}%20{number[5:]}").json()["number"] == number


def test_status_is_judged_for_today(network):
    expired = make_card(network.distributor, issued_on=today() - datetime.timedelta(days=30),
                        valid_until=today() - datetime.timedelta(days=1))
    ends_today = make_card(network.distributor, valid_until=today())
    closed = make_card(network.distributor, closed_on=today())
    community = make_card(network.distributor, card_type="community")
    client = network.client("venue")

    assert client.get(f"cards/{expired.number}").json()["status"] == "expired"
    assert client.get(f"cards/{ends_today.number}").json()["status"] == "valid"
    assert client.get(f"cards/{closed.number}").json()["status"] == "closed"
    assert client.get(f"cards/{community.number}").json() == {
        "number": community.number, "status": "valid", "valid_until": community.valid_until.isoformat(),
        "card_type": "community", "children": 0, "children_today": 0}


def test_a_venue_check_is_one_card_query_after_authentication(network, issued):
    client = network.client("venue")
    client.get(f"cards/{issued['number']}")  # the first request also stamps the token's last use

    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"cards/{issued['number']}")

    assert response.status_code == 200
    assert len(queries) == 2, [query["sql"] for query in queries]
    assert "cards_card" in queries[1]["sql"]


def test_anonymous_callers_are_unauthenticated(anonymous, issued):
    refused(anonymous.get(f"/api/v1/cards/{issued['number']}"), 401, "unauthenticated")


class TestList:
    @pytest.fixture
    def cards(self, network):
        return {
            "valid": make_card(network.distributor, valid_until=today() + datetime.timedelta(days=200)),
            "expiring": make_card(network.distributor, valid_until=today() + datetime.timedelta(days=10)),
            "expired": make_card(network.distributor, issued_on=today() - datetime.timedelta(days=30),
                                 valid_until=today() - datetime.timedelta(days=1)),
            "closed": make_card(network.distributor, closed_on=today()),
            "other_area": make_card(network.other_distributor),
        }

    @staticmethod
    def numbers(response) -> set[str]:
        assert response.status_code == 200, response.json()
        return {card["number"] for card in response.json()["results"]}

    def test_each_role_lists_the_cards_in_its_scope(self, network, cards):
        own = {card.number for key, card in cards.items() if key != "other_area"}
        assert self.numbers(network.client("distributor").get("cards")) == own
        assert self.numbers(network.client("coordinator").get("cards")) == own
        assert self.numbers(network.client("other_distributor").get("cards")) == {cards["other_area"].number}
        assert self.numbers(network.client("other_coordinator").get("cards")) == {cards["other_area"].number}
        assert self.numbers(network.client("admin").get("cards")) == {card.number for card in cards.values()}

    def test_list_items_carry_holder_data_and_the_page_shape(self, network, cards):
        body = network.client("distributor").get("cards").json()
        assert body["next"] is None
        assert all(set(card) == HOLDER_VIEW_KEYS - {"history"} for card in body["results"])

    @pytest.mark.parametrize("who", ["venue", "other_venue"])
    def test_venues_may_not_list_cards(self, network, cards, who):
        refused(network.client(who).get("cards"), 403, "forbidden")

    def test_filters_by_status_and_coming_expiry(self, network, cards):
        client = network.client("distributor")
        assert self.numbers(client.get("cards", status="valid")) == {cards["valid"].number,
                                                                       cards["expiring"].number}
        assert self.numbers(client.get("cards", status="expired")) == {cards["expired"].number}
        assert self.numbers(client.get("cards", status="closed")) == {cards["closed"].number}
        assert self.numbers(client.get("cards", expiring_within_days=30)) == {cards["expiring"].number}

    @pytest.mark.parametrize(("params", "field"), [({"status": "lost"}, "status"),
                                                   ({"expiring_within_days": -1}, "expiring_within_days"),
                                                   ({"after": "x"}, "after")])
    def test_bad_filters_are_invalid(self, network, cards, params, field):
        refused(network.client("distributor").get("cards", **params), 400, "invalid", field)

    def test_the_admin_may_narrow_the_list_to_one_issuer(self, network, cards):
        response = network.client("admin").get("cards", issuer_id=network.other_distributor.pk)
        assert self.numbers(response) == {cards["other_area"].number}

    def test_a_page_costs_the_same_queries_however_many_cards_it_holds(self, network, cards):
        client = network.client("admin")
        client.get("cards")
        with CaptureQueriesContext(connection) as queries:
            client.get("cards")
        make_card(network.distributor)
        with CaptureQueriesContext(connection) as more_queries:
            client.get("cards")
        # The page's cards and the audit row of the holder data read (test_holder_read_audit.py).
        assert len(more_queries) == len(queries) == 3

    def test_pages_continue_after_the_last_card(self, network, cards):
        client = network.client("admin")
        first = min(card.pk for card in cards.values())
        assert len(client.get("cards", after=first).json()["results"]) == len(cards) - 1
