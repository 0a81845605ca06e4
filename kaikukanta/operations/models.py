import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskFailure(models.Model):
    """A background task that failed for good (its retries spent), shown on the national admin's status page.
    The error is its class and message only: task arguments are never stored."""

    task = models.CharField(_("task"), max_length=200)
    task_id = models.CharField(max_length=64, blank=True)
    error = models.CharField(_("error"), max_length=500)
    failed_at = models.DateTimeField(_("failed at"), auto_now_add=True)

    class Meta:
        ordering = ["-failed_at"]

    def __str__(self):
        return f"{self.task} {self.failed_at:%Y-%m-%d %H:%M}"


class PreparedFile(models.Model):
    """A file the worker prepares for one user (an annual report PDF, an area export ZIP): the page that asked
    for it polls its state and offers the file when it is ready. Kept KAIKUKANTA_FILES_KEEP_HOURS, then
    removed with its file (tasks.remove_expired_files); only its owner may see it, and only while the policy
    still allows them what it holds (files.py)."""

    class Kind(models.TextChoices):
        ANNUAL_REPORT = "annual_report", _("annual report")
        AREA_EXPORT = "area_export", _("export of the area")

    class State(models.TextChoices):
        QUEUED = "queued", _("waiting for its turn")
        RUNNING = "running", _("being prepared")
        READY = "ready", _("ready")
        FAILED = "failed", _("could not be prepared")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # None: the whole network (the national admin's annual report).
    area = models.ForeignKey("network.Area", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    language = models.CharField(max_length=5, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)   # per cent
    stored_name = models.CharField(max_length=200, blank=True)
    size = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner", "created_at"]), models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.kind} {self.id}"

    @property
    def done(self) -> bool:
        return self.state in (self.State.READY, self.State.FAILED)
