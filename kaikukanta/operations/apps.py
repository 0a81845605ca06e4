from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kaikukanta.operations"
    label = "operations"

    def ready(self):
        from kaikukanta.stats import rollups

        from . import signals  # noqa: F401  (task failures are recorded for the national admin)
        from .tasks import reader_leaves_fold_to_worker

        # Statistics readers skip the fold while a worker (or the primary behind a replica) does it.
        rollups.leave_fold_to_others_when(reader_leaves_fold_to_worker)
