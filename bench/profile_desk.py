"""The desk's two requests inside one process, without a server or a network: CPU per request, the statements
each sends, and optionally a profile. Where `make bench` says how fast, this says where the time goes.

    .venv/bin/python -m bench.profile_desk [--requests N] [--profile check|visit] [--top N]

Environment: BENCH_DATABASE_URL as for `make bench` (a database it has filled); production settings
(`DJANGO_DEBUG=0`). The WSGI handler is called directly with the environ the server would build, so what is
measured is Django, the middleware, django-ninja and the app, and the database round trips; the server's own
share is what a sampling profiler of a worker under `make bench` shows beyond this.
"""

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
import uuid

from bench.run import BENCH_CARD_CHECK_LIMITS, HOST, database_url, prepare


def environ(method: str, path: str, token: str, body: bytes = b"", extra: dict | None = None) -> dict:
    return {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": HOST,
            "SERVER_PORT": "8765", "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": f"{HOST}:8765", "HTTP_AUTHORIZATION": f"Bearer {token}", "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr, "wsgi.multithread": False,
            "wsgi.multiprocess": True, "wsgi.run_once": False, "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": "application/json" if body else "", **(extra or {})}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--profile", choices=("check", "visit"))
    parser.add_argument("--top", type=int, default=40)
    args = parser.parse_args()
    setup = prepare()
    os.environ.update({"DATABASE_URL": database_url(), "DJANGO_DEBUG": "0", "SECRET_KEY": "bench-only-secret",
                       "ALLOWED_HOSTS": HOST, "CONN_MAX_AGE": "600", "SECURE_SSL_REDIRECT": "0",
                       "KAIKUKANTA_CARD_GUESSING": BENCH_CARD_CHECK_LIMITS,
                       "DJANGO_SETTINGS_MODULE": "kaikukanta.settings"})
    import django

    django.setup()
    from django.core.handlers.wsgi import WSGIHandler
    from django.db import connection

    handler = WSGIHandler()
    numbers = setup["numbers"]

    def check(index: int):
        return environ("GET", f"/api/v1/cards/{numbers[index % len(numbers)]}", setup["token"])

    def visit(index: int):
        body = json.dumps({"card_number": numbers[index % len(numbers)], "offering_id": setup["offering_id"]})
        return environ("POST", "/api/v1/visits", setup["token"], body.encode(),
                       {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex})

    def call(env) -> int:
        status = []
        body = handler(env, lambda line, headers: status.append(line))
        b"".join(body)
        body.close()
        return int(status[0].split()[0])

    def backend_cpu() -> float | None:
        """The CPU seconds of this connection's PostgreSQL backend, when the server runs on this machine."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        try:
            fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    report = {}
    for name, build in (("check", check), ("visit", visit)):
        for index in range(50):  # warm: imports, prepared statements, the rules' snapshot
            assert call(build(index)) < 300, name
        statements = []
        connection.force_debug_cursor = True
        connection.queries_log.clear()
        call(build(51))
        statements = [query["sql"] for query in connection.queries]
        connection.force_debug_cursor = False
        # CPU time, not wall time: on a busy machine a wall-clock profile blames whatever was descheduled.
        profiler = cProfile.Profile(time.process_time) if args.profile == name else None
        backend = backend_cpu()
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for index in range(args.requests):
            call(build(index))
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        backend_after = backend_cpu()
        report[name] = {"requests": args.requests, "cpu_ms_per_request": round(cpu / args.requests * 1000, 3),
                        "wall_ms_per_request": round(wall / args.requests * 1000, 3),
                        "database_cpu_ms_per_request": (
                            round((backend_after - backend) / args.requests * 1000, 3)
                            if backend is not None and backend_after is not None else None),
                        "statements": len(statements), "sql": statements}
        if profiler:
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out)
            stats.sort_stats("cumulative").print_stats(args.top)
            stats.sort_stats("tottime").print_stats(args.top)
            print(out.getvalue())
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
