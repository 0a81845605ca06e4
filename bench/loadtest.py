"""`make loadtest`: a bounded load test of the desk through a production server on loopback.

LOAD_CLIENTS desks (default 100) work at once for LOAD_SECONDS (default 60) against the production server
(operations/serve.py) with production settings on PostgreSQL. Each desk is a staff user of its own at a venue,
and does what a desk does, as fast as the server answers: check a card, record the visit with an
Idempotency-Key, now and then send the same registration again (a double tap, a retry after a lost answer), and
now and then meet an expired or closed card, whose refusal (422) is the right answer, not an error. Afterwards
the database is asked: every visit the server answered 201 for is stored, exactly once, with its audit row, and
nothing else was stored. Any 5xx, connection error or unexpected status, any error in the server's log, or any
difference in the count exits non-zero.

Each desk sends its own X-Forwarded-For address and the server trusts one proxy, as desks at many venues
reach the production server through its reverse proxy: per-address limits then see a hundred desks, not
one loopback address. The per-user and per-address limit on card checks (`cards/guessing.py`, 120 a
minute per user) is raised for the run: each simulated desk works at machine speed, many times a person's
pace, and would otherwise measure that limit instead of the server. The limit on unknown numbers stays.

Environment:
  LOAD_CLIENTS        concurrent desks (default 100)
  LOAD_SECONDS        length of the run (default 60)
  LOAD_WORKERS        server worker processes (default one a core, as `make bench`)
  LOAD_SCALE          CARDS:VISITS already in the database (default 20000:200000); generated when missing
  LOAD_DATABASE_URL   PostgreSQL database of its own (default postgres://postgres@127.0.0.1:5432/kaikukanta_load)
Results are printed and written to var/bench/load-<timestamp>.json.
"""

import datetime
import http.client
import json
import os
import platform
import random
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from bench.run import HOST, ROOT, count, ensure_data, manage, start_server, stop_server
from kaikukanta.operations import serve

PORT = int(os.environ.get("LOAD_PORT", "8766"))
KINDS = ("check", "record", "replay", "refused")
# Shares of a desk's iterations: most cards are valid; some are refused; a valid registration is
# sometimes sent twice with the same key.
REFUSED_SHARE, REPLAY_SHARE = 0.1, 0.15
SERVER_ENV = {"KAIKUKANTA_TRUSTED_PROXIES": "1",
              "KAIKUKANTA_CARD_GUESSING": json.dumps({"checks_per_user": 1_000_000, "checks_per_address": 1_000_000})}


def database_url() -> str:
    return os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kaikukanta_load")


PREPARE = """
import json
from django.db.models import Q
from kaikukanta.accounts.models import Role, User
from kaikukanta.cards.models import Card
from kaikukanta.core.clock import today
from kaikukanta.testing import make_token, make_user
from kaikukanta.network.models import Offering, Organisation
desks = {desks}
day = today()
venues = list(Organisation.objects.filter(kind="venue", active=True, active_from__lte=day).order_by("id")[:desks])
result = {{"desks": [], "valid": [], "refused": []}}
for index in range(desks):
    venue = venues[index % len(venues)]
    user = User.objects.filter(username=f"load-desk-{{index}}").first() \\
        or make_user(f"load-desk-{{index}}", Role.VENUE, organisation=venue)
    user.organisation = venue
    user.save()
    offering = Offering.objects.filter(venue=venue, name="Kuormitustesti").first() \\
        or Offering.objects.create(venue=venue, name="Kuormitustesti", kind="event")
    result["desks"].append({{"token": make_token(user), "offering_id": offering.id}})
open_cards = Card.objects.filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
result["valid"] = list(open_cards.filter(issued_on__lte=day, valid_until__gte=day)
                       .order_by("?").values_list("number", flat=True)[:5000])
expired = list(open_cards.filter(valid_until__lt=day).order_by("?").values_list("number", flat=True)[:500])
closed = list(Card.objects.filter(closed_on__lte=day, valid_until__gte=day)
              .order_by("?").values_list("number", flat=True)[:500])
result["refused"] = [[number, "card_expired"] for number in expired] + [[number, "card_closed"] for number in closed]
print(json.dumps(result))
"""


@dataclass
class Tally:
    """What the desks saw. `recorded` maps each key answered 201 to the visit id in the answer."""

    latencies_ms: dict = field(default_factory=lambda: {kind: [] for kind in KINDS})
    statuses: dict = field(default_factory=dict)
    recorded: dict = field(default_factory=dict)
    replays: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0

    def add(self, other: "Tally") -> None:
        for kind in KINDS:
            self.latencies_ms[kind].extend(other.latencies_ms[kind])
        for key, number in other.statuses.items():
            self.statuses[key] = self.statuses.get(key, 0) + number
        self.recorded.update(other.recorded)
        self.replays += other.replays
        self.error_count += other.error_count
        self.errors.extend(other.errors[: max(0, 20 - len(self.errors))])

    def error(self, what: str) -> None:
        self.error_count += 1
        if len(self.errors) < 20:
            self.errors.append(what)


class Desk:
    """One desk: its own token and keep-alive connection (reopened after the server closes it)."""

    def __init__(self, host: str, port: int, token: str, offering_id: int | None, tally: Tally, address: str):
        self.host, self.port, self.token, self.offering_id, self.tally = host, port, token, offering_id, tally
        self.address = address
        self.connection = http.client.HTTPConnection(host, port, timeout=30)

    def call(self, kind: str, method: str, path: str, body=None, key: str | None = None):
        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": "fi", "X-Forwarded-For": self.address}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if key is not None:
            headers["Idempotency-Key"] = key
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=json.dumps(body) if body is not None else None,
                                    headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.tally.error(f"{kind} {method} {path}: {type(error).__name__}: {error}")
            self.connection.close()
            self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
            return None, None
        self.tally.latencies_ms[kind].append((time.perf_counter() - started) * 1000)
        label = f"{kind} {response.status}"
        self.tally.statuses[label] = self.tally.statuses.get(label, 0) + 1
        try:
            return response.status, json.loads(payload) if payload else None
        except ValueError:
            return response.status, payload[:200]

    def expect(self, kind: str, got, status: int, check=lambda body: True) -> dict | None:
        answer, body = got
        if answer is None:
            return None
        if answer != status or not isinstance(body, dict) or not check(body):
            self.tally.error(f"{kind}: expected {status}, got {answer} {str(body)[:200]}")
            return None
        return body

    def serve_one(self, rng: random.Random, valid: list[str], refused: list, run_id: str) -> None:
        if refused and rng.random() < REFUSED_SHARE:
            number, code = rng.choice(refused)
            status = "expired" if code == "card_expired" else "closed"
            self.expect("check", self.call("check", "GET", f"/api/v1/cards/{number}"), 200,
                        lambda body: body.get("status") == status)
            self.expect("refused", self.call("refused", "POST", "/api/v1/visits", self.visit(number),
                                             f"{run_id}-{uuid.uuid4()}"), 422,
                        lambda body: body.get("error", {}).get("code") == code)
            return
        number = rng.choice(valid)
        self.expect("check", self.call("check", "GET", f"/api/v1/cards/{number}"), 200,
                    lambda body: body.get("status") == "valid")
        key = f"{run_id}-{uuid.uuid4()}"
        first = self.expect("record", self.call("record", "POST", "/api/v1/visits", self.visit(number), key), 201,
                            lambda body: body.get("card_number") == number and isinstance(body.get("id"), int))
        if first is None:
            return
        self.tally.recorded[key] = first["id"]
        if rng.random() < REPLAY_SHARE:
            # Whatever the retry's body says, the first answer comes back and nothing new is stored.
            self.tally.replays += 1
            self.expect("replay", self.call("replay", "POST", "/api/v1/visits", self.visit(rng.choice(valid)), key),
                        200, lambda body: body == first)

    def visit(self, number: str) -> dict:
        body = {"card_number": number}
        if self.offering_id is not None:
            body["offering_id"] = self.offering_id
        return body


def run_desks(host: str, port: int, desks: list[dict], valid: list[str], refused: list, *, seconds: float,
              run_id: str, seed: int = 5) -> tuple[Tally, float]:
    """Every desk in its own thread until the time is up; returns what they saw and the elapsed time."""
    total = Tally()
    lock = threading.Lock()
    start = threading.Barrier(len(desks) + 1)
    deadline = [0.0]

    def work(index: int, setup: dict) -> None:
        tally = Tally()
        address = f"10.0.{index // 250}.{index % 250 + 1}"
        desk = Desk(host, port, setup["token"], setup.get("offering_id"), tally, address)
        rng = random.Random(seed * 1000 + index)
        start.wait()
        try:
            while time.perf_counter() < deadline[0]:
                desk.serve_one(rng, valid, refused, run_id)
        except Exception as error:  # noqa: BLE001 - a crashed desk is an error of the run, not a lost thread
            tally.error(f"desk {index} crashed: {type(error).__name__}: {error}")
        finally:
            desk.connection.close()
            with lock:
                total.add(tally)

    threads = [threading.Thread(target=work, args=(index, setup)) for index, setup in enumerate(desks)]
    for thread in threads:
        thread.start()
    deadline[0] = time.perf_counter() + seconds
    started = time.perf_counter()
    start.wait()
    for thread in threads:
        thread.join()
    return total, time.perf_counter() - started


STORED_SQL = "SELECT idempotency_key, id FROM visits_visit WHERE idempotency_key LIKE %s"
AUDITED_SQL = ("SELECT count(*) FROM core_auditrecord a JOIN visits_visit v ON a.object_id = CAST(v.id AS varchar(40)) "
               "WHERE a.object_type = 'visit' AND a.action = 'visit.recorded' AND v.idempotency_key LIKE %s")


def verify(tally: Tally, run_id: str, query) -> list[str]:
    """What the database holds against what the desks were told; `query(sql, params)` returns rows.
    Returns the differences (none when every 201 is stored exactly once with one audit row)."""
    pattern = f"{run_id}-%"
    stored = {key: visit_id for key, visit_id in query(STORED_SQL, [pattern])}
    problems = []
    if len(stored) != len(tally.recorded):
        problems.append(f"{len(stored)} visits stored for {len(tally.recorded)} answers 201")
    wrong = [key for key, visit_id in tally.recorded.items() if stored.get(key) != visit_id]
    if wrong:
        problems.append(f"{len(wrong)} visits answered 201 are missing or stored under another id, e.g. {wrong[0]}")
    extra = set(stored) - set(tally.recorded)
    if extra:
        problems.append(f"{len(extra)} visits stored that no desk was told of, e.g. {sorted(extra)[0]}")
    audited = query(AUDITED_SQL, [pattern])[0][0]
    if audited != len(stored):
        problems.append(f"{audited} audit rows for {len(stored)} stored visits")
    return problems


def percentile(ordered: list[float], p: float) -> float | None:
    if not ordered:
        return None
    return round(ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))], 1)


def figures(tally: Tally, elapsed: float) -> dict:
    kinds = {}
    for kind in KINDS:
        ordered = sorted(tally.latencies_ms[kind])
        kinds[kind] = {"requests": len(ordered), "per_second": round(len(ordered) / elapsed, 1),
                       "p50_ms": percentile(ordered, 50), "p95_ms": percentile(ordered, 95),
                       "p99_ms": percentile(ordered, 99)}
    requests = sum(len(values) for values in tally.latencies_ms.values())
    return {"requests": requests, "requests_per_second": round(requests / elapsed, 1),
            "visits_recorded": len(tally.recorded), "replays": tally.replays, "kinds": kinds,
            "statuses": dict(sorted(tally.statuses.items())), "errors": tally.error_count,
            "error_samples": tally.errors}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "postgresql": count("SHOW server_version", database_url()), "load_average_after": os.getloadavg()[0]}


def main() -> int:
    clients = int(os.environ.get("LOAD_CLIENTS", "100"))
    seconds = float(os.environ.get("LOAD_SECONDS", "60"))
    workers = int(os.environ.get("LOAD_WORKERS", str(serve.default_workers())))
    cards, visits = (int(part) for part in os.environ.get("LOAD_SCALE", "20000:200000").split(":"))
    url = database_url()
    print(f"loadtest: {clients} desks for {seconds:g} s, {workers} server workers, {url.rsplit('/', 1)[1]}",
          flush=True)
    data = ensure_data(cards, visits, url=url)
    setup = json.loads(manage("shell", "-c", PREPARE.format(desks=clients), capture=True, url=url)
                       .stdout.strip().splitlines()[-1])
    if not setup["valid"] or not setup["refused"]:
        print("loadtest: the database has no valid or no expired/closed cards to use", file=sys.stderr)
        return 2
    run_id = f"load-{uuid.uuid4().hex[:12]}"
    load_before = os.getloadavg()[0]
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    stamp = f"{datetime.datetime.now():%Y%m%d-%H%M%S}"
    server_log = out_dir / f"load-{stamp}-server.log"
    with server_log.open("w") as log:
        server = start_server(workers, url=url, port=PORT, env_extra=SERVER_ENV, log=log)
        try:
            tally, elapsed = run_desks(HOST, PORT, setup["desks"], setup["valid"], setup["refused"],
                                       seconds=seconds, run_id=run_id)
        finally:
            stop_server(server)
    # Refusals (4xx) are logged as warnings by Django; errors and tracebacks are what must not be there.
    server_errors = [line for line in server_log.read_text().splitlines()
                     if "Traceback" in line or "Internal Server Error" in line or "[ERROR]" in line
                     or "[CRITICAL]" in line]
    for line in server_errors[:20 - len(tally.errors)]:
        tally.errors.append(f"server log: {line}")
    tally.error_count += len(server_errors)
    with psycopg.connect(url.replace("postgres://", "postgresql://")) as connection:
        problems = verify(tally, run_id, lambda sql, params: connection.execute(sql, params).fetchall())
        stored_total = connection.execute("SELECT count(*) FROM visits_visit").fetchone()[0]
    report = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "machine": machine(),
              "load_average_before": load_before,
              "clients": clients, "seconds": round(elapsed, 1), "workers": workers,
              "data": {**data, "visits_after": stored_total}, "run_id": run_id,
              **figures(tally, elapsed), "count_problems": problems}
    out_file = out_dir / f"load-{stamp}.json"
    out_file.write_text(json.dumps(report, indent=2))
    print_report(report)
    print(f"written to {out_file.relative_to(ROOT)}")
    return 1 if report["errors"] or problems else 0


def print_report(report: dict) -> None:
    machine_ = report["machine"]
    print()
    print(f"machine: {machine_['nproc']} × {machine_['cpu']}, Python {machine_['python']}, "
          f"PostgreSQL {machine_['postgresql']}; {report['workers']} server workers × "
          f"{serve.default_threads()} threads, DJANGO_DEBUG=0")
    # Driver, server and database share the machine; other work on it moves every figure.
    print(f"load average: {report['load_average_before']:.1f} before the run, "
          f"{machine_['load_average_after']:.1f} after")
    print(f"data: {report['data']['cards']:,} cards, {report['data']['visits']:,} visits before the run, "
          f"{report['data']['visits_after']:,} after")
    print(f"{report['clients']} desks for {report['seconds']} s: {report['requests']:,} requests, "
          f"{report['requests_per_second']} req/s")
    print(f"{'kind':10} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    for kind, row in report["kinds"].items():
        print(f"{kind:10} {row['requests']:>9,} {row['per_second']:>8} {row['p50_ms']!s:>8} {row['p95_ms']!s:>8} "
              f"{row['p99_ms']!s:>8}")
    print(f"statuses: {report['statuses']}")
    print(f"visits answered 201: {report['visits_recorded']:,}; replays answered with the first visit: "
          f"{report['replays']:,}")
    print(f"errors: {report['errors']}")
    for sample in report["error_samples"]:
        print(f"  {sample}")
    if report["count_problems"]:
        print("stored visits do NOT match the answers:")
        for problem in report["count_problems"]:
            print(f"  {problem}")
    else:
        print("stored visits match the answers exactly (each 201 stored once, with one audit row; replays "
              "stored nothing)")


if __name__ == "__main__":
    sys.exit(main())
