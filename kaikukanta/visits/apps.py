from django.apps import AppConfig


class VisitsConfig(AppConfig):
    name = "kaikukanta.visits"
    label = "visits"
