from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "kaikukanta.cards"
    label = "cards"
