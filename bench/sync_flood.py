"""The sync flood: many desk devices come back online at once, each with visits queued offline.

DEVICES enrolled devices (spread over the database's venues, each acting for a venue user of its own) each
hold VISITS queued visits of valid cards and send them as the offline desk does: `POST /api/v1/offline/visits`
in batches, oldest first, keeping a `retry` outcome (and any 5xx or broken connection) queued and sending it
again with backoff, and a `429` (the sync's admission control) after its `Retry-After`. Every device also
sends its first batch once more at the end, as a device whose answer was lost would. Meanwhile one online
desk checks cards (`GET /cards/{number}`) to show what the others feel.

Measured: the time from the first send to the last device drained, the sync requests' latency (p50/p95/p99)
and the online desk's, the outcomes; then checked against the database: every queued key is stored once or
kept as one conflict (0 lost), no key stored twice or both stored and kept (0 duplicated). The run fails
otherwise.

Run alone (`make bench-flood`: production settings, the production server, PostgreSQL) or as the last phase of
`make bench`.

Environment:
  BENCH_FLOOD               DEVICESxVISITS (default 200x50)
  BENCH_FLOOD_BATCH         visits per sync request (default 25; at most 100)
  BENCH_FLOOD_DATABASE_URL  database of the standalone run (default postgres://postgres@127.0.0.1:5432/kk_flood_bench),
                            generated at BENCH_SCALE (default small) when it holds less
  BENCH_WORKERS             server workers of the standalone run (default one a core, operations/serve.py)
Results are printed and, standalone, written to var/bench/flood-<timestamp>.json.
"""

import datetime
import http.client
import json
import os
import random
import statistics
import threading
import time
import uuid
from pathlib import Path

import psycopg

from kaikukanta.operations import serve

HOST = "127.0.0.1"
MAX_BACKOFF_SECONDS = 5.0

SETUP = """
import json, random
from django.db.models import Q
from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role, User
from kaikukanta.cards.models import Card
from kaikukanta.core.clock import today
from kaikukanta.devices import services
from kaikukanta.network.models import Offering, Organisation
from kaikukanta.testing import make_token, make_user
DEVICES, VISITS = {devices}, {visits}
day = today()
numbers_by_area = {{}}
for venue in Organisation.objects.filter(kind="venue", active=True).order_by("id")[:200]:
    if venue.area_id not in numbers_by_area:
        numbers_by_area[venue.area_id] = list(
            Card.objects.filter(issued_on__lte=day, valid_until__gte=day, issuer__area_id=venue.area_id)
            .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day)).order_by("?")
            .values_list("number", flat=True)[:2000])
# Venues of areas with valid cards of their own (an area may admit only its own), at most 50.
venues = [venue for venue in Organisation.objects.filter(kind="venue", active=True).order_by("id")[:200]
          if numbers_by_area.get(venue.area_id)][:50]
rng = random.Random(7)
plan = []
for index in range(DEVICES):
    venue = venues[index % len(venues)]
    username = f"bench-flood-{{venue.pk}}"
    user = User.objects.filter(username=username).first() or make_user(username, Role.VENUE, organisation=venue)
    offering = (Offering.objects.filter(venue=venue, name="Flood benchmark").first()
                or Offering.objects.create(venue=venue, name="Flood benchmark", kind="event"))
    caller = Caller.for_console(user)
    _, code = services.issue_enrolment_code(caller, venue.pk)
    device, secret = services.enrol(caller, code=code, name=f"Flood {{index + 1}}")
    plan.append({{"credential": secret, "venue_id": venue.pk, "offering_id": offering.pk,
                 "numbers": rng.choices(numbers_by_area[venue.area_id], k=VISITS)}})
desk = User.objects.filter(username="bench-flood-desk").first() or make_user(
    "bench-flood-desk", Role.VENUE, organisation=venues[0])
print(json.dumps({{"devices": plan, "desk_token": make_token(desk),
                  "desk_numbers": numbers_by_area[venues[0].area_id][:200]}}))
"""


def sizes() -> tuple[int, int]:
    devices, visits = os.environ.get("BENCH_FLOOD", "200x50").lower().split("x")
    return int(devices), int(visits)


def prepare(manage, devices: int, visits: int, url=None) -> dict:
    output = manage("shell", "-c", SETUP.format(devices=devices, visits=visits), capture=True, url=url).stdout
    return json.loads(output.strip().splitlines()[-1])


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies_ms: list[float] = []
        self.statuses: dict[int, int] = {}
        self.transport_errors = 0
        self.outcomes: dict[str, int] = {}
        self.stored: dict[str, int] = {}      # key → visit id the server answered
        self.conflicts: dict[str, int] = {}   # key → conflict id
        self.replay_mismatches = 0

    def percentile(self, values: list[float], p: float) -> float | None:
        if not values:
            return None
        ordered = sorted(values)
        return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 1)


def _send(connection, credential: str, body: dict):
    connection.request("POST", "/api/v1/offline/visits", body=json.dumps(body),
                       headers={"Authorization": f"Bearer {credential}", "Content-Type": "application/json",
                                "Accept-Language": "fi"})
    response = connection.getresponse()
    return response.status, response.read(), response.getheader("Retry-After")


def _device(port: int, device: dict, queue: list[dict], batch: int, start: threading.Event, stats: Stats,
            finished: list[float]) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    first_batch = queue[:batch]
    failures = 0
    start.wait()

    def sync(visits: list[dict], pending: int):
        nonlocal connection
        body = {"visits": visits, "pending": pending}
        began = time.perf_counter()
        try:
            status, payload, retry_after = _send(connection, device["credential"], body)
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
            with stats.lock:
                stats.transport_errors += 1
            return None
        elapsed = (time.perf_counter() - began) * 1000
        with stats.lock:
            stats.latencies_ms.append(elapsed)
            stats.statuses[status] = stats.statuses.get(status, 0) + 1
        if status == 429 and retry_after:
            # The server judges other devices' syncs: come back when it says (as the offline desk does).
            return float(retry_after)
        return json.loads(payload)["results"] if status == 200 else None

    while queue:
        sending = queue[:batch]
        results = sync(sending, pending=len(queue) - len(sending))
        if isinstance(results, float):
            time.sleep(results * random.uniform(0.9, 1.1))
            continue
        if results is None:
            failures += 1
            time.sleep(min(MAX_BACKOFF_SECONDS, 0.1 * 2 ** failures))
            continue
        failures = 0
        answered = {result["key"]: result for result in results}
        kept = []
        with stats.lock:
            for visit in sending:
                result = answered[visit["key"]]
                stats.outcomes[result["outcome"]] = stats.outcomes.get(result["outcome"], 0) + 1
                if result["outcome"] == "stored":
                    stats.stored[visit["key"]] = result["visit_id"]
                elif result["outcome"] == "conflict":
                    stats.conflicts[visit["key"]] = result["conflict_id"]
                else:
                    kept.append(visit)
        queue[:len(sending)] = kept
        if kept:
            time.sleep(0.2)
    finished.append(time.perf_counter())
    # A device whose answer was lost sends its batch again: the same outcome, nothing stored twice.
    while not isinstance(results := sync(first_batch, pending=0), list):
        time.sleep(results if isinstance(results, float) else 0.2)
    with stats.lock:
        for result in results:
            earlier = stats.stored.get(result["key"]) or stats.conflicts.get(result["key"])
            if earlier != (result["visit_id"] or result["conflict_id"]):
                stats.replay_mismatches += 1
    connection.close()


def _desk(port: int, token: str, numbers: list[str], stop: threading.Event, latencies: list[float]) -> None:
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    index = 0
    while not stop.is_set():
        began = time.perf_counter()
        try:
            connection.request("GET", f"/api/v1/cards/{numbers[index % len(numbers)]}",
                               headers={"Authorization": f"Bearer {token}"})
            connection.getresponse().read()
            latencies.append((time.perf_counter() - began) * 1000)
        except (OSError, http.client.HTTPException):
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
        index += 1
        time.sleep(0.05)
    connection.close()


def _queue(run: str, number: int, device: dict) -> list[dict]:
    day = datetime.date.today().isoformat()
    now = datetime.datetime.now(datetime.UTC).isoformat()
    return [{"key": f"flood-{run}-{number}-{index}", "card_number": card_number, "used_on": day,
             "recorded_at": now, "offering_id": device["offering_id"]}
            for index, card_number in enumerate(device["numbers"])]


def verify(url: str, run: str, total: int) -> dict:
    """What the database holds of this run's keys: each stored once or kept once as a conflict."""
    pattern = f"flood-{run}-%"
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
        visits, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM visits_visit WHERE idempotency_key LIKE %s",
            (pattern,)).fetchone()
        conflicts, conflict_keys = connection.execute(
            "SELECT count(*), count(DISTINCT idempotency_key) FROM devices_conflict WHERE idempotency_key LIKE %s",
            (pattern,)).fetchone()
        both = connection.execute(
            "SELECT count(*) FROM devices_conflict c JOIN visits_visit v ON v.idempotency_key = c.idempotency_key "
            "WHERE c.idempotency_key LIKE %s", (pattern,)).fetchone()[0]
    return {"queued": total, "stored": visits, "conflicts": conflicts,
            "lost": total - distinct - conflict_keys + both,
            "duplicated": (visits - distinct) + (conflicts - conflict_keys) + both}


def run_flood(manage, port: int, url: str, devices: int | None = None, visits: int | None = None) -> dict:
    """Enrol the devices (on `url`'s database, through `manage`), flood the server listening on `port`."""
    if devices is None or visits is None:
        devices, visits = sizes()
    batch = min(100, int(os.environ.get("BENCH_FLOOD_BATCH", "25")))
    setup = prepare(manage, devices, visits, url=url)
    run = uuid.uuid4().hex[:10]
    queues = [_queue(run, number, device) for number, device in enumerate(setup["devices"])]
    total = sum(len(queue) for queue in queues)
    stats, start, stop, finished, desk_latencies = Stats(), threading.Event(), threading.Event(), [], []
    threads = [threading.Thread(target=_device, args=(port, device, queue, batch, start, stats, finished))
               for device, queue in zip(setup["devices"], queues, strict=True)]
    desk = threading.Thread(target=_desk, args=(port, setup["desk_token"], setup["desk_numbers"], stop,
                                                desk_latencies))
    for thread in threads:
        thread.start()
    desk.start()
    began = time.perf_counter()
    start.set()
    for thread in threads:
        thread.join()
    stop.set()
    desk.join()
    drained = (max(finished) - began) if finished else None
    checked = verify(url, run, total)
    sync_latencies = stats.latencies_ms
    result = {
        "name": "sync flood POST /offline/visits", "devices": devices, "visits_per_device": visits,
        "batch": batch, "visits": total, "drain_seconds": round(drained, 2) if drained else None,
        "visits_per_second": round(total / drained, 1) if drained else None,
        "requests": len(sync_latencies),
        "p50_ms": stats.percentile(sync_latencies, 50), "p95_ms": stats.percentile(sync_latencies, 95),
        "p99_ms": stats.percentile(sync_latencies, 99), "max_ms": round(max(sync_latencies), 1) if sync_latencies
        else None, "mean_ms": round(statistics.fmean(sync_latencies), 1) if sync_latencies else None,
        "statuses": {str(key): value for key, value in sorted(stats.statuses.items())},
        "transport_errors": stats.transport_errors, "outcomes": stats.outcomes,
        "replay_mismatches": stats.replay_mismatches,
        "desk_check_during_flood": {"requests": len(desk_latencies),
                                    "p50_ms": stats.percentile(desk_latencies, 50),
                                    "p95_ms": stats.percentile(desk_latencies, 95)},
        "database": checked,
    }
    answered = len(stats.stored) + len(stats.conflicts)
    result["failures"] = [problem for problem, bad in (
        ("lost visits", checked["lost"] != 0), ("duplicated visits", checked["duplicated"] != 0),
        ("answers disagree with the database", answered != total or len(stats.stored) != checked["stored"]),
        ("a resent batch was answered differently", stats.replay_mismatches != 0)) if bad]
    return result


def print_flood(result: dict) -> None:
    print(f"sync flood: {result['devices']} devices × {result['visits_per_device']} visits "
          f"(batches of {result['batch']}): drained in {result['drain_seconds']} s "
          f"({result['visits_per_second']} visits/s); sync p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms, "
          f"p99 {result['p99_ms']} ms over {result['requests']} requests {result['statuses']}; online desk check "
          f"p95 {result['desk_check_during_flood']['p95_ms']} ms meanwhile; database: {result['database']}",
          flush=True)


def main() -> None:
    from bench import run as bench

    url = os.environ.get("BENCH_FLOOD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kk_flood_bench")
    os.environ["BENCH_DATABASE_URL"] = url
    workers = int(os.environ.get("BENCH_WORKERS", str(serve.default_workers())))
    data = bench.ensure_data(*bench.scale(), url=url)
    print(f"bench: data {data}", flush=True)
    server = bench.start_server(workers, url=url)
    try:
        result = run_flood(bench.manage, bench.PORT, url)
        memory = bench.peak_rss_mb(server)
    finally:
        bench.stop_server(server)
    print_flood(result)
    report = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "machine": bench.machine(),
              "data": data, "workers": workers, "flood": result, "peak_rss_mb": memory}
    out_dir = bench.ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    out_file = out_dir / f"flood-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out_file.write_text(json.dumps(report, indent=2))
    print(f"written to {Path(out_file).relative_to(bench.ROOT)}")
    if result["failures"]:
        raise SystemExit(f"bench: sync flood failed: {', '.join(result['failures'])}")


if __name__ == "__main__":
    main()
