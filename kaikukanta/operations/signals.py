import logging

from celery.signals import task_failure

logger = logging.getLogger(__name__)


@task_failure.connect
def record_failure(sender=None, task_id=None, exception=None, **kwargs):
    """Celery sends this once a task has failed for good (after its last retry)."""
    from .models import TaskFailure

    name = getattr(sender, "name", str(sender))
    logger.error("task failed for good", extra={"task": name, "error": exception.__class__.__name__})
    TaskFailure.objects.create(task=name[:200], task_id=(task_id or "")[:64],
                               error=f"{exception.__class__.__name__}: {exception}"[:500])
