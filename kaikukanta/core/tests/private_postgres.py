"""A PostgreSQL cluster of the test's own, in a temporary directory, that a test may stop and start at will
(the shared server at 5432 is never touched). Run as the `postgres` OS user when the tests run as root."""

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from kaikukanta.operations import serve

ROOT = Path(__file__).resolve().parents[3]
# Debian's server binaries (the newest installed version), or wherever KAIKUKANTA_PG_BIN says.
PG_BIN = Path(os.environ.get("KAIKUKANTA_PG_BIN") or next(
    iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda path: int(path.parent.name),
                reverse=True)), "/usr/lib/postgresql/15/bin"))
PYTHON = Path(sys.executable)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_binaries() -> None:
    """Missing binaries skip the test locally and fail it in the PostgreSQL pass of CI."""
    missing = [name for name in ("initdb", "pg_ctl") if not (PG_BIN / name).exists()]
    if missing:
        message = f"PostgreSQL server binaries missing in {PG_BIN}: {', '.join(missing)}"
        if os.environ.get("KAIKUKANTA_REQUIRE_POSTGRES") == "1":
            pytest.fail(message)
        pytest.skip(message)


class PrivateCluster:
    def __init__(self):
        require_binaries()
        self.directory = Path(tempfile.mkdtemp(prefix="kk-pg-"))
        self.data = self.directory / "data"
        self.port = free_port()
        self.as_postgres = os.geteuid() == 0
        if self.as_postgres:
            owner = pwd.getpwnam("postgres")
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/kaikukanta"

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(str(PG_BIN / "initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")
        self.start()
        self.psql("CREATE DATABASE kaikukanta", database="postgres")

    def start(self) -> None:
        # fsync off: the test is about the server process going away, not the machine losing power.
        options = (f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c max_connections=50")
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"),
                  "-w", "start")

    def stop(self, mode: str = "immediate") -> None:
        self._run(str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def psql(self, statement: str, database: str = "kaikukanta") -> None:
        import psycopg

        with psycopg.connect(f"postgresql://postgres@127.0.0.1:{self.port}/{database}", autocommit=True) as db:
            db.execute(statement)

    def query(self, statement: str, params=()) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.url.replace("postgres://", "postgresql://")) as db:
            return db.execute(statement, params).fetchall()

    def remove(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(self.directory, ignore_errors=True)


def manage(url: str, *args: str, env: dict | None = None) -> str:
    result = subprocess.run([str(PYTHON), "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "DATABASE_URL": url, **(env or {})}, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


class ProductionServer:
    """The production server with the production settings, as README's production section starts it
    (operations/serve.py)."""

    def __init__(self, url: str, workers: int = 3, extra: tuple[str, ...] = (), extra_env: dict | None = None):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "0", "SECRET_KEY": "fault-test-only-secret",
               "ALLOWED_HOSTS": "127.0.0.1", "SECURE_SSL_REDIRECT": "0", "CONN_MAX_AGE": "60"}
        env.pop("REDIS_URL", None)
        env.update(extra_env or {})
        self.log = tempfile.TemporaryFile()
        self.process = subprocess.Popen(
            serve.command(f"127.0.0.1:{self.port}", workers, extra=tuple(extra)),
            cwd=ROOT, env=env, stdout=self.log, stderr=self.log, start_new_session=True)
        deadline = time.monotonic() + 180  # a start on a machine busy with other suites
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(self.base + "/api/v1/settings", timeout=5)
                return
            except urllib.error.HTTPError:
                return  # any answer (401 without a token) means a worker is serving
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise AssertionError("the server did not start: " + self.output())

    def post(self, path: str, body: dict, headers: dict) -> tuple[int, dict | None, str]:
        """(status, JSON body or None, content type); a connection-level failure raises OSError."""
        request = urllib.request.Request(self.base + path, data=json.dumps(body).encode(), method="POST",
                                         headers={"Content-Type": "application/json", **headers})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, json.loads(response.read()), response.headers.get("Content-Type", "")
        except urllib.error.HTTPError as error:
            content = error.read()
            kind = error.headers.get("Content-Type", "")
            return error.code, json.loads(content) if kind.startswith("application/json") else None, kind

    def output(self) -> str:
        return self.output_all()[-4000:]

    def output_all(self) -> str:
        self.log.seek(0)
        return self.log.read().decode(errors="replace")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
