from django.core.management.base import BaseCommand

from kaikukanta.cards import services
from kaikukanta.core import changes


class Command(BaseCommand):
    help = ("Retention: coarsen the holder data of cards closed or expired longer ago than "
            "KAIKUKANTA_HOLDER_RETENTION_YEARS (default 3): birth year to a five-year band, postal code to the "
            "home municipality. Run it daily (cron, a systemd timer); a second run the same day changes nothing.")

    def add_arguments(self, parser):
        parser.add_argument("--years", type=int, default=None,
                            help="retention period in years (default: the setting)")

    def handle(self, *args, **options):
        result = services.coarsen_holder_data(years=options["years"])
        # The statistics' copy of each card's facts is refolded now rather than at the next read, so the
        # exact birth years leave the statistics tables in this run too.
        changes.catch_up()
        self.stdout.write(f"coarsened {result.cards} cards of {result.chains} holders "
                          f"(ended on or before {result.cutoff.isoformat()})")
