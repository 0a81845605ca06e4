from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "kaikukanta.programme"
    label = "programme"

    def ready(self):
        from . import services  # noqa: F401  (the receiver that keeps the longest validity one rule)
