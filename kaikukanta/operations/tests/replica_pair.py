"""A private PostgreSQL primary and a hot standby streaming from it (pg_basebackup, streaming replication on
another port), for the replica tests: the shared server at 5432 refuses replication connections."""

import subprocess

from kaikukanta.core.tests.private_postgres import PG_BIN, PrivateCluster

# hot_standby_feedback (copied to the standby by pg_basebackup), as RUNBOOK.md asks of a statistics replica: the
# primary keeps the rows a standby query still reads, so no statistics read, nor a statement run just as replay
# resumes after a pause, is cancelled for a "conflict with recovery".
PRIMARY_SETTINGS = ("\nwal_level = replica\nmax_wal_senders = 5\nhot_standby = on\nwal_keep_size = 64MB\n"
                    "hot_standby_feedback = on\n")


class ReplicatedPair:
    """`synchronous`: the primary's commit waits until the standby has the transaction on disk
    (synchronous_standby_names), so a promoted standby holds every commit a client was told of."""

    def __init__(self, synchronous: bool = False):
        self.synchronous = synchronous
        self.primary = PrivateCluster()
        self.standby = PrivateCluster()
        self.standby.url = f"postgres://postgres@127.0.0.1:{self.standby.port}/kaikukanta"

    def init(self) -> None:
        primary = self.primary
        # initdb's pg_hba.conf already admits replication from 127.0.0.1 with the chosen method (trust).
        primary._run(str(PG_BIN / "initdb"), "-D", str(primary.data), "-A", "trust", "-U", "postgres", "--no-sync")
        with open(primary.data / "postgresql.conf", "a") as conf:
            conf.write(PRIMARY_SETTINGS)
        primary.start()
        primary.psql("CREATE DATABASE kaikukanta", database="postgres")
        # -R writes standby.signal and primary_conninfo: the copy starts as a streaming hot standby.
        self.standby._run(str(PG_BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres",
                          "-D", str(self.standby.data), "-R", "-X", "stream", "--no-sync")
        self.standby.start()
        if self.synchronous:
            # On the primary only (ALTER SYSTEM, after the copy): a promoted standby must not wait for one.
            primary.psql("ALTER SYSTEM SET synchronous_standby_names = '*'", database="postgres")
            primary.psql("SELECT pg_reload_conf()", database="postgres")

    def promote(self) -> None:
        """The documented manual failover: the standby leaves recovery and takes writes."""
        self.standby._run(str(PG_BIN / "pg_ctl"), "-D", str(self.standby.data), "-w", "promote")

    def standby_sql(self, statement: str) -> list[tuple]:
        import psycopg

        with psycopg.connect(self.standby.url.replace("postgres://", "postgresql://"), autocommit=True) as db:
            cursor = db.execute(statement)
            return cursor.fetchall() if cursor.description else []

    def caught_up(self) -> bool:
        primary_lsn = self.primary.query("SELECT pg_current_wal_lsn()::text")[0][0]
        return self.standby_sql(f"SELECT pg_last_wal_replay_lsn() >= '{primary_lsn}'::pg_lsn")[0][0]

    def remove(self) -> None:
        for cluster in (self.standby, self.primary):
            try:
                cluster.remove()
            except subprocess.CalledProcessError:
                pass
