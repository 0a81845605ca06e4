from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kaikukanta.operations"
    label = "operations"

    def ready(self):
        import dataclasses

        from kaikukanta.core import changes
        from kaikukanta.stats import rollups

        from . import (
            metrics,
            signals,  # noqa: F401  (task failures are recorded for the national admin)
        )
        from .tasks import reader_leaves_fold_to_worker

        # Visits committed by a request are counted (a paper list's rows in the registrations metric).
        follower = changes.follower()
        changes.follow(dataclasses.replace(follower, insert_visit=metrics.counting_visits(follower.insert_visit)))

        # Statistics readers skip the fold while a worker (or the primary behind a replica) does it.
        rollups.leave_fold_to_others_when(reader_leaves_fold_to_worker)
