from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "kaikukanta.stats"
    label = "stats"
