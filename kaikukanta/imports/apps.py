from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "kaikukanta.imports"
    label = "imports"
