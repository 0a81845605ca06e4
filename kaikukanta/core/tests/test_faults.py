"""PostgreSQL going away in the middle of a load of visit registrations through the production server.

A private cluster (never the shared server) is stopped with `-m immediate` (a crash, as far as the server
can tell) while desks keep registering, and started again. Afterwards: the server answers again by itself,
every visit a desk was told was stored (201, or 200 for a retried key) is stored exactly once under the id
it was told, every failure was a failure (503 with the contract's error body, or no answer at all), and a
desk that retries a failed key with the same Idempotency-Key ends with that visit stored once.
"""

import http.client
import json
import threading
import time
from collections import Counter, defaultdict

import pytest

from .private_postgres import ProductionServer, manage

pytestmark = pytest.mark.postgres

DESKS = 6
VISITS_BEFORE = 60
VISITS_AFTER = 60
DEADLINE_SECONDS = 90

# Migrating and building the network in one process saves a Django start-up.
SETUP = """
import json
from django.core.management import call_command
from kaikukanta.testing import build_network, make_card
call_command("migrate", "--noinput", verbosity=0)
network = build_network()
cards = [make_card(network.distributor, children=1).number for _ in range(12)]
print(json.dumps({"token": network.tokens["venue"], "venue_id": network.venue.pk, "cards": cards}))
"""




class Desks:
    """Threads registering visits, each under a fresh Idempotency-Key. Even-numbered desks retry a failed
    key until it succeeds (as the desk page does when the tap is repeated); odd ones give up on it."""

    def __init__(self, server: ProductionServer, token: str, cards: list[str]):
        self.server, self.token, self.cards = server, token, cards
        self.lock = threading.Lock()
        self.answers: dict[str, list] = defaultdict(list)  # key -> [("ok", status, id) | ("failed", what)]
        self.successes = 0
        self.failures = 0
        self.retrying: set[str] = set()
        self.stop = threading.Event()
        self.give_up = time.monotonic() + DEADLINE_SECONDS
        self.threads = [threading.Thread(target=self.desk, args=(number,)) for number in range(DESKS)]

    def attempt(self, key: str, card: str) -> bool:
        try:
            status, body, kind = self.server.post(
                "/api/v1/visits", {"card_number": card},
                {"Authorization": f"Bearer {self.token}", "Idempotency-Key": key})
        except (OSError, http.client.HTTPException) as error:
            answer, ok = ("failed", f"no answer: {type(error).__name__}"), False
        else:
            if status in (200, 201):
                answer, ok = ("ok", status, body["id"]), True
            else:
                answer, ok = ("failed", (status, kind, json.dumps(body))), False
        with self.lock:
            self.answers[key].append(answer)
            self.successes += ok
            self.failures += not ok
        return ok

    def desk(self, number: int) -> None:
        retries = number % 2 == 0
        sent = 0
        while not self.stop.is_set() and time.monotonic() < self.give_up:
            key, card = f"desk{number}-{sent}", self.cards[(number + sent) % len(self.cards)]
            sent += 1
            if retries:
                self.retrying.add(key)
            while not self.attempt(key, card) and retries and time.monotonic() < self.give_up:
                time.sleep(0.05)

    def wait_for(self, condition, what: str) -> None:
        while not condition():
            assert time.monotonic() < self.give_up, f"timed out waiting for {what}"
            time.sleep(0.02)


def test_a_postgresql_crash_under_load_loses_no_reported_visit_and_the_server_recovers(cluster):
    world = json.loads(manage(cluster.url, "shell", "-c", SETUP).strip().splitlines()[-1])
    server = ProductionServer(cluster.url)
    desks = Desks(server, world["token"], world["cards"])
    try:
        for thread in desks.threads:
            thread.start()
        desks.wait_for(lambda: desks.successes >= VISITS_BEFORE, "registrations before the crash")
        cluster.stop("immediate")
        failures_at_crash = desks.failures
        desks.wait_for(lambda: desks.failures > failures_at_crash, "a registration during the outage")
        cluster.start()
        successes_at_restart = desks.successes
        desks.wait_for(lambda: desks.successes >= successes_at_restart + VISITS_AFTER,
                       "registrations after the restart (the server did not recover by itself)")
    finally:
        desks.stop.set()
        for thread in desks.threads:
            thread.join(DEADLINE_SECONDS)
        server.stop()

    answers = desks.answers
    failed = [answer[1] for replies in answers.values() for answer in replies if answer[0] == "failed"]
    bad_failures = [what for what in failed if not (
        isinstance(what, str)
        or (what[0] == 503 and what[1].startswith("application/json")
            and json.loads(what[2])["error"]["code"] == "unavailable"))]
    print(f"faults: {len(answers)} keys sent, {desks.successes} answered stored, {len(failed)} failures "
          f"({Counter(what if isinstance(what, str) else what[0] for what in failed)})")
    assert failed, "no registration failed: the outage was not under load"
    assert bad_failures == [], server.output()

    stored = dict(cluster.query("SELECT idempotency_key, id FROM visits_visit WHERE venue_id = %s",
                                [world["venue_id"]]))
    assert cluster.query("SELECT count(*) FROM visits_visit")[0][0] == len(stored)
    told = {key: {answer[2] for answer in replies if answer[0] == "ok"} for key, replies in answers.items()}
    for key, ids in told.items():
        if ids:
            assert ids == {stored.get(key)}, (key, answers[key])
        assert Counter(answer[1] for answer in answers[key] if answer[0] == "ok")[201] <= 1, answers[key]
    assert set(stored) <= set(answers), "a visit no desk sent"
    assert all(told[key] for key in desks.retrying), "a retried key that never got its visit stored"
    # Nothing half-done: each stored visit has its audit row and its pending statistics row, and only it.
    ids = Counter(str(pk) for pk in stored.values())
    assert Counter(dict(cluster.query(
        "SELECT object_id, count(*) FROM core_auditrecord WHERE action = 'visit.recorded' GROUP BY object_id"))) == ids
    assert Counter(dict(cluster.query(
        "SELECT visit_id::text, count(*) FROM stats_pendingchange WHERE visit_id IS NOT NULL AND sign = 1 "
        "GROUP BY visit_id"))) == ids
