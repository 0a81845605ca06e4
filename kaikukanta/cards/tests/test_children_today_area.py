"""Whose rules count a card's free children today (cards.selectors.children_today_area_id): the one choice
the card check of the API and My card share."""

import pytest

from kaikukanta.cards import selectors
from kaikukanta.testing import make_card

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("who, area", [
    ("venue", "area"), ("other_venue", "other_area"), ("distributor", "area"),
    ("coordinator", "area"), ("other_coordinator", "other_area"), ("admin", "area"), (None, "area"),
])
def test_the_callers_site_then_own_area_then_the_issuing_area(network, who, area):
    card = make_card(network.distributor, children=1)

    user = network.users[who] if who else None

    assert selectors.children_today_area_id(user, card) == getattr(network, area).pk
