from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "kaikukanta.operations"
    label = "operations"

    def ready(self):
        from . import signals  # noqa: F401  (task failures are recorded for the national admin)
