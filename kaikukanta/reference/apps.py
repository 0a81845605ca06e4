from django.apps import AppConfig


class ReferenceConfig(AppConfig):
    name = "kaikukanta.reference"
    label = "reference"
