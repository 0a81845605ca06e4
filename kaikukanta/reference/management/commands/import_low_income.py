from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaikukanta.core.errors import Refusal
from kaikukanta.reference.low_income import import_low_income


class Command(BaseCommand):
    help = ("Load Statistics Finland's low-income persons per municipality and year from a CSV file "
            "(municipality_code,year,low_income_persons). All rows or none: every bad row is reported.")

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--language", choices=("fi", "sv", "en"), default="fi",
                            help="language of the reasons printed for bad rows")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        result = import_low_income(path)
        if not result.ok:
            for error in result.errors:
                reason = Refusal(error.code, field=error.field)
                self.stderr.write(f"line {error.line}: {error.code.value} ({error.field}): "
                                  f"{reason.message(options['language'])}")
            raise CommandError(f"{len(result.errors)} bad row(s); nothing was imported.")
        self.stdout.write(f"{result.created} figure(s) added, {result.updated} updated.")
