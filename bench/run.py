"""`make bench`: the desk's hot path over HTTP against a production server, beside pgbench doing the same
registration as raw SQL.

Environment:
  BENCH_SCALE         small (20,000 cards / 200,000 visits, default), full (1,000,000 / 10,000,000)
                      or CARDS:VISITS
  BENCH_DATABASE_URL  PostgreSQL database to use (default postgres://postgres@127.0.0.1:5432/kaikukanta_bench);
                      it is (re)generated when it does not hold the requested scale
  BENCH_SECONDS       length of each measured phase (default 60)
  BENCH_CLIENTS       concurrent clients (default 16)
  BENCH_WORKERS       gunicorn worker processes (default 2 × cores: measured best on 2 cores, see README)
Results are printed and written to var/bench/desk-<timestamp>.json.
"""

import datetime
import json
import os
import platform
import re
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

from bench.load import card_check, run_load, visit_registration

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SCALES = {"small": (20_000, 200_000), "full": (1_000_000, 10_000_000)}
HOST, PORT = "127.0.0.1", int(os.environ.get("BENCH_PORT", "8765"))


def scale() -> tuple[int, int]:
    value = os.environ.get("BENCH_SCALE", "small")
    if value in SCALES:
        return SCALES[value]
    cards, visits = value.split(":")
    return int(cards), int(visits)


def database_url() -> str:
    return os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kaikukanta_bench")


def admin_dsn(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base + "/postgres", name


def manage(*args, env_extra=None, capture=False):
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_DEBUG": "1", **(env_extra or {})}
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
                          capture_output=capture)


def count(sql: str) -> int:
    with psycopg.connect(database_url().replace("postgres://", "postgresql://")) as connection:
        return connection.execute(sql).fetchone()[0]


def ensure_data(cards: int, visits: int) -> dict:
    """Reuse the database when it already holds the requested scale; otherwise build it afresh."""
    maintenance, name = admin_dsn(database_url().replace("postgres://", "postgresql://"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput", capture=True)
    have_cards = count("SELECT count(*) FROM cards_card")
    have_visits = count("SELECT count(*) FROM visits_visit")
    if have_cards >= cards and have_visits >= visits:
        return {"generated": False, "cards": have_cards, "visits": have_visits}
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput", capture=True)
    started = time.perf_counter()
    manage("generate_demo", "--cards", str(cards), "--visits", str(visits), "--seed", "7")
    seconds = time.perf_counter() - started
    return {"generated": True, "generate_seconds": round(seconds, 1),
            "cards": count("SELECT count(*) FROM cards_card"), "visits": count("SELECT count(*) FROM visits_visit")}


PREPARE = """
import json, datetime
from django.db.models import Q
from kaikukanta.accounts.models import Role
from kaikukanta.cards.models import Card
from kaikukanta.core.clock import today
from kaikukanta.core.testing import make_token, make_user
from kaikukanta.accounts.models import User
from kaikukanta.network.models import Offering, Organisation
venue = Organisation.objects.filter(kind="venue", active=True).order_by("id").first()
user = User.objects.filter(username="bench-venue").first() or make_user("bench-venue", Role.VENUE, organisation=venue)
user.organisation = venue
user.save()
offering = Offering.objects.filter(venue=venue, ticket_quota__isnull=True).exclude(kind="course").first() \\
    or Offering.objects.create(venue=venue, name="Benchmark", kind="event")
day = today()
numbers = list(Card.objects.filter(issued_on__lte=day, valid_until__gte=day)
               .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=day))
               .order_by("?").values_list("number", flat=True)[:5000])
print(json.dumps({"token": make_token(user), "venue_id": venue.id, "offering_id": offering.id,
                  "numbers": numbers}))
"""


def prepare() -> dict:
    output = manage("shell", "-c", PREPARE, capture=True).stdout
    return json.loads(output.strip().splitlines()[-1])


def start_server(workers: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": database_url(), "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-only-secret",
           "ALLOWED_HOSTS": HOST, "CONN_MAX_AGE": "600"}
    server = subprocess.Popen(
        [str(Path(PYTHON).parent / "gunicorn"), "kaikukanta.wsgi", "--bind", f"{HOST}:{PORT}",
         "--workers", str(workers), "--backlog", "256", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://{HOST}:{PORT}/api/v1/openapi.json", timeout=2)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("gunicorn did not start")


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


PGBENCH_SCRIPT = """\\set r random(1, {n})
BEGIN;
SELECT t.id, u.id, u.organisation_id FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id
  WHERE t.digest = '{digest}' AND t.revoked_at IS NULL;
SELECT c.id, c.card_type, c.issued_on, c.valid_until, c.closed_on, c.children FROM cards_card c
  WHERE c.number = (SELECT number FROM bench_card_numbers WHERE i = :r);
INSERT INTO visits_visit (card_id, venue_id, offering_id, used_on, children, clients, assistants, uses,
  recorded_by_id, recorded_at, idempotency_key)
  SELECT c.id, {venue}, {offering}, current_date, 0, 0, 0, 1, NULL, now(), md5(random()::text)
  FROM cards_card c WHERE c.number = (SELECT number FROM bench_card_numbers WHERE i = :r);
INSERT INTO core_auditrecord (at, actor_id, action, object_type, object_id, details)
  VALUES (now(), NULL, 'record_visit', 'visit', '0', '{{}}');
COMMIT;
"""


def run_pgbench(numbers: list[str], token: str, venue_id: int, offering_id: int, clients: int,
                seconds: int) -> dict:
    import hashlib

    url = database_url().replace("postgres://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE IF EXISTS bench_card_numbers")
        connection.execute("CREATE TABLE bench_card_numbers (i serial PRIMARY KEY, number varchar(10))")
        with connection.cursor().copy("COPY bench_card_numbers (number) FROM STDIN") as copy:
            for number in numbers:
                copy.write_row((number,))
    script = PGBENCH_SCRIPT.format(n=len(numbers), digest=hashlib.sha256(token.encode()).hexdigest(),
                                   venue=venue_id, offering=offering_id)
    with tempfile.TemporaryDirectory() as folder:
        script_path = Path(folder) / "register.sql"
        script_path.write_text(script)
        completed = subprocess.run(
            ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(script_path),
             "-l", "--log-prefix", str(Path(folder) / "log"), url],
            capture_output=True, text=True, check=True, cwd=folder)
        latencies = []
        for log in Path(folder).glob("log*"):
            for line in log.read_text().splitlines():
                parts = line.split()
                if len(parts) >= 3:
                    latencies.append(int(parts[2]) / 1000)
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("DROP TABLE bench_card_numbers")
    tps = float(re.search(r"tps = ([\d.]+)", completed.stdout).group(1))
    latencies.sort()
    return {"name": "pgbench registration (raw SQL)", "clients": clients, "seconds": seconds,
            "throughput_rps": round(tps, 1),
            "p50_ms": round(latencies[len(latencies) // 2], 2) if latencies else None,
            "p95_ms": round(latencies[int(len(latencies) * 0.95)], 2) if latencies else None,
            "mean_ms": round(statistics.fmean(latencies), 2) if latencies else None}


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory_kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
    server_version = count("SELECT current_setting('server_version_num')::int")
    return {"cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(memory_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "postgresql": server_version}


def main() -> None:
    cards, visits = scale()
    seconds = int(os.environ.get("BENCH_SECONDS", "60"))
    clients = int(os.environ.get("BENCH_CLIENTS", "16"))
    workers = int(os.environ.get("BENCH_WORKERS", str(2 * (os.cpu_count() or 1))))
    print(f"bench: scale {cards:,} cards / {visits:,} visits, {clients} clients, {seconds} s per phase", flush=True)
    data = ensure_data(cards, visits)
    print(f"bench: data {data}", flush=True)
    setup = prepare()
    numbers = setup["numbers"]
    results = []
    server = start_server(workers)
    try:
        run_load("warm-up", HOST, PORT, setup["token"], card_check(numbers), clients=clients, seconds=5)
        for name, make in (("card check GET /cards/{number}", card_check(numbers)),
                           ("visit registration POST /visits", visit_registration(numbers, setup["offering_id"]))):
            result = run_load(name, HOST, PORT, setup["token"], make, clients=clients, seconds=seconds)
            results.append(result.summary())
            print(json.dumps(result.summary()), flush=True)
    finally:
        stop_server(server)
    pgbench = run_pgbench(numbers, setup["token"], setup["venue_id"], setup["offering_id"], clients, seconds)
    results.append(pgbench)
    print(json.dumps(pgbench), flush=True)
    api_rate = results[1]["throughput_rps"]
    report = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "data": data,
        "workers": workers, "results": results,
        "registration_api_vs_pgbench": round(api_rate / pgbench["throughput_rps"], 3),
        "driver_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    out_file = out_dir / f"desk-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out_file.write_text(json.dumps(report, indent=2))
    print()
    print(f"{'operation':40} {'req/s':>9} {'p50 ms':>8} {'p95 ms':>8}")
    for row in results:
        print(f"{row['name']:40} {row['throughput_rps']:>9} {row['p50_ms']:>8} {row['p95_ms']:>8}")
    print(f"API registration rate / pgbench rate: {report['registration_api_vs_pgbench']}")
    print(f"written to {out_file.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
