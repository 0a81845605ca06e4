"""The dashboard's tables from the shared cache: the same page as made afresh for every role and language,
a new visit or a renamed venue on the very next read, and each caller's own scope and disclosure control."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaikukanta.core.clock import today
from kaikukanta.stats import dashboard_cache, rollups
from kaikukanta.testing import make_card, sign_in
from kaikukanta.visits.tests.support import post_visit

from .test_stats_pages import PERIOD, PageTables, small_world

pytestmark = pytest.mark.django_db
ROLES = ("admin", "coordinator", "other_coordinator", "distributor", "venue")


def read(network, who: str, language: str = "fi", **params) -> tuple[str, int]:
    """The page without its form tokens, and the statements it took."""
    client = Client(headers={"accept-language": language})
    sign_in(client, network.users[who])
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("stats:dashboard"), params)
    assert response.status_code == 200, response.content
    # Form tokens (64 characters, new on every response) left out.
    return re.sub(r"\b[A-Za-z0-9]{64}\b", "token", response.content.decode()), len(queries)


def test_a_cached_dashboard_is_the_page_made_afresh_for_every_role_and_language(network):
    small_world(network)
    first = {}
    for who in ROLES:
        for language in ("fi", "sv", "en"):
            first[(who, language)] = read(network, who, language, **PERIOD)
    for (who, language), (page, statements) in first.items():
        again, cached = read(network, who, language, **PERIOD)
        assert again == page, (who, language)
        assert cached < statements / 3, (who, language, cached, statements)
    # Each caller its own scope: the coordinator's page, read after the national admin's, is its area's.
    assert PageTables(first[("coordinator", "fi")][0]).headline["Käynnit"] == "11"
    assert PageTables(first[("admin", "fi")][0]).headline["Käynnit"] == "13"
    # Disclosure control as before: the coordinator's holder breakdown (settled months only, rounded), read
    # after the national admin's, is not the admin's.
    admin = read(network, "admin", group_by="age_group", **PERIOD)[0]
    coordinator = read(network, "coordinator", group_by="age_group", **PERIOD)[0]
    assert PageTables(admin).tables["breakdown"] != PageTables(coordinator).tables["breakdown"]
    note = "pyöristetty viiden monikerroiksi"
    assert note in coordinator and note not in admin


def test_a_visit_recorded_after_a_cached_read_is_on_the_next_read(network):
    small_world(network)
    before = PageTables(read(network, "admin")[0]).headline
    card = make_card(network.distributor)
    assert post_visit(network.client("venue"), {"card_number": card.number}).status_code == 201
    after = PageTables(read(network, "admin")[0]).headline
    assert int(after["Käynnit"]) == int(before["Käynnit"]) + 1
    assert int(after["Kortinhaltijat (voimassa olevat kortit)"]) == int(
        before["Kortinhaltijat (voimassa olevat kortit)"]) + 1


def test_a_renamed_venue_and_a_new_one_are_on_the_next_read(network):
    world = small_world(network)
    assert "Uimahalli" in read(network, "admin", **PERIOD)[0]
    world.sport.name = "Maauimala"
    world.sport.save()
    page = read(network, "admin", **PERIOD)[0]
    assert "Maauimala" in page and "Uimahalli" not in page


def test_the_cache_holds_a_dashboard_per_scope_filters_day_and_language(network):
    small_world(network)
    read(network, "admin", **PERIOD)
    read(network, "admin", "sv", **PERIOD)
    read(network, "admin", **{**PERIOD, "from": "2024-03-01"})
    read(network, "coordinator", **PERIOD)
    recent = dashboard_cache.cache.get(dashboard_cache.RECENT_KEY)
    shown = {(made.scope.area_id, made.start.isoformat(), made.language, made.today) for _at, made in recent.values()}
    assert shown == {(None, "2024-01-01", "fi", today()), (None, "2024-01-01", "sv", today()),
                     (None, "2024-03-01", "fi", today()), (network.area.pk, "2024-01-01", "fi", today())}


def test_a_dashboard_that_cannot_be_made_ahead_is_left_to_its_reader(network, monkeypatch):
    small_world(network)
    read(network, "admin", **PERIOD)
    card = make_card(network.distributor)
    assert post_visit(network.client("venue"), {"card_number": card.number}).status_code == 201
    rollups.fold()

    def broken(*_args):
        raise RuntimeError("the database went away")

    with monkeypatch.context() as patched:
        patched.setattr(dashboard_cache, "_make", broken)
        assert dashboard_cache.warm() == 0
    assert dashboard_cache.warm() == 1
    assert dashboard_cache.warm() == 0, "already of the current generation"


def test_a_dashboard_made_afresh_asks_each_rollup_sum_and_the_network_history_once(network):
    """Its tables share their reads (the venue rows of the period feed five tables, the yearly table is also
    the report form's first year, every year-end's municipalities come from one read of the history)."""
    small_world(network)
    client = Client(headers={"accept-language": "fi"})
    sign_in(client, network.users["admin"])
    # A period of a month and a few days: every rollup sum is two pieces (a month and days).
    params = {"from": "2024-03-01", "to": "2024-04-03", "on": "2024-12-31"}
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("stats:dashboard"), params)
    assert response.status_code == 200
    statements = [query["sql"] for query in queries.captured_queries]
    rollup_reads = [sql for sql in statements if "stats_rollup" in sql and sql.lstrip("( ").startswith("SELECT")]
    assert rollup_reads and len(rollup_reads) == len(set(rollup_reads))
    assert sum('FROM "network_areastatusperiod"' in sql for sql in statements) <= 4   # summary, yearly, milestones
    assert PageTables(response.content.decode()).headline["Käynnit"] == "13"
