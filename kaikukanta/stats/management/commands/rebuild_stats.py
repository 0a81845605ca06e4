import time

from django.core.management.base import BaseCommand

from kaikukanta.core.memory import peak_rss_mb
from kaikukanta.stats import rollups
from kaikukanta.stats.models import Rollup


class Command(BaseCommand):
    help = ("Recompute the statistics rollups from the cards, visits and wellbeing answers, in one transaction. "
            "Needed after writing cards or visits around the services (hand-made SQL, the admin site), "
            "never for anything the services, importers or demo generator wrote.")

    def handle(self, *args, **options):
        started = time.monotonic()
        rollups.rebuild()
        self.stdout.write(f"rebuilt {Rollup.objects.count():,} rollup rows in {time.monotonic() - started:.1f} s "
                          f"(peak memory {peak_rss_mb():.0f} MB)")
