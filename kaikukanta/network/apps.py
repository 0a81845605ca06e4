from django.apps import AppConfig


class NetworkConfig(AppConfig):
    name = "kaikukanta.network"
    label = "network"
