import time

from django.core.management.base import BaseCommand

from kaikukanta.stats import rollups
from kaikukanta.stats.models import PendingChange


class Command(BaseCommand):
    help = ("Fold the pending changes into the statistics rollups now. Reading any statistics does the same; "
            "run this every minute or so (cron, a systemd timer) and no reader ever waits for a fold.")

    def handle(self, *args, **options):
        pending = PendingChange.objects.count()
        started = time.monotonic()
        rollups.fold()
        self.stdout.write(f"folded {pending:,} pending changes in {time.monotonic() - started:.1f} s")
