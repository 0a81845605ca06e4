"""An import run from the browser (jobs.py): the uploaded file, its dry run, its commit, and what came of them.

The command-line importers keep no record beyond the audit log; a job is what the page shows and polls."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    CARDS = "cards", _("Cards")
    VISITS = "visits", _("Visits")


class FileFormat(models.TextChoices):
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"


class JobState(models.TextChoices):
    QUEUED = "queued", _("Waiting for its turn")
    CHECKING = "checking", _("Checking the rows")
    CHECKED = "checked", _("Checked: ready to import")
    REFUSED = "refused", _("Bad rows found: nothing imported")
    COMMITTING = "committing", _("Importing")
    COMMITTED = "committed", _("Imported")
    CANCELLED = "cancelled", _("Cancelled")
    FAILED = "failed", _("Failed")


# States in which a task is (or will be) working on the job: the page polls while the job is in one.
RUNNING_STATES = frozenset({JobState.QUEUED, JobState.CHECKING, JobState.COMMITTING})
# States after which nothing more happens to the job, and its file is deleted.
FINAL_STATES = frozenset({JobState.REFUSED, JobState.COMMITTED, JobState.CANCELLED, JobState.FAILED})


class ImportJob(models.Model):
    kind = models.CharField(_("kind"), max_length=10, choices=ImportKind.choices)
    area = models.ForeignKey("network.Area", on_delete=models.PROTECT, related_name="+", verbose_name=_("area"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Who asked for the commit (or the cancel): the actor of the import's audit record.
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    file_name = models.CharField(_("file"), max_length=200)
    file_format = models.CharField(max_length=10, choices=FileFormat.choices)
    file_size = models.PositiveIntegerField(default=0)
    state = models.CharField(_("state"), max_length=20, choices=JobState.choices, default=JobState.QUEUED)
    rows_checked = models.PositiveIntegerField(default=0)
    rows_written = models.PositiveIntegerField(default=0)
    error_count = models.PositiveIntegerField(default=0)
    # The first KEPT_ERRORS bad rows: [{"line", "code", "field", "detail"}], rendered in the reader's language.
    errors = models.JSONField(default=list, blank=True)
    # What the import creates, by site: {"sites": {site id: rows}, "closed": cards closed}.
    summary = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    # The running phase's start, for the time left; the finished job's end.
    phase_started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.kind} {self.file_name} ({self.state})"

    @property
    def running(self) -> bool:
        return self.state in RUNNING_STATES

    @property
    def final(self) -> bool:
        return self.state in FINAL_STATES


class ImportUpload(models.Model):
    """The uploaded file itself, kept in the database (so any worker host can read it) only while its job
    needs it: deleted when the job is imported, refused, cancelled or failed."""

    job = models.OneToOneField(ImportJob, on_delete=models.CASCADE, related_name="upload")
    content = models.BinaryField()

    def __str__(self):
        return f"upload of job {self.job_id}"
