"""The production HTTP server, in one place: the systemd unit, `make serve`, the benchmarks and the tests that run
real processes all start the app through this module.

    .venv/bin/python -m kaikukanta.operations.serve --bind 127.0.0.1:8000 [--workers N] [--threads N]

It replaces itself with granian (a Rust HTTP server with a WSGI interface, https://github.com/emmett-framework/granian):
the HTTP parsing, keep-alive and the socket work run outside Python, and each worker process runs Django in a
pool of blocking threads. Measured against gunicorn on this project's desk (README, "Close to the physical
limit"): about half the server's CPU per card check and registration, so about twice the requests a core.

What an operator relies on:
- SIGTERM stops gracefully (requests in flight finish, up to `--workers-kill-timeout`); SIGHUP replaces the
  workers one by one (a deploy without dropping connections).
- No access log: a path can hold a card number. Django writes one JSON line per request with the route
  pattern instead (operations/middleware.py), masked like every other log line (core/log_masking.py).
- Each worker imports the views at start (kaikukanta/wsgi.py calls operations/warmup.py), so the first desk of
  the morning does not wait for it; each thread opens its own database connection on its first request.
"""

import argparse
import os
import shutil
import sys
from pathlib import Path

# Threads per worker process: a request mostly waits for PostgreSQL, so a few threads keep a core busy.
DEFAULT_THREADS = 4
# Seconds a stopping or replaced worker has to finish what it is answering.
GRACEFUL_SECONDS = 30


def default_workers() -> int:
    return int(os.environ.get("KAIKUKANTA_WEB_WORKERS", str(os.cpu_count() or 1)))


def default_threads() -> int:
    return int(os.environ.get("KAIKUKANTA_WEB_THREADS", str(DEFAULT_THREADS)))


def executable() -> str:
    beside = Path(sys.executable).parent / "granian"
    return str(beside) if beside.exists() else (shutil.which("granian") or "granian")


def command(bind: str, workers: int | None = None, threads: int | None = None, log_level: str = "warning",
            extra: tuple[str, ...] = ()) -> list[str]:
    """The server's command line for `bind` (HOST:PORT)."""
    host, _, port = bind.rpartition(":")
    return [executable(), "--interface", "wsgi", "--host", host or "127.0.0.1", "--port", port,
            "--workers", str(workers or default_workers()), "--blocking-threads", str(threads or default_threads()),
            "--workers-kill-timeout", str(GRACEFUL_SECONDS), "--log-level", log_level, "--no-ws",
            "--respawn-failed-workers", *extra, "kaikukanta.wsgi:application"]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m kaikukanta.operations.serve", description=__doc__.split("\n")[0])
    parser.add_argument("--bind", default="127.0.0.1:8000", help="HOST:PORT (default 127.0.0.1:8000)")
    parser.add_argument("--workers", type=int, help="worker processes (default KAIKUKANTA_WEB_WORKERS or the cores)")
    parser.add_argument("--threads", type=int, help=f"threads a worker (default KAIKUKANTA_WEB_THREADS or "
                                                    f"{DEFAULT_THREADS})")
    parser.add_argument("--log-level", default="warning")
    args, extra = parser.parse_known_args(argv)
    line = command(args.bind, args.workers, args.threads, args.log_level, tuple(extra))
    os.execv(line[0], line)


if __name__ == "__main__":
    main()
