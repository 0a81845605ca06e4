from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kaikukanta.demo.services import existing_demo_logins, generate_demo
from kaikukanta.network.models import Area

from ._demo_output import describe, describe_existing

SMALL_DEMO = {"cards": 2000, "visits": 20000, "seed": 1, "areas": 3}


class Command(BaseCommand):
    help = ("Load a small demo network (2,000 cards, 20,000 visits) into a database without areas, unless "
            "KAIKUKANTA_DEMO=0; either way, print the demo logins.")

    def handle(self, *args, **options):
        if not settings.KAIKUKANTA_DEMO:
            self.stdout.write("KAIKUKANTA_DEMO=0: no demo data loaded.")
            return
        if Area.objects.exists():
            self.stdout.write("The database already has data; no demo data loaded.")
            for line in describe_existing(existing_demo_logins()):
                self.stdout.write(line)
            return
        try:
            result = generate_demo(**SMALL_DEMO, progress_stream=self.stderr)
        except KeyboardInterrupt:
            raise CommandError("interrupted, nothing written") from None
        for line in describe(result):
            self.stdout.write(line)
