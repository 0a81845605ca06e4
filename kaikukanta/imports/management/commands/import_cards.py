from kaikukanta.imports.services import CARD_COLUMNS, import_cards

from ._import_command import ImportCommand


class Command(ImportCommand):
    importer = staticmethod(import_cards)
    label = "cards"
    help = (f"Import cards from a CSV file with the columns {','.join(CARD_COLUMNS)}. All rows or none: "
            "every bad row is reported with its line number and code, and then nothing is written.")
