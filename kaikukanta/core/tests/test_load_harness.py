"""The load test's harness (`make loadtest`, bench/loadtest.py) judged on its own: it counts what the desks
were told against what the database holds, and a short run against a live server passes that check."""

import datetime
import json
import uuid
from urllib.parse import urlsplit

import pytest
from django.db import connection

from bench.loadtest import SERVER_ENV, Tally, run_desks, verify
from kaikukanta.core.clock import today
from kaikukanta.reference.models import Municipality
from kaikukanta.reference.services import load_reference
from kaikukanta.testing import build_network, make_card
from kaikukanta.visits.tests.support import post_visit


def query(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_the_count_check_finds_a_lost_visit_and_a_visit_nobody_was_told_of(network):
    desk = network.client("venue")
    cards = [make_card(network.distributor) for _ in range(3)]
    told = Tally()
    for card in cards[:2]:
        key = f"load-check-{uuid.uuid4()}"
        told.recorded[key] = post_visit(desk, {"card_number": card.number}, key=key).json()["id"]
    assert verify(told, "load-check", query) == []

    told.recorded["load-check-never-stored"] = 999_999
    assert verify(told, "load-check", query) == [
        "2 visits stored for 3 answers 201",
        "1 visits answered 201 are missing or stored under another id, e.g. load-check-never-stored"]
    del told.recorded["load-check-never-stored"]

    post_visit(desk, {"card_number": cards[2].number}, key="load-check-unannounced")
    assert verify(told, "load-check", query) == [
        "3 visits stored for 2 answers 201",
        "1 visits stored that no desk was told of, e.g. load-check-unannounced"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_short_run_of_desks_against_a_live_server_stores_exactly_what_it_was_told(live_server, settings):
    # As in `make loadtest`: desks at machine speed would otherwise meet the card-check rate limit.
    settings.KAIKUKANTA_CARD_GUESSING = json.loads(SERVER_ENV["KAIKUKANTA_CARD_GUESSING"])
    if not Municipality.objects.exists():
        load_reference()
    network = build_network()
    valid = [make_card(network.distributor).number for _ in range(20)]
    expired = make_card(network.distributor, issued_on=today() - datetime.timedelta(days=400),
                        valid_until=today() - datetime.timedelta(days=1))
    closed = make_card(network.distributor, closed_on=today() - datetime.timedelta(days=1),
                       issued_on=today() - datetime.timedelta(days=30))
    desks = [{"token": network.tokens[who], "offering_id": None} for who in ("venue", "other_venue")] * 4
    address = urlsplit(live_server.url)
    tally, _ = run_desks(address.hostname, address.port, desks, valid,
                         [[expired.number, "card_expired"], [closed.number, "card_closed"]],
                         seconds=2, run_id="load-live")
    assert tally.error_count == 0, tally.errors
    assert tally.recorded
    assert verify(tally, "load-live", query) == []
