"""Renewing, closing and replacing cards: only at the issuing organisation, never a closed card."""

import datetime

import pytest

from kaikukanta.cards.models import Card, CardEvent, WellbeingAnswer
from kaikukanta.core.clock import add_months, today
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import make_card

from .helpers import in_days, personal_card, refused, written

NEW_HOLDER = {"birth_year": 1990, "postal_code": "02100", "children": 1}
ACTIONS = {"renew": {"valid_until": in_days(200)}, "close": {"reason": "lost"}}


def wrong_check_digit(number: str) -> str:
    return number[:9] + str((int(number[9]) + 1) % 10)


class TestRenew:
    def test_renewal_sets_a_new_end_and_is_recorded(self, network, issued):
        response = network.client("distributor").post(f"cards/{issued['number']}/renew",
                                                      {"valid_until": in_days(300)})

        assert response.status_code == 200, response.json()
        card = response.json()
        assert card["valid_until"] == in_days(300)
        assert card["holder"] == issued["holder"]
        assert card["history"][-1] == {"event": "renewed", "date": today().isoformat(),
                                       "card_number": issued["number"], "valid_until": in_days(300),
                                       "reason": None, "other_number": None}
        assert AuditRecord.objects.filter(action="card.renew", object_id=str(Card.objects.get().pk)).exists()

    def test_an_expired_card_can_be_renewed(self, network):
        card = make_card(network.distributor, issued_on=today() - datetime.timedelta(days=400),
                         valid_until=today() - datetime.timedelta(days=35))
        client = network.client("distributor")
        assert client.get(f"cards/{card.number}").json()["status"] == "expired"

        response = client.post(f"cards/{card.number}/renew", {"valid_until": in_days(100)})

        assert response.status_code == 200
        assert response.json()["status"] == "valid"

    def test_holder_data_sent_replaces_the_old_and_is_judged_again(self, network, issued):
        client = network.client("distributor")
        response = client.post(f"cards/{issued['number']}/renew", {"valid_until": in_days(100),
                                                                    "holder": NEW_HOLDER})

        assert response.status_code == 200, response.json()
        assert response.json()["holder"] == {**NEW_HOLDER, "home_municipality": "049", "gender": None,
                                             "life_situation": None}
        assert response.json()["children"] == 1

        refused(client.post(f"cards/{issued['number']}/renew",
                            {"valid_until": in_days(100), "holder": {**NEW_HOLDER, "postal_code": "20100"}}),
                422, "municipality_not_in_network", "holder.postal_code")

    def test_wellbeing_answers_are_linked_to_the_renewal(self, network, issued, questions):
        response = network.client("distributor").post(
            f"cards/{issued['number']}/renew",
            {"valid_until": in_days(100), "wellbeing": {"feel_included": 5}})

        assert response.status_code == 200
        answer = WellbeingAnswer.objects.get()
        assert (answer.question_key, answer.value, answer.event.event) == ("feel_included", 5, "renewed")

    # Each body is made when the test runs (the days are reckoned from that day, not from collection).
    @pytest.mark.parametrize(("body", "status", "code", "field"), [
        (lambda: {"valid_until": in_days(100), "holder": {**NEW_HOLDER, "name": "Maija"}}, 400, "invalid",
         "holder.name"),
        (lambda: {"valid_until": in_days(100), "issued_on": in_days(0)}, 400, "invalid", "issued_on"),
        (lambda: {"valid_until": in_days(100), "wellbeing": {"nope": 3}}, 400, "invalid", "wellbeing.nope"),
        (lambda: {"valid_until": in_days(100), "holder": {**NEW_HOLDER, "birth_year": today().year - 15}}, 422,
         "holder_too_young", "holder.birth_year"),
        (lambda: {"valid_until": in_days(100), "holder": {**NEW_HOLDER, "postal_code": "00000"}}, 422,
         "postal_code_unknown", "holder.postal_code"),
        (lambda: {"valid_until": (add_months(today(), 12) + datetime.timedelta(days=1)).isoformat()}, 422,
         "validity_too_long", "valid_until"),
        (lambda: {"valid_until": in_days(-1)}, 422, "validity_in_past", "valid_until"),
        (lambda: {"valid_until": in_days(100), "holder": {**NEW_HOLDER, "children": 21}}, 422, "too_many_children",
         "holder.children"),
    ])
    def test_refusals_write_nothing(self, network, issued, questions, body, status, code, field):
        before = written()

        response = network.client("distributor").post(f"cards/{issued['number']}/renew", body())

        refused(response, status, code, field)
        assert written() == before
        assert Card.objects.get().valid_until.isoformat() == issued["valid_until"]

    def test_eligibility_is_judged_before_validity(self, network, issued):
        body = {"valid_until": in_days(800), "holder": {**NEW_HOLDER, "postal_code": "00000"}}
        refused(network.client("distributor").post(f"cards/{issued['number']}/renew", body), 422,
                "postal_code_unknown")

    def test_a_community_card_takes_no_holder(self, network):
        card = make_card(network.distributor, card_type="community")
        refused(network.client("distributor").post(f"cards/{card.number}/renew",
                                                   {"valid_until": in_days(10), "holder": NEW_HOLDER}),
                400, "invalid", "holder")

    def test_a_closed_card_is_refused_before_its_validity_is_judged(self, network):
        card = make_card(network.distributor, closed_on=today())
        refused(network.client("distributor").post(f"cards/{card.number}/renew",
                                                   {"valid_until": in_days(900)}),
                422, "card_closed")

    def test_a_malformed_body_is_refused_before_the_card_is_closed(self, network):
        card = make_card(network.distributor, closed_on=today())
        refused(network.client("distributor").post(f"cards/{card.number}/renew",
                                                   {"valid_until": in_days(10), "wellbeing": {"nope": 1}}),
                400, "invalid", "wellbeing.nope")


class TestClose:
    def test_closing_takes_effect_today(self, network, issued):
        response = network.client("distributor").post(f"cards/{issued['number']}/close", {"reason": "moved"})

        assert response.status_code == 200
        card = response.json()
        assert card["status"] == "closed"
        assert card["closed_on"] == today().isoformat()
        assert card["close_reason"] == "moved"
        assert card["history"][-1]["event"] == "closed"
        assert card["history"][-1]["reason"] == "moved"
        assert network.client("venue").get(f"cards/{issued['number']}").json()["status"] == "closed"
        assert AuditRecord.objects.filter(action="card.close").count() == 1

    def test_closing_twice_is_refused(self, network, issued):
        client = network.client("distributor", "sv")
        client.post(f"cards/{issued['number']}/close", {"reason": "lost"})
        before = written()

        response = client.post(f"cards/{issued['number']}/close", {"reason": "other"})

        refused(response, 422, "card_closed")
        assert response.json()["error"]["message"] == "Kortet är stängt."
        assert written() == before

    @pytest.mark.parametrize("reason", ["replaced", "stolen", "", None])
    def test_only_the_listed_reasons_are_accepted(self, network, issued, reason):
        refused(network.client("distributor").post(f"cards/{issued['number']}/close", {"reason": reason}),
                400, "invalid", "reason")
        assert Card.objects.get().closed_on is None


class TestReplace:
    def test_the_new_card_carries_validity_holder_data_and_history(self, network, stock):
        client = network.client("distributor")
        issued = client.post("cards", personal_card(stock[0], holder={"gender": "other"},
                                                    valid_until=in_days(50))).json()
        client.post(f"cards/{stock[0]}/renew", {"valid_until": in_days(60)})

        response = client.post(f"cards/{stock[0]}/replace", {"new_number": f"{stock[1][:5]} {stock[1][5:]}"})

        assert response.status_code == 201, response.json()
        new = response.json()
        assert new["number"] == stock[1]
        assert new["issued_on"] == today().isoformat()
        assert new["valid_until"] == in_days(60)
        assert new["holder"] == issued["holder"]
        assert new["replaces"] == stock[0]
        assert new["status"] == "valid"
        events = [(event["event"], event["card_number"], event["other_number"]) for event in new["history"]]
        assert events == [
            ("issued", stock[0], None), ("renewed", stock[0], None), ("replaced", stock[0], stock[1]),
            ("issued", stock[1], stock[0])]

        old = client.get(f"cards/{stock[0]}").json()
        assert old["status"] == "closed"
        assert old["closed_on"] == today().isoformat()
        assert old["close_reason"] == "replaced"
        assert old["history"][-1]["event"] == "replaced"
        assert AuditRecord.objects.filter(action="card.replace").count() == 1

    def test_history_carries_over_a_chain_of_replacements(self, network, stock):
        client = network.client("distributor")
        client.post("cards", personal_card(stock[0]))
        client.post(f"cards/{stock[0]}/replace", {"new_number": stock[1]})
        response = client.post(f"cards/{stock[1]}/replace", {"new_number": stock[2]})

        numbers = [event["card_number"] for event in response.json()["history"]]
        assert numbers == [stock[0], stock[0], stock[1], stock[1], stock[2]]

    def test_a_community_card_is_replaced_as_a_community_card(self, network, stock):
        client = network.client("distributor")
        client.post("cards", {"number": stock[0], "card_type": "community", "valid_until": in_days(30)})

        response = client.post(f"cards/{stock[0]}/replace", {"new_number": stock[1]})

        assert response.status_code == 201
        assert response.json()["card_type"] == "community"
        assert response.json()["holder"] is None

    def test_new_number_refusals_in_order_and_nothing_written(self, network, issued, stock, other_stock):
        client = network.client("distributor")
        taken = make_card(network.other_distributor).number
        cases = [
            ("12345", 400, "invalid"),
            (wrong_check_digit(stock[1]), 400, "number_invalid"),
            (taken, 409, "number_taken"),
            (issued["number"], 409, "number_taken"),
            (other_stock[0], 422, "number_not_in_stock"),
        ]
        before = written()
        for new_number, status, code in cases:
            refused(client.post(f"cards/{issued['number']}/replace", {"new_number": new_number}),
                    status, code, "new_number")
        assert written() == before
        assert Card.objects.get(number=issued["number"]).closed_on is None

    def test_a_closed_card_is_refused_before_the_new_number_is_judged(self, network, stock):
        card = make_card(network.distributor, closed_on=today())
        taken = make_card(network.distributor).number
        client = network.client("distributor")

        refused(client.post(f"cards/{card.number}/replace", {"new_number": taken}), 422, "card_closed")
        refused(client.post(f"cards/{card.number}/replace", {"new_number": "1"}), 400, "invalid",
                "new_number")


@pytest.mark.parametrize(("action", "body"), [*ACTIONS.items(), ("replace", None)])
class TestWhoMayManage:
    def test_another_distributor_is_told_the_card_does_not_exist(self, network, issued, stock, action, body):
        body = body or {"new_number": stock[1]}
        before = written()
        refused(network.client("other_distributor").post(f"cards/{issued['number']}/{action}", body),
                404, "card_not_found")
        assert written() == before

    @pytest.mark.parametrize("who", ["venue", "coordinator", "admin"])
    def test_other_roles_are_forbidden(self, network, issued, stock, action, body, who):
        body = body or {"new_number": stock[1]}
        before = written()
        refused(network.client(who).post(f"cards/{issued['number']}/{action}", body), 403, "forbidden")
        assert written() == before

    def test_a_number_that_cannot_exist_is_not_found(self, network, issued, stock, action, body):
        body = body or {"new_number": stock[1]}
        client = network.client("distributor")
        for path_number in (wrong_check_digit(issued["number"]), "12345", stock[3]):
            refused(client.post(f"cards/{path_number}/{action}", body), 404, "card_not_found")

    def test_the_path_number_may_carry_dashes(self, network, issued, stock, action, body):
        body = body or {"new_number": stock[1]}
        number = issued["number"]
        response = network.client("distributor").post(f"cards/{number[:5]}-{number[5:]}/{action}", body)
        assert response.status_code in (200, 201), response.json()
        assert CardEvent.objects.filter(card__number=number).count() == 2
