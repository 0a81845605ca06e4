import datetime
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from kaikukanta.core.models import AuditRecord
from kaikukanta.reference.models import LowIncomeFigure
from kaikukanta.testing import make_card


def _import(tmp_path, text: str, *args):
    path = tmp_path / "low_income.csv"
    path.write_text(text, encoding="utf-8")
    out, err = StringIO(), StringIO()
    call_command("import_low_income", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _coverage(network, on):
    body = network.client("admin").get("stats/summary", area_id=network.area.pk, on=on).json()
    return body["low_income_coverage"]


def _figures():
    return set(LowIncomeFigure.objects.values_list("municipality_id", "year", "low_income_persons"))


def test_figures_are_stored_per_year_and_a_newer_year_replaces_an_older_one_in_coverage(network, tmp_path):
    for _ in range(3):
        make_card(network.distributor, issued_on=datetime.date(2024, 1, 1))
    out, _ = _import(tmp_path, "municipality_code,year,low_income_persons\n091,2022,100\n049,2022,50\n")
    assert "2 figure(s) added, 0 updated" in out
    assert _coverage(network, "2024-06-01") == 0.02         # 3 / 150

    out, _ = _import(tmp_path, "municipality_code,year,low_income_persons\n091,2023,25\n049,2023,5\n"
                               "049,2022,55\n")
    assert "2 figure(s) added, 1 updated" in out
    assert _figures() == {("091", 2022, 100), ("049", 2022, 55), ("091", 2023, 25), ("049", 2023, 5)}
    assert _coverage(network, "2024-06-01") == 0.1          # 3 / 30: the 2023 figures
    assert _coverage(network, "2022-12-31") == 0.0          # no cardholders yet; 2022 figures
    assert AuditRecord.objects.filter(action="import_low_income").count() == 2


def test_every_bad_row_is_reported_and_nothing_is_written(network, tmp_path):
    _import(tmp_path, "municipality_code,year,low_income_persons\n091,2022,100\n")
    text = ("municipality_code,year,low_income_persons\n"
            "091,2023,120\n"        # line 2: fine
            "999,2023,10\n"         # line 3: no such municipality
            "49,2023,10\n"          # line 4: codes have three digits
            "049,20x3,10\n"         # line 5: year
            "049,2023,-5\n"         # line 6: persons
            "049,2023,\n"           # line 7: persons missing
            "837,2023,7.5\n"        # line 8: persons not whole
            "091,2023,130\n")       # line 9: the same municipality and year twice
    with pytest.raises(CommandError, match="7 bad row"):
        _import(tmp_path, text)
    path = tmp_path / "low_income.csv"
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_low_income", str(path), "--language", "en", stderr=err)
    assert err.getvalue().splitlines() == [
        "line 3: municipality_unknown (municipality_code): Unknown municipality code.",
        "line 4: municipality_unknown (municipality_code): Unknown municipality code.",
        "line 5: invalid (year): The request is invalid.",
        "line 6: invalid (low_income_persons): The request is invalid.",
        "line 7: invalid (low_income_persons): The request is invalid.",
        "line 8: invalid (low_income_persons): The request is invalid.",
        "line 9: invalid (year): The request is invalid.",
    ]
    assert _figures() == {("091", 2022, 100)}
    assert AuditRecord.objects.filter(action="import_low_income").count() == 1


def test_reasons_are_printed_in_finnish_unless_asked_otherwise(db, tmp_path):
    path = tmp_path / "low_income.csv"
    path.write_text("municipality_code,year,low_income_persons\n999,2023,1\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_low_income", str(path), stderr=err)
    assert err.getvalue().strip() == (
        "line 2: municipality_unknown (municipality_code): Kuntakoodia ei tunneta.")


def test_a_file_without_the_columns_is_refused_as_a_whole(db, tmp_path):
    with pytest.raises(CommandError, match="1 bad row"):
        _import(tmp_path, "kunta,vuosi,pienituloiset\n091,2023,1\n")
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_low_income", str(tmp_path / "missing.csv"))
    assert not LowIncomeFigure.objects.exists()
