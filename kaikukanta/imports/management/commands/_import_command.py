"""What import_cards and import_visits share: arguments, progress, the report of bad rows, the summary."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kaikukanta.imports.bulk import Progress


class ImportCommand(BaseCommand):
    label = ""
    importer = None  # the service function: importer(path, progress=..., on_error=...) -> ImportResult

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--language", choices=("fi", "sv", "en"), default="fi",
                            help="language of the reasons printed for bad rows")

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        language = options["language"]
        try:
            result = type(self).importer(path, progress=Progress(self.label, self.stderr).update,
                                      on_error=lambda error: self.stderr.write(error.describe(language)))
        except KeyboardInterrupt:
            raise CommandError("interrupted, nothing written") from None
        summary = (f"{result.rows:,} rows in {result.seconds:.1f} s ({result.rows_per_second:,.0f} rows/s), "
                   f"peak memory {result.peak_rss_mb:,.0f} MB")
        if not result.written:
            raise CommandError(f"{result.error_count:,} bad row(s) of {summary}; nothing was written.")
        self.stdout.write(f"{self.label}: imported {summary}.")
