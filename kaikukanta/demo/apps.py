from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kaikukanta.demo"
    label = "demo"
