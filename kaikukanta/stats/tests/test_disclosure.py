"""Disclosure control of a venue's breakdowns by holder attributes: the rounding, the settled months, and
the property of API.md "Statistics" for random worlds: taking one holder's visits out of a suppressed cell
(what a venue does by recording or cancelling) changes no answer the venue can obtain, so no two of its
answers differ by that holder's contribution."""

import datetime
from collections import defaultdict

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaikukanta.stats.disclosure import ROUNDING_BASE, random_round, settled_span, settled_through
from kaikukanta.visits.models import Visit

from .world import HOLDER_GROUPINGS, World

d = datetime.date


def test_rounding_is_to_the_base_repeatable_and_unbiased():
    for value in range(0, 40):
        results = [random_round(value, ("cell", seed)) for seed in range(2000)]
        assert all(result % ROUNDING_BASE == 0 and abs(result - value) < ROUNDING_BASE for result in results)
        assert random_round(value, ("cell", 7)) == random_round(value, ("cell", 7))
        # Unbiased: the mean of many independent draws is the value itself.
        assert abs(sum(results) / len(results) - value) < 0.35
    assert random_round(15, ("any",)) == 15


def test_a_month_settles_when_no_visit_dated_in_it_can_be_recorded_or_cancelled():
    # On 9 March 2024 a venue may still cancel a visit it recorded on 2 March dated 31 January (31 days
    # back, 7 days to cancel): January is settled from 10 March, 39 days after its last day.
    assert settled_through(d(2024, 3, 9)) == d(2023, 12, 31)
    assert settled_through(d(2024, 3, 10)) == d(2024, 1, 31)
    assert settled_through(d(2024, 4, 8)) == d(2024, 2, 29)
    assert settled_span(d(2023, 1, 15), d(2023, 6, 10), d(2024, 3, 10)) == (d(2023, 2, 1), d(2023, 5, 31))
    assert settled_span(d(2023, 1, 15), d(2023, 2, 10), d(2024, 3, 10)) is None
    assert settled_span(d(2024, 1, 1), None, d(2024, 3, 9)) is None
    assert settled_span(None, None, d(2024, 3, 10)) == (None, d(2024, 1, 31))


cards = st.lists(st.fixed_dictionaries({
    "birth_year": st.sampled_from([1950, 1970, 1990, 2000, 2007]),
    "postal_code": st.sampled_from(["00100", "02100", "33100"]),
    "gender": st.sampled_from(["", "female", "male"]),
    "children": st.integers(min_value=0, max_value=4),
    "community": st.booleans(),
}), min_size=1, max_size=9)
visits = st.lists(st.fixed_dictionaries({
    "card": st.integers(min_value=0, max_value=50),
    "month": st.integers(min_value=1, max_value=4),
    "day": st.integers(min_value=1, max_value=28),
    "children": st.integers(min_value=0, max_value=2),
    "other_venue": st.booleans(),
}), min_size=1, max_size=40)
PERIODS = ({"from": "2024-01-01", "to": "2024-04-30"}, {"from": "2024-03-01", "to": "2024-03-31"},
           {"from": "2024-02-10", "to": "2024-04-30"}, {})


def _answers(client) -> dict:
    found = {}
    for period in PERIODS:
        for group_by in HOLDER_GROUPINGS:
            found[(group_by, tuple(period.values()))] = client.get("stats/uses", group_by=group_by, **period).json()
        found[("travel", tuple(period.values()))] = client.get("stats/travel", **period).json()
    return found


def _suppressed_cells(world, venue_id) -> list[tuple]:
    """(grouping, month, key, holder) of every holder in a cell of 1–4 holders of a month at the venue."""
    cells = defaultdict(set)
    for visit in world.visits:
        if visit["venue_id"] == venue_id and not visit["cancelled"]:
            month = visit["used_on"].month
            for group_by in HOLDER_GROUPINGS:
                cells[(group_by, month, world.key_of(group_by, visit))].add(visit["card_id"])
            home = world.key_of("home_area", visit)
            cells[("travel", month, home)].add(visit["card_id"])
    return sorted((*cell, holder) for cell, holders in cells.items() if len(holders) < 5
                  for holder in sorted(holders))


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(card_specs=cards, visit_specs=visits, data=st.data())
def test_no_answer_changes_by_one_holder_in_a_suppressed_cell(network, card_specs, visit_specs, data):
    with transaction.atomic():
        world = World.around(network)
        made = [world.card(network.distributor if position % 2 else network.other_distributor, d(2023, 6, 1),
                           valid_until=d(2099, 1, 1), card_type="community" if spec["community"] else "personal",
                           children=0 if spec["community"] else spec["children"],
                           birth_year=spec["birth_year"], postal_code=spec["postal_code"], gender=spec["gender"])
                for position, spec in enumerate(card_specs)]
        written = []
        for spec in visit_specs:
            card = made[spec["card"] % len(made)]
            community = world.cards[card.pk]["card_type"] == "community"
            venue = network.other_venue if spec["other_venue"] else network.venue
            written.append(world.visit(card, venue, d(2024, spec["month"], spec["day"]),
                                       children=0 if community else min(spec["children"],
                                                                        world.cards[card.pk]["children"])))
        candidates = _suppressed_cells(world, network.venue.pk)
        if candidates:
            desk = network.client("venue")
            with_holder = _answers(desk)
            group_by, month, key, holder = data.draw(st.sampled_from(candidates))
            taken = [visit.pk for visit, remembered in zip(written, world.visits[-len(written):], strict=True)
                     if remembered["card_id"] == holder and remembered["venue_id"] == network.venue.pk
                     and remembered["used_on"].month == month
                     and world.key_of("home_area" if group_by == "travel" else group_by, remembered) == key]
            Visit.objects.filter(pk__in=taken).update(cancelled_at=timezone.now())
            assert _answers(desk) == with_holder, (group_by, month, key)
        transaction.set_rollback(True)
