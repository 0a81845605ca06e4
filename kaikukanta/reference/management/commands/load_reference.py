from pathlib import Path

from django.core.management.base import BaseCommand

from kaikukanta.reference.services import MUNICIPALITIES_FILE, POSTCODES_FILE, load_reference


class Command(BaseCommand):
    help = "Load or reload municipalities, welfare areas and postal codes from CSV files (history is kept)."

    def add_arguments(self, parser):
        parser.add_argument("--municipalities", type=Path, default=MUNICIPALITIES_FILE)
        parser.add_argument("--postcodes", type=Path, default=POSTCODES_FILE)

    def handle(self, *args, **options):
        result = load_reference(options["municipalities"], options["postcodes"])
        self.stdout.write(
            f"{result.municipalities} municipalities and {result.postal_codes} postal codes loaded; "
            f"{result.retired_municipalities} municipalities and {result.retired_postal_codes} postal codes "
            "no longer listed (kept for history)."
        )
