"""GET /api/v1/visits: each caller sees its own visits, never cancelled ones."""

from urllib.parse import urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit

from .support import assert_refused, days_ago, personal_card, post_visit


@pytest.fixture
def visits(network):
    """Cards of both distributors used at both venues, plus one cancelled visit."""
    here, there = network.client("venue"), network.client("other_venue")
    own_card = make_card(network.distributor, issued_on=days_ago(60))
    other_card = make_card(network.other_distributor, issued_on=days_ago(60))
    recorded = {
        "own_card_here": post_visit(here, {"card_number": own_card.number,
                                           "used_on": days_ago(10).isoformat()}),
        "other_card_here": post_visit(here, {"card_number": other_card.number}),
        "own_card_there": post_visit(there, {"card_number": own_card.number,
                                             "used_on": days_ago(5).isoformat()}),
        "other_card_there": post_visit(there, {"card_number": other_card.number}),
        "cancelled_here": post_visit(here, {"card_number": own_card.number}),
    }
    ids = {name: response.json()["id"] for name, response in recorded.items()}
    assert here.delete(f"visits/{ids['cancelled_here']}").status_code == 204
    return ids


def listed(client, **params) -> list[int]:
    response = client.get("visits", **params)
    assert response.status_code == 200, response.content
    assert response.json()["next"] is None
    return sorted(visit["id"] for visit in response.json()["results"])


def ids_of(visits, *names) -> list[int]:
    return sorted(visits[name] for name in names)


@pytest.mark.parametrize("who, expected", [
    ("venue", ["own_card_here", "other_card_here"]),
    ("other_venue", ["own_card_there", "other_card_there"]),
    ("distributor", ["own_card_here", "own_card_there"]),
    ("other_distributor", ["other_card_here", "other_card_there"]),
    ("coordinator", ["own_card_here", "other_card_here"]),
    ("other_coordinator", ["own_card_there", "other_card_there"]),
    ("admin", ["own_card_here", "other_card_here", "own_card_there", "other_card_there"]),
])
def test_each_caller_sees_its_scope_without_cancelled_visits(network, visits, who, expected):
    assert listed(network.client(who)) == ids_of(visits, *expected)


def test_listed_visits_have_the_shape_of_a_recorded_one(network):
    desk = network.client("venue")
    recorded = post_visit(desk, {"card_number": personal_card(network, children=1).number, "children": 1,
                                 "assistants": 1}).json()
    assert desk.get("visits").json() == {"results": [recorded], "next": None}


def test_from_and_to_bound_used_on_both_included(network, visits):
    admin = network.client("admin")
    assert listed(admin, **{"from": days_ago(10).isoformat(), "to": days_ago(5).isoformat()}) == ids_of(
        visits, "own_card_here", "own_card_there")
    assert listed(admin, **{"from": days_ago(9).isoformat()}) == ids_of(
        visits, "other_card_here", "own_card_there", "other_card_there")
    assert listed(admin, to=days_ago(6).isoformat()) == ids_of(visits, "own_card_here")


def test_venue_and_offering_filters_narrow_the_scope(network, visits):
    assert listed(network.client("admin"), venue_id=network.other_venue.pk) == ids_of(
        visits, "own_card_there", "other_card_there")
    assert listed(network.client("distributor"), venue_id=network.other_venue.pk) == ids_of(
        visits, "own_card_there")
    assert listed(network.client("venue"), venue_id=network.venue.pk) == ids_of(
        visits, "own_card_here", "other_card_here")
    offering = make_offering(network.venue)
    desk = network.client("venue")
    with_offering = post_visit(desk, {"card_number": personal_card(network).number,
                                      "offering_id": offering.pk}).json()["id"]
    assert listed(desk, offering_id=offering.pk) == [with_offering]
    assert listed(network.client("coordinator"), offering_id=offering.pk) == [with_offering]


@pytest.mark.parametrize("who, venue", [("venue", "other_venue"), ("coordinator", "other_venue"),
                                        ("other_coordinator", "venue"), ("other_venue", "venue")])
def test_a_venue_outside_the_scope_is_forbidden(network, visits, who, venue):
    assert_refused(network.client(who).get("visits", venue_id=getattr(network, venue).pk), 403, "forbidden",
                   "venue_id")


def test_an_offering_outside_the_scope_is_forbidden(network, visits):
    offering = make_offering(network.other_venue)
    assert_refused(network.client("venue").get("visits", offering_id=offering.pk), 403, "forbidden",
                   "offering_id")
    assert_refused(network.client("coordinator").get("visits", offering_id=offering.pk), 403, "forbidden",
                   "offering_id")


@pytest.mark.parametrize("params, field", [
    ({"from": "2024-13-01"}, "from"),
    ({"to": "yesterday"}, "to"),
    ({"venue_id": "abc"}, "venue_id"),
    ({"venue_id": 987654}, "venue_id"),
    ({"offering_id": 987654}, "offering_id"),
    ({"after": "x"}, "after"),
])
def test_bad_filters_are_invalid(network, params, field):
    assert_refused(network.client("admin").get("visits", **params), 400, "invalid", field)


def test_a_distributor_is_not_a_venue_to_filter_by(network):
    assert_refused(network.client("admin").get("visits", venue_id=network.distributor.pk), 400, "invalid",
                   "venue_id")


def test_anonymous_callers_are_unauthenticated(anonymous):
    assert_refused(anonymous.get("visits"), 401, "unauthenticated")


def _store_visits(network, count: int) -> None:
    card = personal_card(network)
    Visit.objects.bulk_create(Visit(card=card, venue=network.venue, used_on=days_ago(1), uses=1)
                              for _ in range(count))


def test_long_lists_are_paged_with_a_next_link(network):
    _store_visits(network, 101)
    desk = network.client("venue")
    first = desk.get("visits", **{"from": days_ago(3).isoformat()}).json()
    assert len(first["results"]) == 100
    next_url = urlsplit(first["next"])
    assert "from=" in next_url.query
    second = desk.get(f"{next_url.path}?{next_url.query}").json()
    assert len(second["results"]) == 1 and second["next"] is None
    seen = [visit["id"] for visit in first["results"] + second["results"]]
    assert seen == sorted(set(seen))


def test_listing_takes_the_same_statements_however_many_visits(network):
    desk = network.client("venue")
    desk.get("visits")
    counts = []
    for more in (2, 40):
        _store_visits(network, more)
        with CaptureQueriesContext(connection) as captured:
            assert desk.get("visits").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1] <= 2
