from django.apps import AppConfig


class DevicesConfig(AppConfig):
    name = "kaikukanta.devices"
    label = "devices"

    def ready(self):
        # Held leases count in the visit service's quota arithmetic (visits.services.register_quota_holds).
        from kaikukanta.visits import services as visit_services

        from . import leases

        visit_services.register_quota_holds(leases.tickets_held)
