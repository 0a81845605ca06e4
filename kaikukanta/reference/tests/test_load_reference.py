import csv

from django.core.management import call_command

from kaikukanta.reference.models import Municipality, PostalCode, WelfareArea
from kaikukanta.reference.services import MUNICIPALITIES_FILE, POSTCODES_FILE


def test_migration_loads_every_municipality_and_postal_code(db):
    assert Municipality.objects.count() == 309
    assert PostalCode.objects.count() == 5033
    espoo = Municipality.objects.get(code="049")
    assert espoo.name_sv == "Esbo"
    assert espoo.welfare_area.name_fi == "Länsi-Uudenmaan hyvinvointialue"
    assert Municipality.objects.get(code="478").welfare_area is None  # Mariehamn, Åland
    assert PostalCode.objects.get(code="02100").municipality_id == "049"


def _write_without(source, target, column, value):
    with open(source, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with open(target, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(row for row in rows if row[column] != value)


def test_reload_of_a_newer_file_keeps_history_and_marks_what_is_gone(db, tmp_path, network):
    from kaikukanta.testing import make_card

    card = make_card(network.distributor, postal_code="02100")
    municipalities = tmp_path / "municipalities.csv"
    postcodes = tmp_path / "postcodes.csv"
    _write_without(MUNICIPALITIES_FILE, municipalities, "code", "005")
    _write_without(POSTCODES_FILE, postcodes, "postcode", "02100")
    call_command("load_reference", "--municipalities", municipalities, "--postcodes", postcodes)

    assert Municipality.objects.count() == 309
    assert not Municipality.objects.get(code="005").in_current_file
    assert not PostalCode.objects.get(code="02100").in_current_file
    card.refresh_from_db()
    assert card.postal_code_id == "02100" and card.home_municipality_id == "049"
    assert WelfareArea.objects.count() == 22

    call_command("load_reference")
    assert Municipality.objects.get(code="005").in_current_file
    assert PostalCode.objects.get(code="02100").in_current_file
