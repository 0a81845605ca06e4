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
