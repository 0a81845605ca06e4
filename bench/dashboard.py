"""The dashboard right after a desk flood and right after a large import, with the worker folding.

`.venv/bin/python -m bench.dashboard` (PostgreSQL at 127.0.0.1:5432, Redis at 127.0.0.1:6379): gunicorn
with production settings, a Celery worker and beat on Redis, then
  1. a desk flood: DASH_FLOOD_CLIENTS clients registering visits for DASH_FLOOD_SECONDS (16, 60 s);
  2. right after it, the national admin's HTML dashboard (/stats/dashboard/) and the summary API, read
     DASH_READS times one after another, timed, with the fold backlog at that moment;
  3. once the worker has caught up, the figures against an oracle counted in SQL from the visits themselves
     (visits, uses, uses per month);
  4. the same after importing DASH_IMPORT_VISITS visits (1,000,000) with `import_visits`.
A benchmark, not a test: nothing is asserted on time; a figure unequal to the oracle exits non-zero.

Environment: DASH_DATABASE_URL (postgres://postgres@127.0.0.1:5432/kk_ops_dash), DASH_SCALE (CARDS:VISITS
of the generated network, 20000:200000), DASH_REDIS_URL (redis://127.0.0.1:6379/14, flushed), DASH_WORKERS
(2 × cores), DASH_FLOOD_SECONDS, DASH_FLOOD_CLIENTS, DASH_READS (10), DASH_IMPORT_VISITS.
Results are printed and written to var/bench/dashboard-<timestamp>.json."""

import csv
import datetime
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from bench import run as bench
from bench.load import run_load, visit_registration

ROOT = bench.ROOT
PORT = int(os.environ.get("DASH_PORT", "8766"))
SECRET = "bench-only-secret"
SESSION = """
import django.test
from kaikukanta.accounts.models import User
from kaikukanta.testing import sign_in
client = django.test.Client()
sign_in(client, User.objects.get(username="bench-admin"))
print(client.cookies["sessionid"].value)
"""


def url() -> str:
    return os.environ.get("DASH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kk_ops_dash")


def redis_url() -> str:
    return os.environ.get("DASH_REDIS_URL", "redis://127.0.0.1:6379/14")


def sql(statement: str, params=()):
    with psycopg.connect(url().replace("postgres://", "postgresql://")) as connection:
        return connection.execute(statement, params).fetchall()


def services_env() -> dict:
    return {"REDIS_URL": redis_url(), "CELERY_BROKER_URL": redis_url(), "KAIKUKANTA_FOLD_SECONDS": "3",
            "SECRET_KEY": SECRET}


def start_background(log) -> list[subprocess.Popen]:
    env = {**os.environ, "DATABASE_URL": url(), "DJANGO_DEBUG": "0", "ALLOWED_HOSTS": bench.HOST, **services_env()}
    celery = str(Path(sys.executable).parent / "celery")
    schedule = Path(tempfile.mkdtemp(prefix="kk-dash-beat-")) / "schedule"
    return [subprocess.Popen([celery, "-A", "kaikukanta", "worker", "--pool", "solo", "--loglevel", "WARNING",
                              "--without-gossip", "--without-mingle"], cwd=ROOT, env=env, stdout=log, stderr=log,
                             start_new_session=True),
            subprocess.Popen([celery, "-A", "kaikukanta", "beat", "--loglevel", "WARNING", "--schedule",
                              str(schedule)], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True)]


def get(path: str, headers: dict) -> tuple[int, bytes, float]:
    connection = http.client.HTTPConnection(bench.HOST, PORT, timeout=120)
    started = time.perf_counter()
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    body = response.read()
    seconds = time.perf_counter() - started
    connection.close()
    return response.status, body, seconds * 1000


def wait_for_worker(seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status, body, _ = get("/readyz", {})
        if json.loads(body)["checks"]["worker"]["status"] == "ok":
            return
        time.sleep(1)
    raise RuntimeError("the worker's heartbeat never came")


def pending() -> int:
    return sql("SELECT count(*) FROM stats_pendingchange")[0][0]


def reads(session: str, token: str, count: int) -> dict:
    """The HTML dashboard and the summary API, `count` times each, alternating, first read first."""
    html, api = [], []
    backlog = pending()
    for _ in range(count):
        status, body, ms = get("/stats/dashboard/", {"Cookie": f"sessionid={session}", "Accept-Language": "fi"})
        if status != 200 or b"stats-headline" not in body:
            raise RuntimeError(f"the dashboard answered {status}: {body[:300]!r}")
        html.append(ms)
        status, body, ms = get("/api/v1/stats/summary", {"Authorization": f"Bearer {token}"})
        if status != 200:
            raise RuntimeError(f"the summary answered {status}")
        api.append(ms)
    return {"backlog_at_first_read": backlog, "dashboard_html_ms": describe(html), "summary_api_ms": describe(api)}


def describe(values: list[float]) -> dict:
    ordered = sorted(values)
    return {"first": round(values[0], 1), "p50": round(statistics.median(values), 1), "max": round(ordered[-1], 1)}


def caught_up(seconds: float = 1800) -> float:
    started = time.perf_counter()
    while pending():
        if time.perf_counter() - started > seconds:
            raise RuntimeError("the worker did not catch up")
        time.sleep(0.5)
    return round(time.perf_counter() - started, 1)


def oracle_check(token: str) -> dict:
    """The figures the statistics give, against the same counted from the visits in SQL."""
    today = datetime.date.today()
    visits, uses = sql("SELECT count(*), coalesce(sum(uses), 0) FROM visits_visit WHERE cancelled_at IS NULL "
                       "AND used_on <= %s", [today])[0]
    months = {f"{year:04d}-{month:02d}": total for year, month, total in sql(
        "SELECT extract(year FROM used_on)::int, extract(month FROM used_on)::int, sum(uses) FROM visits_visit "
        "WHERE cancelled_at IS NULL GROUP BY 1, 2")}
    _, body, _ = get("/api/v1/stats/summary", {"Authorization": f"Bearer {token}"})
    summary = json.loads(body)
    _, body, _ = get("/api/v1/stats/uses?group_by=month", {"Authorization": f"Bearer {token}"})
    by_month = {row["key"]: row["uses"] for row in json.loads(body)["rows"]}
    equal = summary["visits"] == visits and summary["uses"] == uses and by_month == months
    return {"equal": equal, "visits": visits, "uses": uses, "months": len(months),
            "statistics": {"visits": summary["visits"], "uses": summary["uses"], "months": len(by_month)}}


def import_file(rows: int, path: Path) -> None:
    """`rows` visits of cards valid on their day, at active venues, over the last year."""
    today = datetime.date.today()
    cards = sql("SELECT number, greatest(issued_on, %s), least(valid_until, %s) FROM cards_card "
                "WHERE card_type = 'personal' AND closed_on IS NULL AND issued_on <= %s AND valid_until >= %s",
                [today - datetime.timedelta(days=365), today, today - datetime.timedelta(days=30), today])
    venues = [row[0] for row in sql("SELECT id FROM network_organisation WHERE kind = 'venue' AND active "
                                    "AND (active_from IS NULL OR active_from <= %s)",
                                    [today - datetime.timedelta(days=366)])]
    rng = random.Random(11)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(("card_number", "venue_id", "offering_id", "used_on", "children", "clients", "assistants"))
        for _ in range(rows):
            number, first, last = rng.choice(cards)
            day = first + datetime.timedelta(days=rng.randrange((last - first).days + 1))
            writer.writerow((number, rng.choice(venues), "", day.isoformat(), 0, 0, 0))


def main() -> None:
    cards, visits = (int(part) for part in os.environ.get("DASH_SCALE", "20000:200000").split(":"))
    workers = int(os.environ.get("DASH_WORKERS", str(2 * (os.cpu_count() or 1))))
    flood_seconds = float(os.environ.get("DASH_FLOOD_SECONDS", "60"))
    flood_clients = int(os.environ.get("DASH_FLOOD_CLIENTS", "16"))
    read_count = int(os.environ.get("DASH_READS", "10"))
    import_rows = int(os.environ.get("DASH_IMPORT_VISITS", "1000000"))
    import redis

    os.environ["BENCH_DATABASE_URL"] = url()   # bench.run's helpers default to it
    redis.Redis.from_url(redis_url()).flushdb()
    data = bench.ensure_data(cards, visits, url=url())
    bench.manage("fold_stats", capture=True, url=url())
    print(f"dashboard bench: data {data}", flush=True)
    setup = bench.prepare(url=url())
    session = bench.manage("shell", "-c", SESSION, capture=True, url=url(),
                           env_extra=services_env()).stdout.strip().splitlines()[-1]
    log = open(ROOT / "var" / "bench-dashboard.log", "ab")
    report = {"when": datetime.datetime.now().isoformat(timespec="seconds"), "machine": bench.machine(),
              "data": data, "workers": workers}
    server = bench.start_server(workers, url=url(), port=PORT, env_extra=services_env(), log=log)
    background = start_background(log)
    try:
        wait_for_worker()
        report["before"] = reads(session, setup["admin_token"], 3)
        flood = run_load("desk flood POST /visits", bench.HOST, PORT, setup["token"],
                         visit_registration(setup["numbers"], setup["offering_id"]),
                         clients=flood_clients, seconds=flood_seconds)
        report["flood"] = flood.summary()
        report["after_flood"] = reads(session, setup["admin_token"], read_count)
        report["after_flood"]["caught_up_seconds"] = caught_up()
        report["after_flood"]["oracle"] = oracle_check(setup["admin_token"])
        print(json.dumps({key: report[key] for key in ("flood", "after_flood")}), flush=True)
        if import_rows:
            path = ROOT / "var" / "bench-dashboard-visits.csv"
            import_file(import_rows, path)
            started = time.perf_counter()
            bench.manage("import_visits", str(path), capture=True, url=url(), env_extra=services_env())
            report["import"] = {"rows": import_rows, "seconds": round(time.perf_counter() - started, 1)}
            path.unlink()
            report["after_import"] = reads(session, setup["admin_token"], read_count)
            report["after_import"]["caught_up_seconds"] = caught_up()
            report["after_import"]["oracle"] = oracle_check(setup["admin_token"])
        report["visits_in_the_end"] = sql("SELECT count(*) FROM visits_visit")[0][0]
    finally:
        for process in background:
            process.terminate()
        for process in background:
            process.wait(timeout=30)
        bench.stop_server(server)
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    out_file = out_dir / f"dashboard-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    out_file.write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))
    print(f"written to {out_file.relative_to(ROOT)}")
    if not all(report[phase]["oracle"]["equal"] for phase in ("after_flood", "after_import") if phase in report):
        sys.exit("the statistics differ from the oracle")


if __name__ == "__main__":
    main()
