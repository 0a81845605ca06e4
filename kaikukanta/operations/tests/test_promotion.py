"""Losing the primary database: the whole system as separate processes (topology.py) with the standby
replicating synchronously, under a steady desk load. The primary is killed, the standby is promoted by hand
(`pg_ctl promote`, deploy/RUNBOOK.md "Losing the primary"), an app instance and the worker are started
against it and the proxy routes to it. Every visit a desk was told was stored is on the promoted server,
exactly once, nothing is stored that no desk was told of, and the statistics equal the stored visits once
the worker caught up. Slow (a few minutes): the PostgreSQL pass of CI runs it once."""

import json
import re
import threading
import time
import uuid

import pytest

from kaikukanta.core.tests.private_postgres import manage

from .replica_pair import ReplicatedPair
from .test_topology import Desk, summary_visits
from .topology import Process, Topology

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
CLIENTS = 30
LOAD_SECONDS = 30
KILL_AT = 6
HEALTH_INTERVAL = 5.0
AFTER_SECONDS = 12   # of load at least, once an instance serves on the promoted server


class ToldDesk(Desk):
    """A desk that retries with the same Idempotency-Key until it has an answer: after a failover the
    answer may be the replay (200) of a visit the lost primary stored just before it went."""

    told_at: list[float]

    def run(self):
        self.told_at = []
        index = 0
        while not self.stop_event.is_set():
            number = self.numbers[index % len(self.numbers)]
            index += 1
            key = uuid.uuid4().hex
            while True:
                try:
                    status, body = self.post({"card_number": number}, key)
                except OSError:
                    status, body = None, None
                if status in (200, 201) and body and "id" in body:
                    self.stored.append(body["id"])
                    self.told_at.append(time.monotonic() - self.started)
                    break
                if status in (409, 422, 429):
                    self.refused += 1
                    break
                self.errors.append((time.monotonic() - self.started, status))
                time.sleep(0.2)


@pytest.fixture
def topology():
    system = Topology({"KAIKUKANTA_CARD_GUESSING": json.dumps({"checks_per_user": 10**6, "checks_per_address": 10**6})})
    system.database = ReplicatedPair(synchronous=True)
    try:
        system.start()
        yield system
    finally:
        system.remove()


def on_promoted(topology, statement: str, params=()) -> list[tuple]:
    import psycopg

    with psycopg.connect(topology.database.standby.url.replace("postgres://", "postgresql://")) as db:
        return db.execute(statement, params).fetchall()


def test_promoting_the_standby_after_losing_the_primary_keeps_every_visit_a_desk_was_told_of(topology):
    url = topology.database.primary.url
    manage(url, "migrate", "--noinput")
    demo = manage(url, "generate_demo", "--cards", "2000", "--visits", "2000", "--areas", "2")
    tokens = dict(re.findall(r"^\s+(admin|venue)\s+\S+\s+(\S+)\s", demo, re.MULTILINE))
    numbers = [row[0] for row in topology.database.primary.query(
        "SELECT number FROM cards_card WHERE closed_on IS NULL AND valid_until > current_date + 2 "
        "AND issued_on <= current_date ORDER BY id")]
    # app2 is the instance an operator starts against the promoted server; until then the proxy finds it down.
    promoted_env = {**topology.env(), "DATABASE_URL": topology.database.standby.url}
    promoted_env.pop("DATABASE_REPLICA_URL")
    topology.parts["app2"] = Process("app2", topology.parts["app2"].command, promoted_env, topology.directory)
    topology.run_parts("redis", "app1", "worker", "beat", "proxy")
    topology.wait_ready(f"http://127.0.0.1:{topology.app_ports[0]}")
    topology.wait_ready(topology.base)
    time.sleep(2)   # the proxy has found app2 down
    manage(url, "fold_stats")
    before_visits = topology.database.primary.query("SELECT count(*) FROM visits_visit")[0][0]
    before_summary = summary_visits(topology, tokens["admin"])

    stop, started = threading.Event(), time.monotonic()
    share = len(numbers) // CLIENTS
    desks = [ToldDesk(topology.proxy_port, tokens["venue"], numbers[i * share:(i + 1) * share], stop, started)
             for i in range(CLIENTS)]
    for desk in desks:
        desk.start()
    time.sleep(KILL_AT)
    killed = time.monotonic() - started
    topology.database.primary.stop("immediate")        # the primary's host is lost
    topology.database.promote()
    promoted = time.monotonic() - started
    topology.parts["worker"].kill()
    topology.parts["worker"] = Process("worker-promoted", topology.parts["worker"].command, promoted_env,
                                       topology.directory)
    topology.run_parts("app2", "worker")
    topology.wait_ready(f"http://127.0.0.1:{topology.app_ports[1]}")
    serving = time.monotonic() - started
    while time.monotonic() - started < max(LOAD_SECONDS, serving + AFTER_SECONDS):
        time.sleep(0.2)
    stop.set()
    for desk in desks:
        desk.join(timeout=60)

    told = [visit_id for desk in desks for visit_id in desk.stored]
    assert len(told) == len(set(told)), "a desk was told of one visit twice"
    after_failover = sum(1 for desk in desks for at in desk.told_at if at > serving)
    timeline = f"killed {killed:.1f} s, promoted {promoted:.1f} s, serving {serving:.1f} s"
    assert len(told) > 100 and after_failover >= CLIENTS, (after_failover, timeline)
    stored = dict(on_promoted(topology, "SELECT id, count(*) FROM visits_visit WHERE id = ANY(%s) GROUP BY id",
                              [told]))
    missing = set(told) - set(stored)
    assert not missing, f"{len(missing)} visits the desks were told of are not on the promoted server"
    all_visits = on_promoted(topology, "SELECT count(*) FROM visits_visit")[0][0]
    assert all_visits == before_visits + len(told), "a visit is stored that no desk was told of"
    errors = sorted(at for desk in desks for at, _status in desk.errors)
    outside = [round(at, 1) for at in errors if not killed <= at <= serving + HEALTH_INTERVAL]
    assert not outside, f"errors outside the failover window: {outside[:30]}"

    # The worker on the promoted server folds what the desks recorded (before and after the failover).
    deadline = time.monotonic() + 90
    while on_promoted(topology, "SELECT count(*) FROM stats_pendingchange")[0][0]:
        assert time.monotonic() < deadline, "the worker did not catch up: " + topology.parts["worker"].log()
        time.sleep(0.5)
    assert summary_visits(topology, tokens["admin"]) == before_summary + len(told)
    elapsed = time.monotonic() - started
    print(f"\npromotion: {len(told)} visits told and stored by {CLIENTS} desks in {elapsed:.0f} s; primary killed "
          f"at {killed:.1f} s, standby promoted at {promoted:.1f} s, an instance serving on it at {serving:.1f} s; "
          f"{len(errors)} failed attempts, the last at {errors[-1] if errors else 0:.1f} s; "
          f"{after_failover} visits stored after it")
