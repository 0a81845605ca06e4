"""`python -m bench.web_import`: rows through the browser's import path (imports.jobs), as the page runs it.

A fresh database gets the test network; a file of BENCH_WEB_IMPORT_ROWS cards (default 100,000) is uploaded
with `jobs.start` (the page's upload: stored, then its dry run on the task queue, run eagerly here as
`make run` does), and imported with `jobs.commit` (the commit, then the statistics fold the importer does, or
with BENCH_WEB_IMPORT_WORKER=1 the live worker's fold, timed apart).
Then the same for visits of those cards. Each phase's time is printed and written to var/bench/.

Environment:
  BENCH_WEB_IMPORT_DATABASE_URL  database to (re)create (default postgres://postgres@127.0.0.1:5432/kk_imports_bench)
  BENCH_WEB_IMPORT_ROWS          rows in each file (default 100000)
  BENCH_WEB_IMPORT_FORMAT        csv (default) or xlsx
  BENCH_WEB_IMPORT_WORKER        1: as in production, a live worker folds the statistics; the import through
                                 the page leaves the fold to it, and the worker's fold is timed after each
                                 commit (default 0: the importer folds, as under `make run` without a worker)
"""

import datetime
import json
import os
import platform
import resource
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent


def _recreate(url: str) -> None:
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _timed(label: str, action, results: dict):
    started = time.monotonic()
    value = action()
    seconds = time.monotonic() - started
    results[label] = round(seconds, 2)
    print(f"{label}: {seconds:.1f} s", flush=True)
    return value


def main() -> None:
    url = os.environ.get("BENCH_WEB_IMPORT_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/kk_imports_bench")
    rows = int(os.environ.get("BENCH_WEB_IMPORT_ROWS", "100000"))
    file_format = os.environ.get("BENCH_WEB_IMPORT_FORMAT", "csv")
    with_worker = os.environ.get("BENCH_WEB_IMPORT_WORKER", "0") == "1"
    if url.startswith("postgres"):
        _recreate(url)
    os.environ["DATABASE_URL"] = url
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaikukanta.settings")
    sys.path.insert(0, str(ROOT))

    import django

    django.setup()
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.core.management import call_command

    from kaikukanta.accounts.caller import Caller, Channel
    from kaikukanta.core.clock import today
    from kaikukanta.imports import jobs
    from kaikukanta.imports.models import JobState
    from kaikukanta.imports.tests.web_files import (
        CARD_HEADER,
        VISIT_HEADER,
        card_row,
        csv_bytes,
        number,
        visit_row,
        xlsx_bytes,
    )
    from kaikukanta.stats import rollups
    from kaikukanta.testing import build_network

    call_command("migrate", verbosity=0)
    network = build_network()
    caller = Caller.for_console(user=network.users["coordinator"], channel=Channel.IMPORT)
    make = xlsx_bytes if file_format == "xlsx" else csv_bytes
    issued = (today() - datetime.timedelta(days=200)).isoformat()
    until = (today() + datetime.timedelta(days=100)).isoformat()
    results: dict = {"rows": rows, "format": file_format, "database": urlparse(url).scheme,
                     "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
                     "fold": "worker" if with_worker else "importer"}
    if with_worker:
        rollups.fold()  # the worker has folded the network built above before any upload

    files = {
        "cards": _timed("make cards file", lambda: make(CARD_HEADER, [
            card_row(network.distributor.pk, index, issued_on=issued, valid_until=until)
            for index in range(1, rows + 1)]), results),
        "visits": _timed("make visits file", lambda: make(VISIT_HEADER, [
            visit_row(number(index % rows + 1), network.venue.pk) for index in range(rows)]), results),
    }
    for kind, content in files.items():
        results[f"{kind} file MB"] = round(len(content) / 2**20, 1)
        upload = SimpleUploadedFile(f"{kind}.{file_format}", content)
        if with_worker:
            # What the page's process sees with a live worker: the fold is the worker's (operations.apps).
            rollups.leave_fold_to_others_when(lambda: True)
        job = _timed(f"{kind}: upload and dry run", lambda kind=kind, upload=upload: jobs.start(
            caller, kind=kind, area_id=network.area.pk, upload=upload), results)
        job.refresh_from_db()
        assert job.state == JobState.CHECKED, (job.state, job.errors[:3], job.failure)
        job = _timed(f"{kind}: commit", lambda job=job: jobs.commit(caller, job.pk), results)
        job.refresh_from_db()
        assert job.state == JobState.COMMITTED and job.rows_written == rows, (job.state, job.errors[:3])
        total = results[f"{kind}: upload and dry run"] + results[f"{kind}: commit"]
        results[f"{kind}: through the page, s"] = round(total, 1)
        print(f"{kind}: {rows:,} rows through the page in {total:.1f} s ({rows / total:,.0f} rows/s)", flush=True)
        if with_worker:
            # The worker's next fold: the statistics take in the import this long after the page said done.
            rollups.leave_fold_to_others_when(lambda: False)
            _timed(f"{kind}: the worker's fold after the commit", rollups.fold, results)
    results["peak RSS MB"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    target = out / f"web-import-{datetime.datetime.now():%Y%m%d-%H%M%S}.json"
    target.write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
