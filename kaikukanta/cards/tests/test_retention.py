"""Retention: holder data of long-ended cards is coarsened by a daily command, and every statistic,
folded or rebuilt, stays what it was (checked against the oracle's figures from the exact birth years)."""

import datetime

from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kaikukanta.cards import services
from kaikukanta.cards.models import Card
from kaikukanta.core.models import AuditRecord
from kaikukanta.stats import rollups
from kaikukanta.stats.models import CardFigures, Rollup
from kaikukanta.stats.tests.world import World
from kaikukanta.testing import make_card

d = datetime.date


def _rollup_rows() -> set[tuple]:
    rollups.fold()
    return set(Rollup.objects.values_list("family", "owner", "dim", "grain", "period", "key", "visits", "uses",
                                          "child_uses", "cards", "card_1", "card_2", "card_3", "card_4"))


def test_the_band_keeps_every_age_group_of_the_cards_years():
    # Born 1983, card used 2020–2021: 1980 (the band's first year) gives the same groups.
    assert services._band_birth_year(1983, {2020, 2021}) == 1980
    # Born 1993, card used 2020–2021: 1990 would make the holder 30 in 2020, so the earliest year keeping
    # 18–29 in 2020 and 2021 is 1992.
    assert services._band_birth_year(1993, {2020, 2021}) == 1992
    # Turning 30 during the card's years (born 1991, 2020–2021: 29, then 30) pins the year exactly.
    assert services._band_birth_year(1991, {2020, 2021}) == 1991


def test_only_chains_ended_longer_ago_than_the_period_are_coarsened(network):
    distributor = network.distributor
    old = make_card(distributor, issued_on=d(2020, 3, 1), valid_until=d(2021, 2, 28), birth_year=1983,
                    postal_code="02100")
    recent = make_card(distributor, issued_on=d(2022, 3, 1), valid_until=d(2023, 2, 28), birth_year=1983)
    closed_long_ago = make_card(distributor, issued_on=d(2020, 1, 1), valid_until=d(2025, 12, 31),
                                closed_on=d(2021, 1, 1), birth_year=1977)
    # A replaced card and its replacement are one holder: the old card waits for the newest one.
    replaced = make_card(distributor, issued_on=d(2019, 1, 1), valid_until=d(2023, 6, 30),
                         closed_on=d(2020, 1, 1), birth_year=1964)
    replacement = make_card(distributor, issued_on=d(2020, 1, 1), valid_until=d(2023, 6, 30),
                            replaces=replaced, birth_year=1964)

    result = services.coarsen_holder_data(day=d(2024, 6, 1))

    assert result.cutoff == d(2021, 6, 1)
    assert (result.chains, result.cards) == (2, 2)
    old.refresh_from_db()
    assert (old.birth_year, old.postal_code_id, old.home_municipality_id) == (1980, None, "049")
    assert old.holder_coarsened_on == d(2024, 6, 1)
    closed_long_ago.refresh_from_db()
    assert (closed_long_ago.birth_year, closed_long_ago.postal_code_id) == (1975, None)
    for untouched in (recent, replaced, replacement):
        untouched.refresh_from_db()
        assert untouched.postal_code_id is not None and untouched.holder_coarsened_on is None

    result = services.coarsen_holder_data(day=d(2026, 7, 1))
    assert (result.chains, result.cards) == (2, 3)
    replaced.refresh_from_db()
    replacement.refresh_from_db()
    assert (replaced.birth_year, replacement.birth_year) == (1960, 1960)
    assert replaced.postal_code_id is None and replacement.postal_code_id is None


def test_the_command_is_idempotent_audited_and_uses_the_setting(network):
    card = make_card(network.distributor, issued_on=d(2010, 1, 1), valid_until=d(2010, 12, 31), birth_year=1972)
    with override_settings(KAIKUKANTA_HOLDER_RETENTION_YEARS=100):
        call_command("coarsen_holder_data")
    card.refresh_from_db()
    assert card.birth_year == 1972 and card.postal_code_id == "00100"

    call_command("coarsen_holder_data")
    call_command("coarsen_holder_data")
    card.refresh_from_db()
    assert (card.birth_year, card.postal_code_id) == (1970, None)
    runs = list(AuditRecord.objects.filter(action="holder_data.coarsened").order_by("id"))
    assert [(run.details["retention_years"], run.details["cards"]) for run in runs] == [(100, 0), (3, 1), (3, 0)]
    assert all(run.actor_id is None for run in runs)
    # The statistics' copy of the card's facts no longer holds the exact year either.
    assert CardFigures.objects.get(card_id=card.pk).birth_year == 1970


def test_a_coarsened_card_still_reads_through_the_api(network):
    card = make_card(network.distributor, issued_on=d(2015, 1, 1), valid_until=d(2015, 12, 31), birth_year=1976)
    services.coarsen_holder_data()
    body = network.client("distributor").get(f"cards/{card.number}").json()
    assert body["holder"]["birth_year"] == 1975
    assert body["holder"]["postal_code"] is None
    assert body["holder"]["home_municipality"] == "091"


START = d(2019, 1, 1)
days = st.integers(min_value=0, max_value=1500).map(lambda n: START + datetime.timedelta(days=n))
card_specs = st.fixed_dictionaries({
    "issuer": st.sampled_from(["distributor", "other_distributor"]),
    "issued_on": days,
    "valid_days": st.integers(min_value=0, max_value=730),
    "closed_after": st.none() | st.integers(min_value=0, max_value=800),
    # Birth years near every age-group boundary of the cards' years.
    "birth_year": st.integers(min_value=1950, max_value=2006),
    "postal_code": st.sampled_from(["00100", "02100", "33100"]),
    "replace_after": st.none() | st.integers(min_value=1, max_value=300),
})
visit_specs = st.fixed_dictionaries({
    "card": st.integers(min_value=0, max_value=100),
    "venue": st.sampled_from(["venue", "other_venue"]),
    "offset": st.integers(min_value=0, max_value=1000),
    "children": st.integers(min_value=0, max_value=2),
})


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(cards=st.lists(card_specs, min_size=1, max_size=8), visits=st.lists(visit_specs, max_size=25),
       run_on=st.integers(min_value=0, max_value=2000).map(lambda n: d(2024, 1, 1) + datetime.timedelta(days=n)),
       group_by=st.sampled_from(["age_group", "home_municipality", "home_area", "year"]))
def test_statistics_stay_the_same_folded_and_rebuilt(network, cards, visits, run_on, group_by):
    with transaction.atomic():
        world = World.around(network)
        made = []
        for spec in cards:
            issued_on = spec["issued_on"]
            valid_until = issued_on + datetime.timedelta(days=spec["valid_days"])
            closed_on = (None if spec["closed_after"] is None
                         else issued_on + datetime.timedelta(days=spec["closed_after"]))
            card = world.card(getattr(network, spec["issuer"]), issued_on, valid_until=valid_until,
                              birth_year=spec["birth_year"], postal_code=spec["postal_code"], closed_on=closed_on,
                              children=2)
            made.append(card)
            replaced_on = issued_on + datetime.timedelta(days=spec["replace_after"] or 0)
            if spec["replace_after"] and replaced_on < min(closed_on or valid_until, valid_until):
                world.close(card, replaced_on)
                made.append(world.card(getattr(network, spec["issuer"]), replaced_on, valid_until=valid_until,
                                       birth_year=spec["birth_year"], postal_code=spec["postal_code"],
                                       children=2, replaces=card))
        for spec in visits:
            card = Card.objects.get(pk=made[spec["card"] % len(made)].pk)
            ends = rollups.ends_on(card.issued_on, card.valid_until, card.closed_on)
            span = (ends - card.issued_on).days
            if span > 0:
                world.visit(card, getattr(network, spec["venue"]),
                            card.issued_on + datetime.timedelta(days=spec["offset"] % span),
                            children=spec["children"])
        before = _rollup_rows()
        exact = dict(Card.objects.values_list("pk", "birth_year"))

        result = services.coarsen_holder_data(day=run_on)

        coarsened = dict(Card.objects.filter(holder_coarsened_on__isnull=False).values_list("pk", "birth_year"))
        assert len(coarsened) == result.cards
        assert all(year // 5 == exact[pk] // 5 and year <= exact[pk] for pk, year in coarsened.items())
        assert _rollup_rows() == before
        rollups.rebuild()
        assert _rollup_rows() == before
        # And the figures readers get are the oracle's, computed from the exact birth years.
        client = network.client("admin")
        period = {"from": START.isoformat(), "to": d(2024, 12, 31).isoformat()}
        assert client.get("stats/uses", group_by=group_by, **period).json() == world.uses(
            ("network", None), group_by, START, d(2024, 12, 31))
        assert client.get("stats/travel", **period).json() == world.travel(("network", None), START,
                                                                         d(2024, 12, 31))
        transaction.set_rollback(True)
