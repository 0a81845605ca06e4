"""The browser's imports on the task queue: one task per phase of a job (jobs.py), idempotent and retried
with backoff like the tasks of operations; a phase that still fails marks its job failed."""

from celery import shared_task
from celery.signals import task_failure
from django.conf import settings

from . import jobs

RETRIED = {} if settings.CELERY_TASK_ALWAYS_EAGER else {
    "autoretry_for": (Exception,), "retry_backoff": True, "retry_backoff_max": 300, "max_retries": 5}


@shared_task(bind=True, **RETRIED)
def run_import_job(self, job_id: int, phase: str) -> None:
    try:
        jobs.run(job_id, phase)
    except Exception as error:
        if self.request.is_eager:
            # Run eagerly (no broker) there is no retry and Celery sends no failure signal: the job is
            # marked failed and the failure recorded as a worker's would be; the page that asked goes on.
            jobs.fail(job_id, error)
            task_failure.send(sender=self, task_id=self.request.id, exception=error)
            return
        if self.request.retries >= self.max_retries:
            jobs.fail(job_id, error)
        raise
