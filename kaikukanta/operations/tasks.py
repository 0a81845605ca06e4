"""The background work, each task idempotent and retried with backoff; a task that still fails is recorded
(signals.py) and shown to the national admin. Beat's schedule is CELERY_BEAT_SCHEDULE in settings."""

import datetime
import time
from pathlib import Path

from celery import Task, shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command

from kaikukanta.core.clock import today

from . import files, replica

HEARTBEAT_KEY = "kaikukanta:worker-heartbeat"
# Retried with backoff on a worker; run eagerly (no broker) a failure is the caller's at once.
RETRIED = {} if settings.CELERY_TASK_ALWAYS_EAGER else {
    "autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


class RecordedTask(Task):
    """On a worker Celery's task_failure signal records a failure for good (signals.py); run eagerly, Celery
    raises to the caller without that signal, so the failure is recorded here."""

    def __call__(self, *args, **kwargs):
        try:
            return super().__call__(*args, **kwargs)
        except Exception as error:
            if self.request.is_eager:
                from .signals import record_failure

                record_failure(sender=self, task_id=self.request.id, exception=error)
            raise


RETRIED["base"] = RecordedTask


@shared_task(**RETRIED)
def fold_statistics() -> None:
    """Fold every pending statistics change (one fold at a time: the fold takes an advisory lock)."""
    from kaikukanta.stats import dashboard_cache, rollups

    rollups.fold()
    heartbeat()
    # The dashboards read lately, made again from what this fold (or an earlier one) changed.
    dashboard_cache.warm(budget_seconds=settings.KAIKUKANTA_FOLD_SECONDS)


@shared_task(base=RecordedTask)
def heartbeat() -> None:
    """A worker is alive and folding: readers then leave the fold to it (/readyz checks this too)."""
    cache.set(HEARTBEAT_KEY, time.time(), timeout=settings.KAIKUKANTA_WORKER_HEARTBEAT_SECONDS * 8)


def worker_alive() -> bool:
    beat = cache.get(HEARTBEAT_KEY)
    return beat is not None and time.time() - beat < settings.KAIKUKANTA_WORKER_HEARTBEAT_SECONDS * 4


def reader_leaves_fold_to_worker() -> bool:
    """A statistics reader skips the fold when the rollups it reads are folded by someone else: a live worker
    (its figures are then at most a fold interval behind the desk) or the primary behind the replica it reads."""
    return replica.reading_statistics() and (replica.reading_from_replica() or worker_alive())


@shared_task(**RETRIED)
def coarsen_holder_data() -> None:
    call_command("coarsen_holder_data")


@shared_task(**RETRIED)
def backup() -> str:
    """Tonight's backup into KAIKUKANTA_BACKUP_DIR (one file a day, so a rerun replaces it), keeping the last
    KAIKUKANTA_BACKUP_KEEP_DAYS files."""
    if not settings.KAIKUKANTA_BACKUP_DIR:
        return ""
    directory = Path(settings.KAIKUKANTA_BACKUP_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"kaikukanta-{today().isoformat()}.dump"
    call_command("backup", str(target), "--overwrite")
    oldest = today() - datetime.timedelta(days=settings.KAIKUKANTA_BACKUP_KEEP_DAYS)
    for old in directory.glob("kaikukanta-*.dump"):
        try:
            day = datetime.date.fromisoformat(old.name.removeprefix("kaikukanta-").removesuffix(".dump"))
        except ValueError:
            continue
        if day < oldest:
            old.unlink()
    return str(target)


@shared_task(bind=True, **RETRIED)
def prepare_file(self, file_id: str) -> None:
    """An annual report or area export for the page that asked (files.py); building it again is harmless."""
    try:
        files.prepare(file_id)
    except Exception:
        if self.request.is_eager or self.request.retries >= self.max_retries:
            files.failed(file_id)
        raise


@shared_task(**RETRIED)
def remove_expired_files() -> int:
    return files.remove_expired()
