from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kaikukanta.core"
    label = "core"
