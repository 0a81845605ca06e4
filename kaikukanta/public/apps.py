from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "kaikukanta.public"
    verbose_name = "Public pages"
