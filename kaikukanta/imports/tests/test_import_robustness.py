"""Files an importer must refuse clearly: a line-numbered reason, never a traceback, nothing written, and no
log or error line that puts a holder attribute next to a card number (D.11, A.2)."""

import datetime
import io
import logging

import pytest
from django.core.management import CommandError, call_command

from kaikukanta.cards.models import Card
from kaikukanta.core import damm
from kaikukanta.core.clock import today
from kaikukanta.visits.models import Visit

pytestmark = pytest.mark.django_db

CARD_HEADER = "number,card_type,issuer_id,issued_on,valid_until,birth_year,postal_code,children,gender,status"
VISIT_HEADER = "card_number,venue_id,offering_id,used_on,children,clients,assistants"


def number(index: int) -> str:
    digits = f"55{index:07d}"
    return digits + damm.check_digit(digits)


def card_line(network, index: int, *, birth_year="1980", issued_on=None, postal_code="00100") -> str:
    issued = issued_on or (today() - datetime.timedelta(days=30)).isoformat()
    until = (today() + datetime.timedelta(days=30)).isoformat()
    return f"{number(index)},personal,{network.distributor.pk},{issued},{until},{birth_year},{postal_code},1,,active"


def refused(command: str, path, caplog) -> list[str]:
    """The import's error lines; asserts it failed as a command (no traceback) and wrote nothing."""
    err = io.StringIO()
    # Every card and visit there was before, and no other (a card made by the test may start with 55 too).
    before = (set(Card.objects.values_list("pk", flat=True)), set(Visit.objects.values_list("pk", flat=True)))
    with caplog.at_level(logging.DEBUG), pytest.raises(CommandError) as failure:
        call_command(command, str(path), "--language", "en", stdout=io.StringIO(), stderr=err)
    assert "nothing was written" in str(failure.value)
    assert (set(Card.objects.values_list("pk", flat=True)), set(Visit.objects.values_list("pk", flat=True))) == before
    lines = [line for line in err.getvalue().splitlines() if line.startswith("line ")]
    assert lines, err.getvalue()
    for line in [*err.getvalue().splitlines(), *(record.getMessage() for record in caplog.records)]:
        assert not ("55" in line and any(attribute in line for attribute in ("1980", "00100", "personal"))), line
    return lines


def write(tmp_path, text: str | bytes, name="cards.csv"):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


@pytest.mark.parametrize("year", ["-63556", "-1", "0", "1850", "1899", "10000"])
def test_a_birth_year_out_of_bounds_is_refused_on_its_line(network, tmp_path, caplog, year):
    path = write(tmp_path, "\n".join([CARD_HEADER, card_line(network, 1), card_line(network, 2, birth_year=year)]))
    lines = refused("import_cards", path, caplog)
    assert lines == [lines[0]] and lines[0].startswith("line 3: invalid (birth_year)")


# The day after tomorrow is reckoned when the test runs (None), not when it is collected: a run that crosses
# midnight would otherwise judge a day already come, and name the test after another day than it ran.
@pytest.mark.parametrize("issued_on", ["9999-12-31", "0001-01-01", "1999-12-31", pytest.param(None, id="in-two-days")])
def test_an_issue_day_in_the_future_or_before_the_register_is_refused(network, tmp_path, caplog, issued_on):
    issued_on = issued_on or (today() + datetime.timedelta(days=2)).isoformat()
    path = write(tmp_path, "\n".join([CARD_HEADER, card_line(network, 1, issued_on=issued_on)]))
    [line] = refused("import_cards", path, caplog)
    assert line.startswith("line 2: ") and "(issued_on)" in line


def test_a_field_longer_than_the_csv_limit_is_refused_on_its_line(network, tmp_path, caplog):
    path = write(tmp_path, "\n".join([CARD_HEADER, card_line(network, 1),
                                      card_line(network, 2, postal_code="9" * 131_073)]))
    [line] = refused("import_cards", path, caplog)
    assert line.startswith("line 3: invalid") and "field larger than field limit" in line


def test_a_long_field_within_the_limit_is_refused_as_a_value(network, tmp_path, caplog):
    path = write(tmp_path, "\n".join([CARD_HEADER, card_line(network, 1, postal_code="9" * 131_000)]))
    [line] = refused("import_cards", path, caplog)
    assert line.startswith("line 2: postal_code_unknown (postal_code)")


def test_latin_1_is_refused_on_the_first_line_that_is_not_utf_8(network, tmp_path, caplog):
    text = "\n".join([CARD_HEADER, card_line(network, 1), card_line(network, 2) + ",Hämeenlinna"])
    [line] = refused("import_cards", write(tmp_path, text.encode("latin-1")), caplog)
    assert line.startswith("line 3: invalid") and "not UTF-8" in line


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf_16_is_refused_with_the_reason(network, tmp_path, caplog, encoding):
    text = "\n".join([CARD_HEADER, card_line(network, 1)]) + "\n"
    [line] = refused("import_cards", write(tmp_path, text.encode(encoding)), caplog)
    assert line.startswith("line 1: invalid") and ("UTF-16" in line or "NUL" in line)


def test_a_utf_8_bom_at_the_start_is_read_as_the_spreadsheet_meant_it(network, tmp_path):
    path = write(tmp_path, b"\xef\xbb\xbf" + "\n".join([CARD_HEADER, card_line(network, 1)]).encode())
    call_command("import_cards", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Card.objects.filter(number=number(1)).exists()


def test_a_bom_inside_the_file_is_refused_on_its_line(network, tmp_path, caplog):
    text = "\n".join([CARD_HEADER, card_line(network, 1), "\ufeff" + card_line(network, 2)])
    [line] = refused("import_cards", write(tmp_path, text), caplog)
    assert line.startswith("line 3: invalid (number)")


@pytest.mark.parametrize(("header", "expected"), [
    (CARD_HEADER.replace(",gender", ""), "missing columns: gender"),
    (CARD_HEADER + ",name", "unknown columns: name"),
])
def test_a_missing_or_extra_column_is_refused_by_the_header(network, tmp_path, caplog, header, expected):
    [line] = refused("import_cards", write(tmp_path, "\n".join([header, card_line(network, 1)])), caplog)
    assert line.startswith("line 1: invalid (header)") and expected in line


def test_a_row_with_a_missing_or_extra_value_is_refused_on_its_line(network, tmp_path, caplog):
    path = write(tmp_path, "\n".join([CARD_HEADER, card_line(network, 1) + ",extra",
                                      card_line(network, 2).rsplit(",", 1)[0]]))
    lines = refused("import_cards", path, caplog)
    assert [line.split(":")[0] for line in lines] == ["line 2", "line 3"]
    assert all("fields, expected 10" in line for line in lines)


@pytest.mark.parametrize(("column", "value"), [("offering_id", str(2**31)), ("used_on", "9999-12-31"),
                                               ("used_on", "0001-01-01"), ("children", "-1"),
                                               ("clients", "999999999"), ("venue_id", "-5")])
def test_a_visit_value_out_of_bounds_is_refused_naming_its_column(network, tmp_path, caplog, column, value):
    from kaikukanta.testing import make_card

    card = make_card(network.distributor, issued_on=today() - datetime.timedelta(days=40))
    row = {"card_number": card.number, "venue_id": str(network.venue.pk), "offering_id": "",
           "used_on": today().isoformat(), "children": "0", "clients": "0", "assistants": "0", column: value}
    path = write(tmp_path, VISIT_HEADER + "\n" + ",".join(row[name] for name in VISIT_HEADER.split(",")),
                 name="visits.csv")
    [line] = refused("import_visits", path, caplog)
    assert line.startswith("line 2: ") and f"({column})" in line
