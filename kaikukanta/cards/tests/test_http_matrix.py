"""Every card operation called by every role: the status each gets, written out by hand.

The card belongs to the distributor of the first area (`dist`), so `coord` is its coordinator; the `o_`
columns are the other area's users. A change to who may do what must change this table.
"""

import pytest

from kaikukanta.testing import parse_status_table, status_by_caller

from .helpers import in_days, personal_card

EXPECTED = """
operation             anon  admin  coord  o_coord  dist  o_dist  venue  o_venue
create_card_batch     401   201    201    403      403   403     403    403
list_card_batches     401   200    200    200      200   200     403    403
get_card_batch        401   200    200    403      200   403     403    403
issue_card            401   403    403    403      201   422     403    403
list_cards            401   200    200    200      200   200     403    403
get_card              401   200    200    200      200   404     200    200
renew_card            401   403    403    403      200   404     403    403
close_card            401   403    403    403      200   404     403    403
replace_card          401   403    403    403      201   404     403    403
list_questions        401   200    200    200      200   200     200    200
replace_questions     401   200    403    403      403   403     403    403
"""

EXPECTED_ERRORS = {(401, "unauthenticated"), (403, "forbidden"), (404, "card_not_found"),
                   (422, "number_not_in_stock")}


TABLE = parse_status_table(EXPECTED)


def request_for(operation, network, card_number, free_number):
    batch = network.distributor.card_batches.get().pk
    return {
        "create_card_batch": ("post", "card-batches", {"distributor_id": network.distributor.pk, "count": 2}),
        "list_card_batches": ("get", "card-batches", None),
        "get_card_batch": ("get", f"card-batches/{batch}", None),
        "issue_card": ("post", "cards", personal_card(free_number)),
        "list_cards": ("get", "cards", None),
        "get_card": ("get", f"cards/{card_number}", None),
        "renew_card": ("post", f"cards/{card_number}/renew", {"valid_until": in_days(200)}),
        "close_card": ("post", f"cards/{card_number}/close", {"reason": "lost"}),
        "replace_card": ("post", f"cards/{card_number}/replace", {"new_number": free_number}),
        "list_questions": ("get", "wellbeing/questions", None),
        "replace_questions": ("put", "wellbeing/questions", {"results": [
            {"key": "q", "text": {"fi": "Kysymys", "sv": "Fråga", "en": "Question"}}]}),
    }[operation]


@pytest.mark.parametrize("operation", list(TABLE))
def test_each_role_gets_the_expected_status(network, operation):
    numbers = network.client("admin").post(
        "card-batches", {"distributor_id": network.distributor.pk, "count": 2}).json()["numbers"]
    card_number = network.client("distributor").post("cards", personal_card(numbers[0])).json()["number"]
    method, path, body = request_for(operation, network, card_number, numbers[1])

    statuses, error_codes = status_by_caller(network, TABLE[operation], method, path, body)

    assert statuses == TABLE[operation]
    assert error_codes <= EXPECTED_ERRORS
