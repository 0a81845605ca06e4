from django.apps import AppConfig


class StatsConfig(AppConfig):
    name = "kaikukanta.stats"
    label = "stats"

    def ready(self):
        from kaikukanta.core import changes

        from . import rollups

        # The card and visit services tell core.changes what they changed; the rollups write it down.
        changes.follow(changes.Follower(insert_visit=rollups.insert_visit, visit_cancelled=rollups.visit_cancelled,
                                        cards_changed=rollups.cards_changed, catch_up=rollups.fold))

        # What the dashboard's cached tables read besides the rollups: a change makes them older.
        from django.db.models.signals import post_delete, post_save

        from kaikukanta.cards.models import WellbeingQuestion
        from kaikukanta.network.models import Area, AreaStatusPeriod, Membership, Organisation
        from kaikukanta.reference.models import LowIncomeFigure, Municipality, WelfareArea

        from .dashboard_cache import inputs_changed

        for model in (Area, AreaStatusPeriod, Membership, Organisation, Municipality, WelfareArea, LowIncomeFigure,
                      WellbeingQuestion):
            for signal in (post_save, post_delete):
                signal.connect(inputs_changed, sender=model, dispatch_uid=f"stats-inputs-{model.__name__}-{signal}")
