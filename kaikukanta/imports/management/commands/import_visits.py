from kaikukanta.imports.services import VISIT_COLUMNS, import_visits

from ._import_command import ImportCommand


class Command(ImportCommand):
    importer = staticmethod(import_visits)
    label = "visits"
    help = (f"Import visits from a CSV file with the columns {','.join(VISIT_COLUMNS)}. All rows or none: "
            "every bad row is reported with its line number and code, and then nothing is written.")
