"""POST /api/v1/cards: what a distributor's desk sees when it issues a card."""

import datetime
import json

import pytest

from kaikukanta.cards.models import Card, CardEvent, WellbeingAnswer
from kaikukanta.core.clock import add_months, today
from kaikukanta.core.errors import MEANINGS, Code
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import NationalSettings
from kaikukanta.testing import make_area, make_card

from .helpers import in_days, personal_card, refused, written

HOLDER_KEYS = {"birth_year", "postal_code", "home_municipality", "children", "gender", "life_situation"}


def test_a_personal_card_is_issued_with_its_holder_data(network, stock):
    body = personal_card(f"{stock[0][:5]} {stock[0][5:]}", holder={"postal_code": "02100", "gender": "female",
                                                                    "life_situation": "student"})
    response = network.client("distributor").post("cards", body)

    assert response.status_code == 201, response.json()
    card = response.json()
    assert card["number"] == stock[0]
    assert card["status"] == "valid"
    assert card["card_type"] == "personal"
    assert card["children"] == 2
    assert card["valid_until"] == in_days(100)
    assert card["issued_on"] == today().isoformat()
    assert card["issuer_id"] == network.distributor.pk
    assert card["holder"] == {"birth_year": 1980, "postal_code": "02100", "home_municipality": "049",
                              "children": 2, "gender": "female", "life_situation": "student"}
    assert card["history"] == [{"event": "issued", "date": today().isoformat(), "card_number": stock[0],
                                "valid_until": in_days(100), "reason": None, "other_number": None}]
    assert Card.objects.get(number=stock[0]).home_municipality_id == "049"


def test_a_community_card_has_no_holder(network, stock):
    response = network.client("distributor").post(
        "cards", {"number": stock[0], "card_type": "community", "valid_until": in_days(30)})

    assert response.status_code == 201, response.json()
    assert response.json()["holder"] is None
    assert response.json()["children"] == 0


def test_wellbeing_answers_are_stored_with_the_issue_event(network, stock, questions):
    response = network.client("distributor").post(
        "cards", personal_card(stock[0], wellbeing={"culture_matters": 4, "feel_included": 1}))

    assert response.status_code == 201, response.json()
    answers = WellbeingAnswer.objects.filter(card__number=stock[0])
    assert {(answer.question_key, answer.value, answer.event.event) for answer in answers} == {
        ("culture_matters", 4, "issued"), ("feel_included", 1, "issued")}


def test_the_issue_is_audited_without_holder_data(network, stock):
    body = personal_card(stock[0], holder={"birth_year": 1977, "postal_code": "02100", "children": 3,
                                           "gender": "male", "life_situation": "retired"})
    network.client("distributor").post("cards", body)

    record = AuditRecord.objects.get(action="card.issue")
    assert record.actor == network.users["distributor"]
    assert record.details["number"] == stock[0]
    # The card's own number may contain the home municipality's code by chance: it is left out of the search.
    details = json.dumps({key: value for key, value in record.details.items() if key != "number"})
    for holder_value in ("1977", "02100", "049", "male", "retired", "birth", "postal", "gender"):
        assert holder_value not in details


@pytest.mark.parametrize("extra", [
    {"holder": {"name": "Maija Meikäläinen"}},
    {"holder": {"ssn": "010180-123A"}},
    {"holder": {"address": "Mannerheimintie 1"}},
    {"holder": {"date_of_birth": "1980-01-01"}},
])
def test_personal_data_in_the_holder_is_refused(network, stock, extra):
    key = next(iter(extra["holder"]))
    before = written()

    response = network.client("distributor").post("cards", personal_card(stock[0], **extra))

    refused(response, 400, "invalid", f"holder.{key}")
    assert written() == before


@pytest.mark.parametrize("extra", [{"name": "Maija"}, {"email": "maija@example.fi"}, {"phone": "040123"},
                                   {"notes": "free text"}, {"issuer_id": 1}])
def test_unknown_top_level_fields_are_refused(network, stock, extra):
    before = written()

    response = network.client("distributor").post("cards", personal_card(stock[0], **extra))

    refused(response, 400, "invalid", next(iter(extra)))
    assert written() == before


@pytest.mark.parametrize(("change", "field"), [
    ({"number": 1234567890}, "number"),
    ({"card_type": "family"}, "card_type"),
    ({"valid_until": "next year"}, "valid_until"),
    ({"valid_until": 20300101}, "valid_until"),
    ({"holder": {"children": "2"}}, "holder.children"),
    ({"holder": {"birth_year": "1980"}}, "holder.birth_year"),
    ({"holder": {"birth_year": 1850}}, "holder.birth_year"),
    ({"holder": {"gender": "f"}}, "holder.gender"),
    ({"holder": {"life_situation": "rich"}}, "holder.life_situation"),
    ({"holder": {"postal_code": 100}}, "holder.postal_code"),
])
def test_malformed_fields_are_invalid(network, stock, change, field):
    before = written()

    response = network.client("distributor").post("cards", personal_card(stock[0], **change))

    refused(response, 400, "invalid", field)
    assert written() == before


def test_missing_mandatory_holder_fields_are_invalid(network, stock):
    body = personal_card(stock[0])
    del body["holder"]["children"]

    refused(network.client("distributor").post("cards", body), 400, "invalid", "holder.children")


def test_a_personal_card_needs_a_holder_and_a_community_card_refuses_one(network, stock):
    client = network.client("distributor")
    refused(client.post("cards", personal_card(stock[0], holder=None)), 400, "invalid", "holder")
    refused(client.post("cards", personal_card(stock[0], card_type="community")), 400, "invalid", "holder")
    assert not Card.objects.exists()


@pytest.mark.parametrize(("wellbeing", "field"), [
    ({"no_such_question": 3}, "wellbeing.no_such_question"),
    ({"culture_matters": 6}, "wellbeing.culture_matters"),
    ({"culture_matters": 0}, "wellbeing.culture_matters"),
    ({"culture_matters": "3"}, "wellbeing.culture_matters"),
])
def test_wellbeing_answers_must_answer_current_questions_from_1_to_5(network, stock, questions, wellbeing,
                                                                     field):
    before = written()

    response = network.client("distributor").post("cards", personal_card(stock[0], wellbeing=wellbeing))

    refused(response, 400, "invalid", field)
    assert written() == before


def test_a_number_with_separators_is_read_and_other_shapes_are_invalid(network, stock):
    client = network.client("distributor")
    refused(client.post("cards", personal_card("12345")), 400, "invalid", "number")
    refused(client.post("cards", personal_card(stock[0] + "1")), 400, "invalid", "number")
    wrong_digit = stock[0][:9] + str((int(stock[0][9]) + 1) % 10)
    refused(client.post("cards", personal_card(wrong_digit)), 400, "number_invalid", "number")
    assert client.post("cards", personal_card(f"{stock[0][:5]}-{stock[0][5:]}")).status_code == 201


@pytest.mark.parametrize("who", ["venue", "coordinator", "admin", "other_venue"])
def test_only_distributor_staff_issue_cards(network, stock, who):
    refused(network.client(who).post("cards", personal_card(stock[0])), 403, "forbidden")
    assert not Card.objects.exists()


def test_anonymous_callers_are_unauthenticated(anonymous, network, stock):
    refused(anonymous.post("/api/v1/cards", personal_card(stock[0])), 401, "unauthenticated")


class TestRefusalOrder:
    """Each request breaks two rules; the one API.md lists first is returned."""

    def test_malformed_number_before_missing_holder(self, network, stock):
        refused(network.client("distributor").post("cards", personal_card("12", holder=None)),
                400, "invalid", "number")

    def test_missing_holder_before_taken_number(self, network, issued):
        refused(network.client("distributor").post("cards", personal_card(issued["number"], holder=None)),
                400, "invalid", "holder")

    def test_number_taken_before_not_in_stock(self, network, stock):
        other_card = make_card(network.other_distributor)
        refused(network.client("distributor").post("cards", personal_card(other_card.number)),
                409, "number_taken", "number")

    def test_not_in_stock_before_too_young(self, network, other_stock):
        body = personal_card(other_stock[0], holder={"birth_year": today().year - 10})
        refused(network.client("distributor").post("cards", body), 422, "number_not_in_stock", "number")

    def test_too_young_before_unknown_postal_code(self, network, stock):
        body = personal_card(stock[0], holder={"birth_year": today().year - 15, "postal_code": "00000"})
        refused(network.client("distributor").post("cards", body), 422, "holder_too_young",
                "holder.birth_year")

    def test_unknown_postal_code_before_municipality_outside_network(self, network, stock):
        body = personal_card(stock[0], holder={"postal_code": "00000"}, valid_until=in_days(800))
        refused(network.client("distributor").post("cards", body), 422, "postal_code_unknown",
                "holder.postal_code")

    def test_municipality_outside_network_before_validity_too_long(self, network, stock):
        body = personal_card(stock[0], holder={"postal_code": "20100"}, valid_until=in_days(800))
        refused(network.client("distributor").post("cards", body), 422, "municipality_not_in_network",
                "holder.postal_code")

    def test_validity_too_long_before_too_many_children(self, network, stock):
        body = personal_card(stock[0], holder={"children": 21}, valid_until=in_days(800))
        refused(network.client("distributor").post("cards", body), 422, "validity_too_long", "valid_until")

    def test_validity_in_past_before_too_many_children(self, network, stock):
        body = personal_card(stock[0], holder={"children": 21}, valid_until=in_days(-1))
        refused(network.client("distributor").post("cards", body), 422, "validity_in_past", "valid_until")

    @pytest.mark.parametrize("children", [21, -1])
    def test_too_many_children_last(self, network, stock, children):
        body = personal_card(stock[0], holder={"children": children})
        refused(network.client("distributor").post("cards", body), 422, "too_many_children",
                "holder.children")


def test_no_refusal_writes_anything(network, stock, other_stock, questions):
    """One request per refusal code; none of them leaves a row behind."""
    taken = make_card(network.distributor).number
    client = network.client("distributor")
    bodies = {
        "invalid": personal_card("1"),
        "number_invalid": personal_card(stock[0][:9] + str((int(stock[0][9]) + 1) % 10)),
        "number_taken": personal_card(taken),
        "number_not_in_stock": personal_card(other_stock[0]),
        "holder_too_young": personal_card(stock[0], holder={"birth_year": today().year - 15}),
        "postal_code_unknown": personal_card(stock[0], holder={"postal_code": "00000"}),
        "municipality_not_in_network": personal_card(stock[0], holder={"postal_code": "20100"}),
        "validity_too_long": personal_card(stock[0], valid_until=in_days(400)),
        "validity_in_past": personal_card(stock[0], valid_until=in_days(-1)),
        "too_many_children": personal_card(stock[0], holder={"children": 21}),
    }
    before = written()
    for code, body in bodies.items():
        response = client.post("cards", body)
        assert response.json()["error"]["code"] == code
        assert response.status_code == MEANINGS[Code(code)].status
    assert written() == before


def test_eligibility_boundaries(network, stock):
    client = network.client("distributor")
    turns_16_this_year = personal_card(stock[0], holder={"birth_year": today().year - 16, "children": 20})
    assert client.post("cards", turns_16_this_year).status_code == 201
    longest = personal_card(stock[1], valid_until=add_months(today(), 12).isoformat())
    assert client.post("cards", longest).status_code == 201
    ends_today = personal_card(stock[2], valid_until=today().isoformat())
    assert client.post("cards", ends_today).status_code == 201


def test_one_day_beyond_the_national_maximum_is_too_long(network, stock):
    day_after_maximum = add_months(today(), 12) + datetime.timedelta(days=1)
    too_long = personal_card(stock[0], valid_until=day_after_maximum.isoformat())
    refused(network.client("distributor").post("cards", too_long), 422, "validity_too_long")


def test_the_maximum_validity_follows_the_national_setting(network, stock):
    NationalSettings.objects.update_or_create(pk=1, defaults={"max_validity_months": 6})
    client = network.client("distributor")
    refused(client.post("cards", personal_card(stock[0], valid_until=add_months(today(), 7).isoformat())),
            422, "validity_too_long")
    assert client.post("cards", personal_card(stock[0], valid_until=add_months(today(), 6).isoformat())
                       ).status_code == 201


def test_a_municipality_of_an_area_in_preparation_is_not_in_the_network(network, stock):
    make_area("Varsinais-Suomi", ["853"], status="preparing")
    body = personal_card(stock[0], holder={"postal_code": "20100"})
    refused(network.client("distributor").post("cards", body), 422, "municipality_not_in_network")


def test_leap_day_issue_may_run_to_28_february(network, stock, monkeypatch):
    from kaikukanta.cards import api, services

    leap_day = datetime.date(2028, 2, 29)
    monkeypatch.setattr(services, "today", lambda: leap_day)
    monkeypatch.setattr(api, "today", lambda: leap_day)
    client = network.client("distributor")
    refused(client.post("cards", personal_card(stock[0], valid_until="2029-03-01")), 422, "validity_too_long")
    response = client.post("cards", personal_card(stock[0], valid_until="2029-02-28"))
    assert response.status_code == 201
    assert response.json()["issued_on"] == "2028-02-29"


@pytest.mark.parametrize(("language", "message"), [
    ("sv", "Kortnumret används redan."),
    ("en-GB,en;q=0.9", "The card number is already in use."),
    (None, "Kortin numero on jo käytössä."),
])
def test_refusal_messages_follow_accept_language(network, issued, language, message):
    response = network.client("distributor", language).post("cards", personal_card(issued["number"]))
    assert response.json()["error"]["message"] == message


def test_holder_data_is_returned_only_with_the_keys_of_the_contract(network, issued):
    assert set(issued["holder"]) == HOLDER_KEYS
    assert CardEvent.objects.filter(card__number=issued["number"], event="issued").count() == 1


def test_a_number_taken_between_the_check_and_the_insert_is_still_number_taken(network, issued, monkeypatch):
    """Two desks issuing one number at once: the unique number decides, and the loser hears `number_taken`."""
    from kaikukanta.cards import selectors

    monkeypatch.setattr(selectors, "number_taken", lambda number: False)
    before = written()

    refused(network.client("distributor").post("cards", personal_card(issued["number"])), 409, "number_taken",
            "number")
    assert written() == before
