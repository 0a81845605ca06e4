"""Failover with the whole system as separate processes (topology.py), under a steady desk load of 50 clients:
one app instance is killed (the proxy routes around it), the worker and the broker are restarted (the fold
catches up), the standby is stopped (statistics fall back to the primary). Every visit a desk was told was
stored is stored exactly once, and the statistics equal the count of stored visits once the worker caught up."""

import http.client
import json
import re
import threading
import time
import uuid

import pytest

from kaikukanta.core.tests.private_postgres import manage

from .topology import Topology

pytestmark = pytest.mark.postgres
CLIENTS = 50
LOAD_SECONDS = 24
EVENTS = {"kill app1": 5, "restart worker and broker": 10, "stop standby": 15}
HEALTH_INTERVAL = 5.0  # inter 500ms × fall 2, with slack for a machine whose two cores run everything


@pytest.fixture
def topology():
    system = Topology({"KAIKUKANTA_CARD_GUESSING": json.dumps({"checks_per_user": 10**6, "checks_per_address": 10**6})})
    try:
        system.start()
        yield system
    finally:
        system.remove()


class Desk(threading.Thread):
    def __init__(self, port: int, token: str, numbers: list[str], stop: threading.Event, started: float):
        super().__init__(daemon=True)
        self.port, self.token, self.numbers, self.stop_event, self.started = port, token, numbers, stop, started
        self.stored: list[int] = []
        self.errors: list[tuple[float, object]] = []   # (seconds since the load started, status), per failed attempt
        self.refused = 0

    def post(self, body: dict, key: str) -> tuple[int, dict | None]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            connection.request("POST", "/api/v1/visits", json.dumps(body), {
                "Authorization": f"Bearer {self.token}", "Content-Type": "application/json", "Idempotency-Key": key})
            response = connection.getresponse()
            content = response.read()
            return response.status, json.loads(content) if content.startswith(b"{") else None
        finally:
            connection.close()

    def run(self):
        index = 0
        while not self.stop_event.is_set():
            number = self.numbers[index % len(self.numbers)]
            index += 1
            key = uuid.uuid4().hex
            while True:   # a desk retries with the same key until it gets an answer
                try:
                    status, body = self.post({"card_number": number}, key)
                except OSError:
                    status, body = None, None
                # 201, or 200: a replay of this key, whose first attempt was stored though its answer was lost
                # (a timeout on a busy machine); the body is that first visit.
                if status in (200, 201):
                    self.stored.append(body["id"])
                    break
                if status in (409, 422, 429):
                    self.refused += 1
                    break
                self.errors.append((time.monotonic() - self.started, status))
                time.sleep(0.2)


def wait_for_fold(topology, standby: bool = True) -> None:
    deadline = time.monotonic() + 90
    while topology.database.primary.query("SELECT count(*) FROM stats_pendingchange")[0][0]:
        assert time.monotonic() < deadline, "the worker did not catch up: " + topology.parts["worker"].log()
        time.sleep(0.5)
    if standby:
        while not topology.database.caught_up():
            assert time.monotonic() < deadline, "the standby did not catch up"
            time.sleep(0.2)


def summary_visits(topology, token: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", topology.proxy_port, timeout=30)
    connection.request("GET", "/api/v1/stats/summary", headers={"Authorization": f"Bearer {token}"})
    response = connection.getresponse()
    assert response.status == 200
    return json.loads(response.read())["visits"]


def test_the_system_survives_losing_an_app_host_the_worker_the_broker_and_the_standby(topology):
    url = topology.database.primary.url
    manage(url, "migrate", "--noinput")
    demo = manage(url, "generate_demo", "--cards", "2000", "--visits", "2000", "--areas", "2")
    tokens = dict(re.findall(r"^\s+(admin|venue)\s+\S+\s+(\S+)\s", demo, re.MULTILINE))
    numbers = [row[0] for row in topology.database.primary.query(
        "SELECT number FROM cards_card WHERE closed_on IS NULL AND valid_until > current_date + 2 "
        "AND issued_on <= current_date ORDER BY id")]
    topology.run_parts("redis", "app1", "app2", "worker", "beat", "proxy")
    for port in topology.app_ports:
        topology.wait_ready(f"http://127.0.0.1:{port}")
    topology.wait_ready(topology.base)
    wait_for_fold(topology)
    before = summary_visits(topology, tokens["admin"])

    stop, started = threading.Event(), time.monotonic()
    share = len(numbers) // CLIENTS
    desks = [Desk(topology.proxy_port, tokens["venue"], numbers[i * share:(i + 1) * share], stop, started)
             for i in range(CLIENTS)]
    for desk in desks:
        desk.start()
    done = set()
    while time.monotonic() - started < LOAD_SECONDS:
        elapsed = time.monotonic() - started
        for event, at in EVENTS.items():
            if elapsed >= at and event not in done:
                done.add(event)
                if event == "kill app1":
                    topology.parts["app1"].kill()
                elif event == "restart worker and broker":
                    topology.parts["worker"].kill()
                    topology.parts["redis"].kill()
                    topology.parts["redis"].start()
                    topology.parts["worker"].start()
                else:
                    topology.database.standby.stop("immediate")
        time.sleep(0.1)
    stop.set()
    for desk in desks:
        desk.join(timeout=60)

    told = [visit_id for desk in desks for visit_id in desk.stored]
    assert len(told) > 200, "the desks kept working"
    stored = dict(topology.database.primary.query(
        "SELECT id, count(*) FROM visits_visit WHERE id = ANY(%s) GROUP BY id", [told]))
    assert len(told) == len(set(told)) and set(stored) == set(told), "a visit a desk was told of is missing"
    errors = sorted(error for desk in desks for error in desk.errors)
    kill, restart = EVENTS["kill app1"], EVENTS["restart worker and broker"]
    outside = [(round(at, 1), status) for at, status in errors
               if not (kill <= at <= kill + HEALTH_INTERVAL or restart <= at <= restart + HEALTH_INTERVAL)]
    assert not outside, f"errors outside the failover windows: {len(outside)}, {sorted(set(outside))[:30]}"

    # The fold catches up after the worker and broker restart; statistics now read the primary.
    wait_for_fold(topology, standby=False)
    stored_now = topology.database.primary.query("SELECT count(*) FROM visits_visit WHERE cancelled_at IS NULL")[0][0]
    assert summary_visits(topology, tokens["admin"]) == before + len(told)
    print(f"\ntopology: {len(told)} visits stored by {CLIENTS} desks in {LOAD_SECONDS} s, {len(errors)} failed "
          f"attempts (all within the failover windows), {stored_now} visits in all")
