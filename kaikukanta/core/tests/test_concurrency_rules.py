"""Races between desks and distributors on PostgreSQL, with real concurrent connections.

Every race has a defined outcome, and the whole state afterwards (cards, card events, visits, audit rows,
pending statistics rows) is exactly that outcome's: nothing half-done. Each race is run both ways round
deterministically (one request held open at its last statement while the other runs into its lock) and
once released together by a barrier, which must end in one of the same outcomes.
"""

import datetime
from collections import Counter

import pytest

from kaikukanta.cards.models import Card, CardEvent, StockNumber
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.stats.models import PendingChange
from kaikukanta.testing import ApiClient, make_card, make_offering, make_token, make_user, stock_numbers
from kaikukanta.visits.models import Visit

from .concurrency import Running, all_at_once, holding, wait_until_blocked

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HOLDER_FIELDS = ("card_type", "issuer_id", "valid_until", "birth_year", "postal_code_id", "home_municipality_id",
                 "children", "gender", "life_situation")


def post(client: ApiClient, path: str, body: dict, key: str | None = None):
    return lambda: client.post(path, body, headers={"Idempotency-Key": key} if key else None)


def audit_actions() -> Counter:
    return Counter(AuditRecord.objects.values_list("action", flat=True))


def history(card: Card) -> list[str]:
    return list(CardEvent.objects.filter(card=card).order_by("created_at", "pk").values_list("event", flat=True))


def pending_visit_rows() -> Counter:
    return Counter(PendingChange.objects.filter(visit_id__isnull=False).values_list("visit_id", "sign"))


def assert_visits_complete(signs: dict[int, set[int]] | None = None) -> None:
    """Every stored visit has its audit row and its pending statistics row; no other such rows exist."""
    visits = list(Visit.objects.values_list("pk", "cancelled_at"))
    recorded = Counter(AuditRecord.objects.filter(action="visit.recorded").values_list("object_id", flat=True))
    cancelled = Counter(AuditRecord.objects.filter(action="visit.cancelled").values_list("object_id", flat=True))
    assert recorded == Counter(str(pk) for pk, _ in visits)
    assert cancelled == Counter(str(pk) for pk, at in visits if at is not None)
    expected = Counter({(pk, 1): 1 for pk, _ in visits})
    expected.update({(pk, -1): 1 for pk, at in visits if at is not None})
    assert pending_visit_rows() == expected


@pytest.fixture
def card(network):
    return make_card(network.distributor, children=2, issued_on=today() - datetime.timedelta(days=30),
                     valid_until=today() + datetime.timedelta(days=60))


def second_user(network, who: str) -> ApiClient:
    """Another member of staff of the same organisation as `who`, at their own desk."""
    original = network.users[who]
    user = make_user(f"{who}-2", original.role, organisation=original.organisation)
    return ApiClient(make_token(user))


# ---- two desks, one card ---------------------------------------------------------------------------------

def test_two_desks_registering_one_card_at_once_with_their_own_keys_both_store_a_visit(network, card):
    desks = [network.client("venue"), second_user(network, "venue"), network.client("other_venue")]

    outcomes = all_at_once(*[post(desk, "visits", {"card_number": card.number, "children": 1}, key="k-1")
                             for desk in desks[:1]],
                           post(desks[1], "visits", {"card_number": card.number}, key="k-2"),
                           post(desks[2], "visits", {"card_number": card.number}, key="k-1"))

    assert [status for status, _ in outcomes] == [201, 201, 201]
    assert len({body["id"] for _, body in outcomes}) == 3
    assert sorted(Visit.objects.values_list("venue_id", "idempotency_key", "uses")) == sorted([
        (network.venue.pk, "k-1", 2), (network.venue.pk, "k-2", 1), (network.other_venue.pk, "k-1", 1)])
    assert_visits_complete()


def test_the_same_key_from_two_desks_of_one_venue_stores_one_visit_and_both_get_its_body(network, card):
    body = {"card_number": card.number, "children": 2}

    outcomes = all_at_once(post(network.client("venue"), "visits", body, key="tap"),
                           post(second_user(network, "venue"), "visits", body, key="tap"))

    assert sorted(status for status, _ in outcomes) == [200, 201]
    assert outcomes[0][1] == outcomes[1][1]
    assert list(Visit.objects.values_list("pk", flat=True)) == [outcomes[0][1]["id"]]
    assert_visits_complete()


def test_desks_racing_for_the_last_tickets_of_a_quota_never_overfill_it(network):
    offering = make_offering(network.venue, ticket_quota=3)
    cards = [make_card(network.distributor, children=1) for _ in range(5)]
    desk = network.client("venue")
    assert desk.post("visits", {"card_number": cards[0].number, "offering_id": offering.pk}).status_code == 201

    outcomes = all_at_once(*[post(desk, "visits", {"card_number": racer.number, "offering_id": offering.pk,
                                                   "children": 1})
                             for racer in cards[1:]])

    # Two tickets are left and every racer needs two: exactly one gets in.
    assert sorted(status for status, _ in outcomes) == [201, 409, 409, 409]
    assert {body["error"]["code"] for status, body in outcomes if status == 409} == {"quota_exhausted"}
    assert sum(Visit.objects.filter(offering=offering).values_list("uses", flat=True)) == 3
    assert_visits_complete()


# ---- renewal and close -----------------------------------------------------------------------------------

def renewal_and_close(network, card):
    renew = post(network.client("distributor"), f"cards/{card.number}/renew",
                 {"valid_until": (today() + datetime.timedelta(days=200)).isoformat()})
    close = post(second_user(network, "distributor"), f"cards/{card.number}/close", {"reason": "lost"})
    return renew, close


def assert_renewed_then_closed(card, renewed, closed):
    assert renewed[0] == 200 and closed[0] == 200, (renewed, closed)
    card.refresh_from_db()
    assert card.valid_until == today() + datetime.timedelta(days=200)
    assert card.closed_on == today()
    assert history(card) == ["issued", "renewed", "closed"]
    assert audit_actions() == {"card.renew": 1, "card.close": 1}
    assert PendingChange.objects.filter(card_id=card.pk).count() == 2


def assert_closed_then_renewal_refused(card, renewed, closed, valid_until):
    assert closed[0] == 200, closed
    assert renewed[0] == 422 and renewed[1]["error"]["code"] == "card_closed", renewed
    card.refresh_from_db()
    assert (card.valid_until, card.closed_on) == (valid_until, today())
    assert history(card) == ["issued", "closed"]
    assert audit_actions() == {"card.close": 1}
    assert PendingChange.objects.filter(card_id=card.pk).count() == 1


def test_a_renewal_holding_the_card_makes_the_racing_close_wait_and_close_the_renewed_card(network, card):
    renew, close = renewal_and_close(network, card)
    with holding(renew, "card.renew") as renewal:
        closing = Running(close)
        wait_until_blocked()
        renewed = renewal.release()
    assert_renewed_then_closed(card, renewed, closing.result())


def test_a_close_holding_the_card_makes_the_racing_renewal_refused_card_closed(network, card):
    renew, close = renewal_and_close(network, card)
    with holding(close, "card.close") as closing:
        renewal = Running(renew)
        wait_until_blocked()
        closed = closing.release()
    assert_closed_then_renewal_refused(card, renewal.result(), closed, card.valid_until)


def test_a_renewal_and_a_close_released_together_end_in_one_of_the_two_outcomes(network, card):
    renew, close = renewal_and_close(network, card)
    renewed, closed = all_at_once(renew, close)
    if renewed[0] == 200:
        assert_renewed_then_closed(card, renewed, closed)
    else:
        assert_closed_then_renewal_refused(card, renewed, closed, card.valid_until)


# ---- replacement and a visit on the old card ---------------------------------------------------------------

def replacement_and_visit(network, card):
    new_number = stock_numbers(network.distributor, 1)[0]
    replace = post(network.client("distributor"), f"cards/{card.number}/replace", {"new_number": new_number})
    visit = post(network.client("venue"), "visits", {"card_number": card.number, "children": 2}, key="at-door")
    return replace, visit


def assert_replaced_once(card, replaced):
    assert replaced[0] == 201, replaced
    card.refresh_from_db()
    assert (card.closed_on, card.close_reason) == (today(), "replaced")
    new = Card.objects.get(replaces=card)
    assert new.number == replaced[1]["number"]
    assert [getattr(new, name) for name in HOLDER_FIELDS] == [getattr(card, name) for name in HOLDER_FIELDS]
    assert history(card) == ["issued", "replaced"]
    assert history(new) == ["issued"]
    assert Card.objects.count() == 2


def test_a_visit_holding_the_old_card_is_stored_before_the_replacement_closes_it(network, card):
    replace, visit = replacement_and_visit(network, card)
    with holding(visit, "visit.recorded") as desk:
        replacing = Running(replace)
        wait_until_blocked()
        recorded = desk.release()
    replaced = replacing.result()

    assert recorded[0] == 201, recorded
    assert_replaced_once(card, replaced)
    stored = Visit.objects.get()
    assert (stored.card_id, stored.uses) == (card.pk, 3)
    closed_at = CardEvent.objects.get(card=card, event="replaced").created_at
    assert stored.recorded_at < closed_at
    assert audit_actions() == {"visit.recorded": 1, "card.replaced": 1, "card.replace": 1}
    assert_visits_complete()


def test_a_visit_racing_a_replacement_that_holds_the_card_is_refused_card_closed(network, card):
    replace, visit = replacement_and_visit(network, card)
    with holding(replace, "card.replace") as replacement:
        desk = Running(visit)
        wait_until_blocked()
        replaced = replacement.release()
    recorded = desk.result()

    assert recorded[0] == 422 and recorded[1]["error"]["code"] == "card_closed", recorded
    assert_replaced_once(card, replaced)
    assert not Visit.objects.exists()
    assert audit_actions() == {"card.replaced": 1, "card.replace": 1}
    assert_visits_complete()


def test_a_visit_and_a_replacement_released_together_end_in_one_of_the_two_outcomes(network, card):
    replace, visit = replacement_and_visit(network, card)
    replaced, recorded = all_at_once(replace, visit)
    assert_replaced_once(card, replaced)
    if recorded[0] == 201:
        assert Visit.objects.get().recorded_at < CardEvent.objects.get(card=card, event="replaced").created_at
    else:
        assert recorded[1]["error"]["code"] == "card_closed", recorded
        assert not Visit.objects.exists()
    assert_visits_complete()


def test_a_card_replaced_twice_at_once_has_one_replacement_and_the_losers_number_stays_free(network, card):
    numbers = stock_numbers(network.distributor, 2)
    desks = [network.client("distributor"), second_user(network, "distributor")]

    outcomes = all_at_once(*[post(desk, f"cards/{card.number}/replace", {"new_number": number})
                             for desk, number in zip(desks, numbers, strict=True)])

    assert sorted(status for status, _ in outcomes) == [201, 422]
    refused = next(body for status, body in outcomes if status == 422)
    assert refused["error"]["code"] == "card_closed"
    replaced = next(outcome for outcome in outcomes if outcome[0] == 201)
    assert_replaced_once(card, replaced)
    loser = next(number for number in numbers if number != replaced[1]["number"])
    assert not Card.objects.filter(number=loser).exists()
    assert StockNumber.objects.filter(number=loser, distributor=network.distributor).exists()
    assert audit_actions() == {"card.replaced": 1, "card.replace": 1}
    assert sorted(PendingChange.objects.values_list("card_id", flat=True)) == sorted(
        [card.pk, Card.objects.get(replaces=card).pk])


# ---- issuing one number twice; cancelling one visit twice ------------------------------------------------------

def test_two_distributor_desks_issuing_the_same_stock_number_at_once_make_one_card(network):
    number = stock_numbers(network.distributor, 1)[0]
    body = {"number": number, "card_type": "personal",
            "valid_until": (today() + datetime.timedelta(days=100)).isoformat(),
            "holder": {"birth_year": 1980, "postal_code": "00100", "children": 1}}

    outcomes = all_at_once(post(network.client("distributor"), "cards", body),
                           post(second_user(network, "distributor"), "cards", body))

    assert sorted(status for status, _ in outcomes) == [201, 409]
    assert next(body for status, body in outcomes if status == 409)["error"]["code"] == "number_taken"
    card = Card.objects.get()
    assert card.number == number
    assert history(card) == ["issued"]
    assert audit_actions() == {"card.issue": 1}
    assert PendingChange.objects.count() == 1


def test_one_visit_cancelled_by_two_desks_at_once_is_cancelled_once(network, card):
    desk = network.client("venue")
    visit_id = desk.post("visits", {"card_number": card.number}).json()["id"]

    outcomes = all_at_once(lambda: desk.delete(f"visits/{visit_id}"),
                           lambda: second_user(network, "venue").delete(f"visits/{visit_id}"))

    assert sorted(status for status, _ in outcomes) == [204, 404]
    assert Visit.objects.get().cancelled_at is not None
    assert audit_actions() == {"visit.recorded": 1, "visit.cancelled": 1}
    assert_visits_complete()
