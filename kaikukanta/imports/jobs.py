"""Imports from the browser: a job per uploaded file, a dry run first, then the commit, all-or-nothing.

Both phases run the command-line importers' own code (services.import_cards / import_visits) on the stored
file, on the task queue (tasks.py): the dry run judges every row and writes none; the commit judges them
again (the register may have changed meanwhile) and writes them all, or none if any row is bad now. The
policy decides each row: a row's site (the card's issuer, the visit's venue) must be in the job's area, an
area the actor may import for (policy.RUN_IMPORT).

While a phase runs, its progress and a cancel request live in the shared cache, not in the job's row: the
phase holds a transaction (on SQLite the database's one write lock) that the page must not wait for."""

import logging
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.caller import Caller, Channel
from kaikukanta.accounts.policy import Action, allowed, require_caller
from kaikukanta.core import audit
from kaikukanta.core.bounds import ID_MAX, ID_MIN
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Area, Organisation

from . import services
from .models import FINAL_STATES, FileFormat, ImportJob, ImportKind, ImportUpload, JobState
from .spreadsheet import MAX_ROWS, SOURCES

logger = logging.getLogger(__name__)

MAX_BYTES = settings.KAIKUKANTA_MAX_UPLOAD_BYTES
MAX_NAME = 200
# Details formatted when rendered (_lazy): named here for makemessages.
gettext_noop("the file is larger than %(mb)s MB")
gettext_noop("more than %(rows)s rows: split the file")
KEPT_ERRORS = 500
PROGRESS_SECONDS = 24 * 3600
IMPORTERS = {ImportKind.CARDS: services.import_cards, ImportKind.VISITS: services.import_visits}
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"     # the old binary .xls


class Cancelled(Exception):
    pass


def _progress_key(job_id: int) -> str:
    return f"kaikukanta:import:{job_id}:progress"


def _cancel_key(job_id: int) -> str:
    return f"kaikukanta:import:{job_id}:cancel"


def progress_of(job_id: int) -> dict | None:
    """{"phase", "rows", "fraction", "started"} of the phase running now, or None."""
    return cache.get(_progress_key(job_id))


def _area(caller: Caller, area_id) -> Area:
    text = str(area_id or "").strip()
    if not text.isdigit() or not ID_MIN <= int(text) <= ID_MAX:
        raise Refusal(Code.INVALID, field="area")
    area = Area.objects.filter(pk=int(text)).first()
    if area is None:
        raise Refusal(Code.INVALID, field="area")
    require_caller(caller, Action.RUN_IMPORT, area)
    return area


def _lazy(text: str, **values):
    """A detail translated when the refusal is rendered, in the reader's language."""
    return lazy(lambda: gettext(text) % values, str)()


def too_large_detail():
    return _lazy("the file is larger than %(mb)s MB", mb=max(1, round(MAX_BYTES / 2**20)))


def _read(upload) -> tuple[str, str, bytes]:
    """The upload's name, format and content, or a refusal that says what is wrong with it."""
    if upload is None:
        raise Refusal(Code.INVALID, field="file", detail=_("choose a file"))
    name = Path(str(upload.name or "")).name[:MAX_NAME]
    if upload.size is not None and upload.size > MAX_BYTES:
        raise Refusal(Code.TOO_LARGE, field="file", detail=too_large_detail())
    content = b"".join(upload.chunks())
    if len(content) > MAX_BYTES:
        raise Refusal(Code.TOO_LARGE, field="file", detail=too_large_detail())
    if not content.strip():
        raise Refusal(Code.INVALID, field="file", detail=_("the file is empty"))
    suffix = Path(name).suffix.lower()
    if content.startswith(OLE_MAGIC) or suffix == ".xls":
        raise Refusal(Code.INVALID, field="file", detail=_("an old Excel file (.xls): save it as XLSX or CSV"))
    if suffix == ".xlsx":
        if not content.startswith(ZIP_MAGIC):
            raise Refusal(Code.INVALID, field="file", detail=_("the file is not an XLSX workbook"))
        return name, FileFormat.XLSX, content
    if suffix in (".csv", ".txt"):
        if content.startswith(ZIP_MAGIC):
            raise Refusal(Code.INVALID, field="file", detail=_("the file is a workbook: name it .xlsx"))
        if content.count(b"\n") > MAX_ROWS + 1:
            raise Refusal(Code.TOO_LARGE, field="file", detail=_lazy(
                "more than %(rows)s rows: split the file", rows=f"{MAX_ROWS:,}".replace(",", " ")))
        return name, FileFormat.CSV, content
    raise Refusal(Code.INVALID, field="file", detail=_("only CSV (.csv) and XLSX (.xlsx) files can be imported"))


def start(caller: Caller, *, kind: str, area_id, upload) -> ImportJob:
    """Store an uploaded file as a new job and queue its dry run."""
    require_caller(caller, Action.VIEW_IMPORTS)
    if kind not in ImportKind.values:
        raise Refusal(Code.INVALID, field="kind")
    area = _area(caller, area_id)
    name, file_format, content = _read(upload)
    with transaction.atomic():
        job = ImportJob.objects.create(kind=kind, area=area, created_by=caller.user, file_name=name,
                                       file_format=file_format, file_size=len(content))
        ImportUpload.objects.create(job=job, content=content)
        audit.record(caller.user, "import_uploaded", job, kind=kind, area=area.pk, bytes=len(content))
        transaction.on_commit(lambda: _enqueue(job.pk, "check"))
    return job


def _job(caller: Caller, job_id) -> ImportJob:
    text = str(job_id)
    job = ImportJob.objects.filter(pk=int(text)).first() if text.isdigit() and int(text) <= ID_MAX else None
    if job is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.RUN_IMPORT, job, refusal=Code.NOT_FOUND)
    return job


def commit(caller: Caller, job_id) -> ImportJob:
    """Queue the import of a job whose dry run found no bad row."""
    job = _job(caller, job_id)
    with transaction.atomic():
        if not ImportJob.objects.filter(pk=job.pk, state=JobState.CHECKED).update(
                state=JobState.COMMITTING, decided_by=caller.user, phase_started_at=timezone.now()):
            raise Refusal(Code.INVALID, detail=_("the file is not ready to import"))
        audit.record(caller.user, "import_commit_requested", job, kind=job.kind, area=job.area_id)
        transaction.on_commit(lambda: _enqueue(job.pk, "commit"))
    job.refresh_from_db()
    return job


def cancel(caller: Caller, job_id) -> ImportJob:
    """Cancel a job before its commit: at once when it waits, at the next chunk when its dry run runs."""
    job = _job(caller, job_id)
    if job.state == JobState.CHECKING:
        # The dry run holds its transaction: it reads this flag between chunks and ends itself.
        cache.set(_cancel_key(job.pk), caller.pk or 0, PROGRESS_SECONDS)
        return job
    with transaction.atomic():
        if not ImportJob.objects.filter(pk=job.pk, state__in=(JobState.QUEUED, JobState.CHECKED)).update(
                state=JobState.CANCELLED, decided_by=caller.user, finished_at=timezone.now()):
            raise Refusal(Code.INVALID, detail=_("the import can no longer be cancelled"))
        cache.set(_cancel_key(job.pk), caller.pk or 0, PROGRESS_SECONDS)
        ImportUpload.objects.filter(job=job).delete()
        audit.record(caller.user, "import_cancelled", job, kind=job.kind, area=job.area_id)
    job.refresh_from_db()
    return job


def _enqueue(job_id: int, phase: str) -> None:
    from .tasks import run_import_job

    run_import_job.delay(job_id, phase)


# --- the work of the task ---

def _caller_of(user) -> Caller:
    return Caller.for_console(user=user, channel=Channel.IMPORT)


def _may_touch(user, area_id: int):
    """The policy's word on a row's site: in the job's area, which the actor may import for."""
    area_of = dict(Organisation.objects.values_list("id", "area_id"))
    verdicts: dict[int | None, bool] = {}

    def may_touch(site_id: int) -> bool:
        area = area_of.get(site_id)
        if area not in verdicts:
            verdicts[area] = area == area_id and allowed(user, Action.RUN_IMPORT, Area(pk=area))
        return verdicts[area]

    return may_touch


def run(job_id: int, phase: str) -> None:
    """One phase of a job; idempotent: a phase already done (or a job cancelled) is left as it is."""
    job = ImportJob.objects.select_related("created_by", "decided_by").filter(pk=job_id).first()
    if job is None:
        return
    if phase == "check" and job.state in (JobState.QUEUED, JobState.CHECKING):
        _check(job)
    elif phase == "commit" and job.state == JobState.COMMITTING:
        _commit(job.pk)


def _check(job: ImportJob) -> None:
    if cache.get(_cancel_key(job.pk)) is not None:
        return _finish_cancelled(job)
    ImportJob.objects.filter(pk=job.pk).update(state=JobState.CHECKING, phase_started_at=timezone.now())
    try:
        result, source = _import(job, job.created_by, "check", dry_run=True)
    except Cancelled:
        return _finish_cancelled(job)
    good = result.error_count == 0
    job.state = JobState.CHECKED if good else JobState.REFUSED
    _keep_result(job, result, source)
    job.rows_checked = result.rows
    job.save()
    if not good:
        ImportUpload.objects.filter(job=job).delete()


def _commit(job_id: int) -> None:
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job_id)
        if job.state != JobState.COMMITTING:
            return
        result, source = _import(job, job.decided_by, "commit", dry_run=False)
        job.state = JobState.COMMITTED if result.written else JobState.REFUSED
        _keep_result(job, result, source)
        job.rows_written = result.rows if result.written else 0
        job.save()
        ImportUpload.objects.filter(job=job).delete()


def _keep_result(job: ImportJob, result, source) -> None:
    job.error_count = result.error_count
    job.errors = [{"line": error.line, "code": error.code.value, "field": error.field, "detail": error.detail}
                  for error in result.errors[:KEPT_ERRORS]]
    job.summary = {"sites": dict(getattr(source, "sites", {})), "closed": getattr(source, "closed", 0)}
    job.sha256 = result.sha256
    job.finished_at = timezone.now()
    cache.delete(_progress_key(job.pk))


def _import(job: ImportJob, actor, phase: str, *, dry_run: bool):
    """Run the importer on the job's file; raises Cancelled when a cancel request arrives between chunks."""
    caller = _caller_of(actor)
    require_caller(caller, Action.RUN_IMPORT, job)
    content = ImportUpload.objects.filter(job=job).values_list("content", flat=True).first()
    if content is None:
        raise Refusal(Code.NOT_FOUND, detail="the uploaded file is gone")
    started = time.time()
    cache.set(_progress_key(job.pk), {"phase": phase, "rows": 0, "fraction": 0.0, "started": started},
              PROGRESS_SECONDS)
    made = []

    def source(path, columns, optional=()):
        made.append(SOURCES[job.file_format](path, columns, optional))
        return made[-1]

    def progress(rows: int, fraction: float | None) -> None:
        if dry_run and cache.get(_cancel_key(job.pk)) is not None:
            raise Cancelled()
        cache.set(_progress_key(job.pk), {"phase": phase, "rows": rows, "fraction": fraction, "started": started},
                  PROGRESS_SECONDS)

    with tempfile.NamedTemporaryFile(suffix=f".{job.file_format}") as handle:
        handle.write(bytes(content))
        handle.flush()
        del content
        result = IMPORTERS[job.kind](handle.name, progress=progress, caller=caller, source=source,
                                     dry_run=dry_run, may_touch=_may_touch(actor, job.area_id))
    return result, made[0] if made else None


def _finish_cancelled(job: ImportJob) -> None:
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.filter(pk=cache.get(_cancel_key(job.pk)) or None).first()
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(state=JobState.CANCELLED, decided_by=actor,
                                                   finished_at=timezone.now())
        ImportUpload.objects.filter(job=job).delete()
        audit.record(actor, "import_cancelled", job, kind=job.kind, area=job.area_id)
    cache.delete(_progress_key(job.pk))


def fail(job_id: int, error: Exception) -> None:
    """A phase that failed for good: the job says so (the error's class only), its file is deleted."""
    logger.error("import job failed", extra={"job": job_id, "error": error.__class__.__name__})
    reason = error.code.value if isinstance(error, Refusal) else error.__class__.__name__
    ImportJob.objects.filter(pk=job_id).exclude(state__in=FINAL_STATES).update(
        state=JobState.FAILED, failure=reason[:300], finished_at=timezone.now())
    ImportUpload.objects.filter(job_id=job_id).delete()
    cache.delete(_progress_key(job_id))
