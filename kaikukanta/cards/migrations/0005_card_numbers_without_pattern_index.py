# The card and stock numbers lose the pattern-matching copy (varchar_pattern_ops) of their unique index that
# Django adds to a text key: numbers are looked up whole, and the card list's search by part of a number is a
# LIKE '%…%', which that index cannot serve. Each imported or issued card had written it twice (card and
# stock); measured on an import of 1,000,000 cards, the least SQL for its rows took 44 s with them, 35 s
# without (README, "Imports at a million rows").

from django.db import migrations

from kaikukanta.core.migration_operations import DropPatternIndex


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('cards', '0004_foreign_keys_indexed_once'),
    ]

    operations = [
        DropPatternIndex(model_name='card', field_name='number'),
        DropPatternIndex(model_name='stocknumber', field_name='number'),
    ]
