"""Random small worlds: the API's summary and breakdowns must equal the oracle's, whatever the data."""

import datetime

from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .world import World

START = datetime.date(2023, 1, 1)
SPAN = 730
GROUPINGS = ["month", "year", "area", "municipality", "welfare_area", "venue", "sector", "venue_category",
             "age_group", "card_type", "home_area", "children", "gender", "home_municipality"]

days = st.integers(min_value=0, max_value=SPAN).map(lambda n: START + datetime.timedelta(days=n))
cards = st.fixed_dictionaries({
    "issuer": st.sampled_from(["distributor", "other_distributor"]),
    "issued_on": days,
    "valid_days": st.integers(min_value=0, max_value=365),
    "closed_after": st.none() | st.integers(min_value=0, max_value=400),
    "community": st.booleans(),
    "children": st.integers(min_value=0, max_value=3),
    "birth_year": st.integers(min_value=1930, max_value=2007),
    "postal_code": st.sampled_from(["00100", "02100", "33100"]),
    "gender": st.sampled_from(["", "female", "male", "other"]),
})
visits = st.fixed_dictionaries({
    "card": st.integers(min_value=0, max_value=100),
    "venue": st.sampled_from(["venue", "other_venue"]),
    "used_on": days,
    "children": st.integers(min_value=0, max_value=3),
    "clients": st.integers(min_value=0, max_value=10),
    "cancelled": st.booleans(),
})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(card_specs=st.lists(cards, min_size=1, max_size=8), visit_specs=st.lists(visits, max_size=25),
       on=days, group_by=st.sampled_from(GROUPINGS), period=st.tuples(days, days),
       viewer=st.sampled_from(["coordinator", "other_distributor", "venue"]))
def test_random_worlds_agree_with_the_oracle(network, card_specs, visit_specs, on, group_by, period, viewer):
    with transaction.atomic():
        world = World.around(network)
        made = []
        for spec in card_specs:
            issued_on = spec["issued_on"]
            made.append(world.card(
                getattr(network, spec["issuer"]), issued_on,
                valid_until=issued_on + datetime.timedelta(days=spec["valid_days"]),
                card_type="community" if spec["community"] else "personal",
                children=0 if spec["community"] else spec["children"], birth_year=spec["birth_year"],
                postal_code=spec["postal_code"], gender=spec["gender"],
                closed_on=(None if spec["closed_after"] is None
                           else issued_on + datetime.timedelta(days=spec["closed_after"]))))
        for spec in visit_specs:
            card = made[spec["card"] % len(made)]
            community = world.cards[card.pk]["card_type"] == "community"
            world.visit(card, getattr(network, spec["venue"]), spec["used_on"],
                        children=0 if community else min(spec["children"], world.cards[card.pk]["children"]),
                        clients=spec["clients"] if community else 0, cancelled=spec["cancelled"])
        start, end = sorted(period)
        viewers = {
            "admin": ("network", None),
            "coordinator": ("area", network.area.pk),
            "other_distributor": ("distributor", network.other_distributor.pk),
            "venue": ("venue", network.venue.pk),
        }
        for who in {"admin", viewer}:
            client, scope = network.client(who), viewers[who]
            assert client.get("stats/summary", on=on.isoformat()).json() == world.summary(scope, on)
            period = {"from": start.isoformat(), "to": end.isoformat()}
            assert client.get("stats/uses", group_by=group_by, **period).json() == world.uses(
                scope, group_by, start, end)
            assert client.get("stats/activation", **period).json() == world.activation(scope, start, end)
            assert client.get("stats/travel", **period).json() == world.travel(scope, start, end)
        transaction.set_rollback(True)
