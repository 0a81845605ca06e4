"""What `backup` and `restore` share: the file formats, PostgreSQL's client tools and how they connect."""

import os
import re
import shutil
import subprocess
from pathlib import Path

from django.core.management.base import CommandError

PG_ARCHIVE = b"PGDMP"
SQLITE_FILE = b"SQLite format 3\x00"


def engine(connection) -> str:
    if connection.vendor not in ("postgresql", "sqlite"):
        raise CommandError(f"backups cover PostgreSQL and SQLite, not {connection.vendor}")
    return connection.vendor


def file_kind(path: Path) -> str:
    with path.open("rb") as file:
        head = file.read(len(SQLITE_FILE))
    if head.startswith(PG_ARCHIVE):
        return "postgresql"
    if head == SQLITE_FILE:
        return "sqlite"
    raise CommandError(f"{path} is neither a pg_dump archive nor an SQLite database")


def pg_environment(connection) -> dict:
    """Connection settings for pg_dump and pg_restore as libpq environment variables: the password
    never appears on a command line, where every user of the machine could read it in the process list."""
    settings = connection.settings_dict
    env = {**os.environ}
    for variable, value in (("PGHOST", settings.get("HOST")), ("PGPORT", settings.get("PORT")),
                            ("PGUSER", settings.get("USER")), ("PGPASSWORD", settings.get("PASSWORD")),
                            ("PGDATABASE", settings.get("NAME"))):
        if value:
            env[variable] = str(value)
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT"),
                             ("sslcert", "PGSSLCERT"), ("sslkey", "PGSSLKEY")):
        if settings.get("OPTIONS", {}).get(option):
            env[variable] = str(settings["OPTIONS"][option])
    return env


def _tool_major(path: str) -> int | None:
    completed = subprocess.run([path, "--version"], capture_output=True, text=True)
    match = re.search(r"\(PostgreSQL\) (\d+)", completed.stdout)
    return int(match.group(1)) if match else None


def pg_tool(name: str, connection) -> str:
    """pg_dump or pg_restore of at least the server's major version: an older pg_dump refuses a newer
    server, and an older pg_restore cannot read what a newer pg_dump wrote. KAIKUKANTA_PG_BIN names the
    one folder to look in; otherwise Debian's folder for the server's version, then PATH."""
    connection.ensure_connection()
    server = connection.pg_version // 10000
    if os.environ.get("KAIKUKANTA_PG_BIN"):
        folders = [os.environ["KAIKUKANTA_PG_BIN"]]
    else:
        folders = [f"/usr/lib/postgresql/{server}/bin", *os.environ.get("PATH", "").split(os.pathsep)]
    found = [path for path in (shutil.which(name, path=folder) for folder in folders if folder) if path]
    if not found:
        raise CommandError(
            f"{name} not found: install the PostgreSQL {server} client tools (Debian: apt-get install "
            f"postgresql-client-{server}) or name their folder in KAIKUKANTA_PG_BIN")
    majors = {path: _tool_major(path) for path in found}
    for path, major in majors.items():
        if major is not None and major >= server:
            return path
    seen = ", ".join(f"{path} is {major or 'of unknown version'}" for path, major in majors.items())
    raise CommandError(
        f"{name} must be PostgreSQL {server} or newer, like the server, but {seen}: install "
        f"postgresql-client-{server} or name its folder in KAIKUKANTA_PG_BIN")


def run_pg_tool(command: list[str], connection) -> None:
    completed = subprocess.run(command, env=pg_environment(connection), capture_output=True, text=True)
    if completed.returncode != 0:
        raise CommandError(f"{Path(command[0]).name} failed (exit {completed.returncode}):\n"
                           f"{completed.stderr.strip()}")


def user_tables(connection) -> list[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT schemaname || '.' || tablename FROM pg_tables "
                           "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                           "ORDER BY 1")
        return [row[0] for row in cursor.fetchall()]


def size_mb(path: Path) -> str:
    return f"{path.stat().st_size / 1024 / 1024:.1f} MB"
