"""The first national version: today's constants (and the national admin's longest validity), from 2000-01-01,
the earliest day the register holds (cards.rules.ISSUED_ON_EARLIEST), so all history is judged by them."""

import datetime

from django.db import migrations

DEFAULTS = {"holder_min_age": 16, "holder_age_counting": "calendar_year", "children_max_age": None,
            "max_children": 20, "courses_admit_children": False, "max_clients": 10, "max_assistants": 2,
            "max_validity_months": 12, "cancel_window_days": 7, "paper_list_days": 31, "other_area_cards": True}
OVERRIDABLE = ["children_max_age", "max_children", "courses_admit_children", "other_area_cards"]


def forwards(apps, schema_editor):
    RuleVersion = apps.get_model("programme", "RuleVersion")
    NationalSettings = apps.get_model("network", "NationalSettings")
    if RuleVersion.objects.filter(area__isnull=True).exists():
        return
    settings_row = NationalSettings.objects.filter(pk=1).first()
    values = dict(DEFAULTS)
    if settings_row is not None:
        values["max_validity_months"] = settings_row.max_validity_months
    RuleVersion.objects.create(area=None, effective_from=datetime.date(2000, 1, 1), overridable=OVERRIDABLE,
                               **values)


class Migration(migrations.Migration):
    dependencies = [("programme", "0001_rule_versions"), ("network", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
