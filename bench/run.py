"""`make bench`: the desk's hot path over HTTP (wrk) against a production server, beside the physical limit
(`../shared/bench/baseline.sh`: pgbench running the least SQL a card check and a registration need) measured in
the same run, with the ratios; the first checks of a fresh server; then every statistics endpoint for the whole
country and all years.

Environment:
  BENCH_SCALE         small (20,000 cards / 200,000 visits, default), full (1,000,000 / 10,000,000)
                      or CARDS:VISITS
  BENCH_DATABASE_URL  PostgreSQL database to use (default postgres://postgres@127.0.0.1:5432/kaikukanta_bench);
                      it is (re)generated when it does not hold the requested scale
  BENCH_SECONDS       length of each measured desk phase (default 60)
  BENCH_CLIENTS       concurrent clients at the desk (default 16)
  BENCH_WORKERS       server worker processes (default: operations/serve.py's, one a core)
  BENCH_THREADS       threads a worker (default: operations/serve.py's, 4)
  BENCH_STATS_SECONDS length of each statistics endpoint's phase (default a quarter of BENCH_SECONDS,
                      at most 10)
  BENCH_STATS_CLIENTS clients reading statistics at once (default 2: dashboards are read by few people)
  BENCH_BASELINE      CARDS:VISITS of a second, smaller database (BENCH_DATABASE_URL's name + "_baseline")
                      whose statistics are measured the same way, to show how the times grow with history
                      (default 10000:100000 with BENCH_SCALE=full, otherwise none)
  BENCH_LIMIT_SCRIPT  the physical-limit script (default: shared/bench/baseline.sh in a folder above the
                      checkout; without one the limit and ratios are left out, and the run says so)
  BENCH_STATS         0 leaves the statistics phase out (desk figures only)
  BENCH_PROJECT_SQL   1 also runs the project's own registration SQL under pgbench
  BENCH_SERVER_ARGS   extra arguments of the server (granian's options, operations/serve.py)
  BENCH_FLOOD         DEVICESxVISITS of the sync flood phase (bench/sync_flood.py; default 200x50), or 0 to
                      leave it out
Results are printed and written to var/bench/desk-<timestamp>.json.
"""

import datetime
import http.client
import json
import os
import platform
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg

from bench import sync_flood
from bench.load import run_load, statistics_request
from kaikukanta.operations import serve

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


def baseline() -> tuple[int, int] | None:
    value = os.environ.get("BENCH_BASELINE", "10000:100000" if os.environ.get("BENCH_SCALE") == "full" else "")
    if not value:
        return None
    cards, visits = value.split(":")
    return int(cards), int(visits)


def baseline_url() -> str:
    return database_url() + "_baseline"


def admin_dsn(url: str) -> tuple[str, str]:
    base, name = url.rsplit("/", 1)
    return base + "/postgres", name


def manage(*args, env_extra=None, capture=False, url=None):
    # Production settings, as an operator runs the commands: with DEBUG every statement is also logged in
    # memory (Django's connection.queries), which made the timed commands slower than in production.
    env = {**os.environ, "DATABASE_URL": url or database_url(), "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-only-secret",
           "ALLOWED_HOSTS": HOST, **(env_extra or {})}
    return subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True,
                          capture_output=capture)


def count(sql: str, url=None) -> int:
    with psycopg.connect((url or database_url()).replace("postgres://", "postgresql://")) as connection:
        return connection.execute(sql).fetchone()[0]


def ensure_data(cards: int, visits: int, url=None) -> dict:
    """Reuse the database when it already holds the requested scale; otherwise build it afresh. A database
    from before the statistics rollups gets them rebuilt (timed: that is what an upgrade costs once)."""
    url = url or database_url()
    maintenance, name = admin_dsn(url.replace("postgres://", "postgresql://"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput", capture=True, url=url)
    have_cards = count("SELECT count(*) FROM cards_card", url)
    have_visits = count("SELECT count(*) FROM visits_visit", url)
    if have_cards >= cards and have_visits >= visits:
        data = {"generated": False, "cards": have_cards, "visits": have_visits}
        if not count("SELECT count(*) FROM stats_foldstate", url):
            started = time.perf_counter()
            manage("rebuild_stats", url=url)
            data["rebuild_stats_seconds"] = round(time.perf_counter() - started, 1)
        return data
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    manage("migrate", "--noinput", capture=True, url=url)
    started = time.perf_counter()
    manage("generate_demo", "--cards", str(cards), "--visits", str(visits), "--seed", "7", url=url)
    seconds = time.perf_counter() - started
    return {"generated": True, "generate_seconds": round(seconds, 1),
            "cards": count("SELECT count(*) FROM cards_card", url),
            "visits": count("SELECT count(*) FROM visits_visit", url)}


PREPARE = """
import json, datetime
from django.db.models import Q
from kaikukanta.accounts.models import Role
from kaikukanta.cards.models import Card
from kaikukanta.core.clock import today
from kaikukanta.testing import make_token, make_user
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
admin = User.objects.filter(username="bench-admin").first() or make_user("bench-admin", Role.NATIONAL_ADMIN)
print(json.dumps({"token": make_token(user), "venue_id": venue.id, "offering_id": offering.id,
                  "numbers": numbers, "admin_token": make_token(admin)}))
"""


def prepare(url=None) -> dict:
    output = manage("shell", "-c", PREPARE, capture=True, url=url).stdout
    return json.loads(output.strip().splitlines()[-1])


# Every benchmark client shares one address and a few tokens, hundreds of checks a second: far over the
# card-check limits of real desks (cards.guessing). They are raised out of reach, not switched off, so the
# cost of counting every check stays in the figures.
BENCH_CARD_CHECK_LIMITS = '{"checks_per_user": 1000000000, "checks_per_address": 1000000000}'


def start_server(workers: int, url=None, port: int = PORT, env_extra=None, log=None,
                 probe: bool = True) -> subprocess.Popen:
    """The production server (operations/serve.py) with production settings, on plain HTTP over loopback: no
    redirect to HTTPS there (in production the TLS proxy in front takes that role)."""
    env = {**os.environ, "DATABASE_URL": url or database_url(), "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-only-secret",
           "ALLOWED_HOSTS": HOST, "CONN_MAX_AGE": "600", "SECURE_SSL_REDIRECT": "0",
           "KAIKUKANTA_CARD_GUESSING": os.environ.get("KAIKUKANTA_CARD_GUESSING", BENCH_CARD_CHECK_LIMITS),
           **(env_extra or {})}
    extra = tuple(os.environ.get("BENCH_SERVER_ARGS", "").split())
    threads = int(os.environ["BENCH_THREADS"]) if os.environ.get("BENCH_THREADS") else None
    server = subprocess.Popen(serve.command(f"{HOST}:{port}", workers, threads, extra=extra),
                              cwd=ROOT, env=env, start_new_session=True, stdout=log, stderr=log)
    for _ in range(150):
        try:
            if probe:
                with urllib.request.urlopen(f"http://{HOST}:{port}/api/v1/openapi.json", timeout=2) as response:
                    if response.status != 200:
                        raise RuntimeError(f"the server answered {response.status} for the schema")
            else:
                # No request, so that the first measured one finds every worker as a restart leaves it: only
                # that it listens and that its workers have booted (all idle, waiting for a connection).
                socket.create_connection((HOST, port), timeout=2).close()
                wait_for_idle_workers(server, workers)
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise RuntimeError("the server did not start")


def wait_for_idle_workers(server: subprocess.Popen, workers: int, timeout: float = 180.0) -> None:
    """Until the master has `workers` children, all sleeping (in accept) at two looks half a second apart."""
    def idle() -> bool:
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        return len(children) >= workers and all(
            Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "S" for pid in children)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if idle():
            time.sleep(0.5)
            if idle():
                return
        time.sleep(0.2)
    raise RuntimeError("the server's workers did not boot")


def peak_rss_mb(server: subprocess.Popen) -> dict:
    """The highest resident memory (VmHWM) of the server's master and of its busiest worker so far."""
    def peak(pid: int) -> float:
        match = re.search(r"VmHWM:\s+(\d+) kB", Path(f"/proc/{pid}/status").read_text())
        return int(match.group(1)) / 1024
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    return {"master": round(peak(server.pid), 1),
            "worker": round(max((peak(int(pid)) for pid in children), default=0.0), 1)}


STATISTICS_GROUPINGS = ("month", "year", "area", "municipality", "welfare_area", "venue", "sector",
                        "venue_category", "age_group", "card_type", "home_area", "children", "gender",
                        "home_municipality")
STATISTICS = [("summary", "/api/v1/stats/summary"),
              *((f"uses by {group_by}", f"/api/v1/stats/uses?group_by={group_by}")
                for group_by in STATISTICS_GROUPINGS),
              ("yearly", "/api/v1/stats/yearly"), ("wellbeing", "/api/v1/stats/wellbeing"),
              ("activation", "/api/v1/stats/activation"), ("travel", "/api/v1/stats/travel"),
              ("milestones", "/api/v1/stats/milestones")]


def measure_statistics(token: str, clients: int, seconds: float, url=None) -> tuple[list[dict], float]:
    """Every statistics endpoint for the whole country and all years, one after another, once what the desk
    phase left pending is folded in (timed on its own: `fold_stats`, as the worker runs it)."""
    started = time.perf_counter()
    manage("fold_stats", capture=True, url=url)
    fold_seconds = time.perf_counter() - started
    results = []
    for name, path in STATISTICS:
        result = run_load(f"stats {name}", HOST, PORT, token, statistics_request(path), clients=clients,
                          seconds=seconds)
        results.append(result.summary())
        print(json.dumps(result.summary()), flush=True)
    return results, fold_seconds


def stop_server(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


PGBENCH_SCRIPT = """\\set r random(1, {n})
BEGIN;
SELECT t.id, u.id, u.organisation_id FROM accounts_apitoken t JOIN accounts_user u ON u.id = t.user_id
  WHERE t.digest = '{digest}' AND t.revoked_at IS NULL;
SELECT c.id, c.card_type, c.issued_on, c.valid_until, c.closed_on, c.children FROM cards_card c
  WHERE c.number = (SELECT number FROM bench_card_numbers WHERE i = :r);
WITH visit AS (INSERT INTO visits_visit (card_id, venue_id, offering_id, used_on, children, clients, assistants,
  uses, recorded_by_id, recorded_at, idempotency_key)
  SELECT c.id, {venue}, {offering}, current_date, 0, 0, 0, 1, NULL, now(), md5(random()::text)
  FROM cards_card c WHERE c.number = (SELECT number FROM bench_card_numbers WHERE i = :r) RETURNING id, card_id)
INSERT INTO stats_pendingchange (card_id, visit_id, sign) SELECT card_id, id, 1 FROM visit;
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


def statistics_at_baseline(workers: int, clients: int, seconds: float) -> dict | None:
    wanted = baseline()
    if wanted is None:
        return None
    data = ensure_data(*wanted, url=baseline_url())
    print(f"bench: baseline data {data}", flush=True)
    setup = prepare(url=baseline_url())
    server = start_server(workers, url=baseline_url())
    try:
        results, fold_seconds = measure_statistics(setup["admin_token"], clients, seconds, url=baseline_url())
        memory = peak_rss_mb(server)
    finally:
        stop_server(server)
    return {"data": data, "results": results, "fold_seconds": round(fold_seconds, 2),
            "peak_rss_mb": memory}


def limit_script() -> Path | None:
    """The physical-limit script (`../shared/bench/baseline.sh` beside the checkout, or BENCH_LIMIT_SCRIPT)."""
    named = os.environ.get("BENCH_LIMIT_SCRIPT")
    if named:
        return Path(named) if Path(named).is_file() else None
    for folder in ROOT.parents:
        candidate = folder / "shared" / "bench" / "baseline.sh"
        if candidate.is_file():
            return candidate
    return None


def run_limit(script: Path, clients: int, seconds: int, cards: int) -> dict:
    """pgbench with the least SQL a card check and a registration need, on a scratch database of as many cards."""
    completed = subprocess.run(["bash", str(script), str(clients), str(seconds), str(cards)], capture_output=True,
                               text=True)
    line = completed.stdout.strip().splitlines()[-1] if completed.stdout.strip() else ""
    match = re.search(r"check ([\d.]+) tps.*visit ([\d.]+) tps", line)
    if completed.returncode != 0 or not match:
        raise RuntimeError(f"{script} failed ({completed.returncode}): {completed.stdout} {completed.stderr}")
    return {"script": str(script), "line": line, "check_tps": float(match.group(1)),
            "visit_tps": float(match.group(2))}


WRK_DIR = ROOT / "bench" / "wrk"


def run_wrk(name: str, script: str, setup: dict, numbers_file: Path, clients: int, seconds: int) -> dict:
    """wrk with `clients` keep-alive connections on two threads for `seconds`; one JSON line back (wrk/common.lua)."""
    env = {**os.environ, "BENCH_WRK_DIR": str(WRK_DIR), "BENCH_NUMBERS": str(numbers_file),
           "BENCH_TOKEN": setup["token"], "BENCH_OFFERING": str(setup["offering_id"])}
    completed = subprocess.run(
        ["wrk", "-t", str(min(2, clients)), "-c", str(clients), "-d", f"{seconds}s", "--timeout", "10s",
         "-s", str(WRK_DIR / script), f"http://{HOST}:{PORT}"], capture_output=True, text=True, env=env, check=True)
    figures = json.loads(next(line for line in completed.stdout.splitlines() if line.startswith("{")))
    rate = figures["requests"] / (figures["duration_us"] / 1e6)
    errors = sum(figures[key] for key in ("non_2xx", "connect_errors", "read_errors", "write_errors", "timeouts"))
    return {"name": name, "clients": clients, "seconds": seconds, "requests": figures["requests"],
            "throughput_rps": round(rate, 1), "p50_ms": figures["p50_ms"], "p90_ms": figures["p90_ms"],
            "p99_ms": figures["p99_ms"], "mean_ms": figures["mean_ms"], "max_ms": figures["max_ms"],
            "errors": errors, "non_2xx": figures["non_2xx"]}


def first_checks(setup: dict, workers: int, url=None) -> dict:
    """The first card check a fresh server answers (new processes, new database connections), then each next
    request on a new connection until every worker has answered one: what the first desk of the morning sees."""
    numbers = setup["numbers"]
    server = start_server(workers, url=url, probe=False)
    try:
        timings = []
        for index in range(2 * workers):
            connection = http.client.HTTPConnection(HOST, PORT, timeout=120)
            started = time.perf_counter()
            connection.request("GET", f"/api/v1/cards/{numbers[index % len(numbers)]}",
                               headers={"Authorization": f"Bearer {setup['token']}"})
            response = connection.getresponse()
            response.read()
            timings.append(round((time.perf_counter() - started) * 1000, 2))
            connection.close()
            if response.status != 200:
                raise RuntimeError(f"first check answered {response.status}")
    finally:
        stop_server(server)
    return {"first_ms": timings[0], "max_ms": max(timings), "each_ms": timings}


def main() -> None:
    cards, visits = scale()
    seconds = int(os.environ.get("BENCH_SECONDS", "60"))
    clients = int(os.environ.get("BENCH_CLIENTS", "16"))
    workers = int(os.environ.get("BENCH_WORKERS", str(serve.default_workers())))
    stats_seconds = float(os.environ.get("BENCH_STATS_SECONDS", str(max(0.5, min(10.0, seconds / 4)))))
    stats_clients = int(os.environ.get("BENCH_STATS_CLIENTS", "2"))
    script = limit_script()
    print(f"bench: scale {cards:,} cards / {visits:,} visits, {clients} clients, {seconds} s per phase, "
          f"{workers} workers", flush=True)
    print(f"bench: physical limit from {script}" if script else
          "bench: no ../shared/bench/baseline.sh found (nor BENCH_LIMIT_SCRIPT): the physical limit is not "
          "measured and no ratio is printed", flush=True)
    data = ensure_data(cards, visits)
    print(f"bench: data {data}", flush=True)
    setup = prepare()
    numbers = setup["numbers"]
    results = []
    cold = first_checks(setup, workers)
    print(f"bench: first checks of a fresh server {cold}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        numbers_file = Path(folder) / "numbers.txt"
        numbers_file.write_text("\n".join(numbers) + "\n")
        server = start_server(workers)
        try:
            run_wrk("warm-up", "check.lua", setup, numbers_file, clients, min(5, seconds))
            for name, lua in (("card check GET /cards/{number}", "check.lua"),
                              ("visit registration POST /visits", "visit.lua")):
                result = run_wrk(name, lua, setup, numbers_file, clients, seconds)
                results.append(result)
                print(json.dumps(result), flush=True)
            pending = count("SELECT count(*) FROM stats_pendingchange")
            statistics, fold_seconds = [], 0.0
            if os.environ.get("BENCH_STATS") != "0":
                statistics, fold_seconds = measure_statistics(setup["admin_token"], stats_clients, stats_seconds)
            flood = (sync_flood.run_flood(manage, PORT, database_url())
                     if os.environ.get("BENCH_FLOOD") != "0" else None)
            memory = peak_rss_mb(server)
        finally:
            stop_server(server)
    if os.environ.get("BENCH_PROJECT_SQL") == "1":
        pgbench = run_pgbench(numbers, setup["token"], setup["venue_id"], setup["offering_id"], clients, seconds)
        results.append(pgbench)
        print(json.dumps(pgbench), flush=True)
    limit = run_limit(script, clients, seconds, cards) if script else None
    if limit:
        print(limit["line"], flush=True)
    at_baseline = (statistics_at_baseline(workers, stats_clients, stats_seconds)
                   if os.environ.get("BENCH_STATS") != "0" else None)
    check, visit = results[0], results[1]
    ratios = ({"card_check": round(check["throughput_rps"] / limit["check_tps"], 4),
               "registration": round(visit["throughput_rps"] / limit["visit_tps"], 4)} if limit else None)
    report = {
        "when": datetime.datetime.now().isoformat(timespec="seconds"), "machine": machine(), "data": data,
        "workers": workers, "results": results, "physical_limit": limit, "ratios": ratios,
        "first_checks": cold,
        "statistics": {"clients": stats_clients, "seconds": stats_seconds, "results": statistics,
                       "pending_after_desk": pending, "fold_seconds": round(fold_seconds, 2),
                       "peak_rss_mb": memory},
        "statistics_baseline": at_baseline,
        "sync_flood": flood,
        "driver_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    out_file = out_dir / f"desk-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out_file.write_text(json.dumps(report, indent=2))
    print()
    print(f"{'operation':36} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'limit tps':>10} {'ratio':>7}")
    limits = {0: limit and limit["check_tps"], 1: limit and limit["visit_tps"]}
    for index, row in enumerate(results):
        tps = limits.get(index)
        ratio = f"{row['throughput_rps'] / tps:.3f}" if tps else "-"
        print(f"{row['name']:36} {row['throughput_rps']:>9} {row['p50_ms']:>8} {row.get('p99_ms', '-'):>8} "
              f"{row.get('errors', '-'):>7} {tps or '-':>10} {ratio:>7}")
    print(f"first card check of a fresh server: {cold['first_ms']} ms (slowest first check of a worker "
          f"{cold['max_ms']} ms)")
    print_statistics(report)
    if flood:
        print()
        sync_flood.print_flood(flood)
    print(f"written to {out_file.relative_to(ROOT)}")
    failed = [row["name"] for row in results[:2] if row["errors"]]
    if flood and flood["failures"]:
        failed.append(f"the sync flood ({', '.join(flood['failures'])})")
    if failed:
        raise SystemExit(f"bench: answers other than 2xx, or transport errors, in {', '.join(failed)}")


def print_statistics(report: dict) -> None:
    statistics, at_baseline = report["statistics"], report["statistics_baseline"]
    print()
    print(f"statistics, whole country and all years ({statistics['clients']} clients), after folding the "
          f"desk's {statistics['pending_after_desk']:,} pending changes in {statistics['fold_seconds']} s")
    baseline_rows = {row["name"]: row for row in (at_baseline or {}).get("results", [])}
    header = f"{'endpoint':32} {'p50 ms':>8} {'p95 ms':>8}"
    if at_baseline:
        header += f" {'baseline p50':>12} {'p95':>8} {'p50 ×':>6} {'p95 ×':>6}"
    print(header)
    for row in statistics["results"]:
        line = f"{row['name']:32} {row['p50_ms']:>8} {row['p95_ms']:>8}"
        small = baseline_rows.get(row["name"])
        if small:
            line += (f" {small['p50_ms']:>12} {small['p95_ms']:>8} {row['p50_ms'] / small['p50_ms']:>6.2f}"
                     f" {row['p95_ms'] / small['p95_ms']:>6.2f}")
        print(line)
    print(f"server peak RSS (MB): {statistics['peak_rss_mb']}"
          + (f"; at the baseline: {at_baseline['peak_rss_mb']}" if at_baseline else ""))


if __name__ == "__main__":
    main()
