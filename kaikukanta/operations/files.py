"""Files prepared in the background: an area's (or the network's) annual report PDF and an area export ZIP.

A page asks `start`, which checks the policy, finds the same file already being prepared for the same
user (a second click or a reloaded form starts nothing new) or queues `tasks.prepare_file`; the page then
polls the file's state. `prepare` (the task's body) builds the file as its owner, so the policy and the
audit of the export are those of the owner at the time it is built, writes it under a new name and marks
it ready only once it is complete: run again after a lost worker it builds it again, never half. `for_owner`
and `download` show a file to its owner only, and only while the policy still allows them what it holds.

Storage is bounded: each user keeps at most KAIKUKANTA_FILES_PER_USER files (starting one more removes their
oldest finished one), and every file goes after KAIKUKANTA_FILES_KEEP_HOURS (`remove_expired`, hourly)."""

import datetime
import logging
import tempfile
import uuid

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import storages
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.policy import Action, account_usable, require
from kaikukanta.core import audit
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Area

from . import replica
from .models import PreparedFile

logger = logging.getLogger(__name__)
Kind, State = PreparedFile.Kind, PreparedFile.State
ACTIVE = (State.QUEUED, State.RUNNING)
# What the owner must still be allowed, on the file's area, to see and download it.
ACTION = {Kind.ANNUAL_REPORT: Action.VIEW_STATS, Kind.AREA_EXPORT: Action.EXPORT_AREA}
SUFFIX = {Kind.ANNUAL_REPORT: "pdf", Kind.AREA_EXPORT: "zip"}
CONTENT_TYPE = {Kind.ANNUAL_REPORT: "application/pdf", Kind.AREA_EXPORT: "application/zip"}


def storage():
    return storages["prepared_files"]


def _require(user, kind: str, area: Area | None) -> None:
    if not account_usable(user):
        raise Refusal(Code.FORBIDDEN)
    require(user, ACTION[kind], area)


def start(user, kind: str, *, area: Area | None, year: int | None = None, language: str = "") -> PreparedFile:
    """The file asked for, queued (or the same one already being prepared for this user)."""
    from . import tasks

    _require(user, kind, area)
    with transaction.atomic():
        # One user's starts are taken one at a time: two clicks find each other's file.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        same = PreparedFile.objects.filter(owner=user, kind=kind, area=area, year=year, language=language,
                                           state__in=ACTIVE).first()
        if same is not None:
            return same
        mine = list(PreparedFile.objects.filter(owner=user).order_by("-created_at"))
        if sum(1 for file in mine if file.state in ACTIVE) >= settings.KAIKUKANTA_FILES_PER_USER:
            raise Refusal(Code.THROTTLED, detail=_("wait until one of the files being prepared is ready"))
        for old in [file for file in mine if file.state not in ACTIVE][settings.KAIKUKANTA_FILES_PER_USER - 1:]:
            _remove(old)
        prepared = PreparedFile.objects.create(owner=user, kind=kind, area=area, year=year, language=language)
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            # A worker must find the row: the task is sent once it is committed.
            transaction.on_commit(lambda: tasks.prepare_file.delay(str(prepared.pk)))
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # No broker (`make run`): prepared here and now, in this process, once the row is written.
        try:
            tasks.prepare_file.delay(str(prepared.pk))
        except Exception:  # recorded as a TaskFailure and on the file, which the page then shows as failed
            logger.exception("preparing a file failed")
        prepared.refresh_from_db()
    return prepared


def for_owner(user, file_id) -> PreparedFile:
    """The user's own file, while they may still see what it holds; any other: 404."""
    try:
        file_id = uuid.UUID(str(file_id)[:36])
    except ValueError:
        raise Refusal(Code.NOT_FOUND) from None
    prepared = PreparedFile.objects.filter(pk=file_id, owner=user).select_related("area").first()
    if prepared is None or _expired(prepared):
        raise Refusal(Code.NOT_FOUND)
    _require(user, prepared.kind, prepared.area)
    return prepared


def owned_by(user) -> list[PreparedFile]:
    return [prepared for prepared in PreparedFile.objects.filter(owner=user).select_related("area")
            if not _expired(prepared)]


def download(user, file_id) -> tuple[PreparedFile, File]:
    """The ready file to send; the policy is asked again (a coordinator moved to another area since gets
    nothing), and taking an area export is audited as a read of the holder data it holds."""
    from kaikukanta.cards.selectors import HOLDER_READ

    prepared = for_owner(user, file_id)
    if prepared.state != State.READY:
        raise Refusal(Code.NOT_FOUND)
    if prepared.kind == Kind.AREA_EXPORT:
        audit.record(user, HOLDER_READ, prepared.area, via="area_export_download")
    return prepared, storage().open(prepared.stored_name, "rb")


def file_name(prepared: PreparedFile) -> str:
    if prepared.kind == Kind.ANNUAL_REPORT:
        return f"kaikukanta-{prepared.year}.pdf"
    return f"kaikukanta-area-{prepared.area_id}-{prepared.created_at.date().isoformat()}.zip"


def _expired(prepared: PreparedFile) -> bool:
    return prepared.created_at < timezone.now() - datetime.timedelta(hours=settings.KAIKUKANTA_FILES_KEEP_HOURS)


def _remove(prepared: PreparedFile) -> None:
    if prepared.stored_name:
        storage().delete(prepared.stored_name)
    prepared.delete()


def remove_expired() -> int:
    """Every file older than KAIKUKANTA_FILES_KEEP_HOURS goes, with its row. Returns how many."""
    limit = timezone.now() - datetime.timedelta(hours=settings.KAIKUKANTA_FILES_KEEP_HOURS)
    old = list(PreparedFile.objects.filter(created_at__lt=limit))
    for prepared in old:
        _remove(prepared)
    return len(old)


def _set(prepared: PreparedFile, **fields) -> None:
    for name, value in fields.items():
        setattr(prepared, name, value)
    PreparedFile.objects.filter(pk=prepared.pk).update(**fields)


def prepare(file_id: str) -> None:
    """Build the file (the task's body). Already ready, or gone: nothing to do."""
    prepared = PreparedFile.objects.filter(pk=file_id).select_related("owner", "area").first()
    if prepared is None or prepared.state == State.READY:
        return
    _set(prepared, state=State.RUNNING, progress=0)
    try:
        with tempfile.TemporaryFile() as scratch, replica.statistics_reads():
            _build(prepared, scratch, lambda share: _set(prepared, progress=min(99, int(share * 100))))
            scratch.seek(0)
            stored = storage().save(f"{prepared.pk}.{SUFFIX[prepared.kind]}", File(scratch))
            size = storage().size(stored)
    except Refusal:
        # The owner may no longer have it (moved, deactivated): a refusal is the answer, not a fault to retry.
        _set(prepared, state=State.FAILED, finished_at=timezone.now())
        return
    old_name = prepared.stored_name
    _set(prepared, state=State.READY, progress=100, stored_name=stored, size=size, finished_at=timezone.now())
    if old_name and old_name != stored:
        storage().delete(old_name)


def failed(file_id: str) -> None:
    """The task gave up (its retries spent): the page says so, the national admin sees a TaskFailure."""
    PreparedFile.objects.filter(pk=file_id).exclude(state=State.READY).update(
        state=State.FAILED, finished_at=timezone.now())


def _build(prepared: PreparedFile, out, progress) -> None:
    owner = prepared.owner
    _require(owner, prepared.kind, prepared.area)
    if prepared.kind == Kind.ANNUAL_REPORT:
        from kaikukanta.stats.report import annual_report
        from kaikukanta.stats.services import scope_for

        scope = scope_for(owner, prepared.area_id)
        progress(0.1)
        out.write(annual_report(scope, prepared.year, prepared.language, today()))
        return
    from kaikukanta.stats.area_export import area_export

    _area, chunks = area_export(owner, prepared.area_id, progress=progress)
    for chunk in chunks:
        out.write(chunk)
