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
