"""The cards file's optional column of children's birth years: read, bounded, judged by the issuing area's
rules on each row's day of issue, every refusal on its row with a reason in the reader's language."""

import datetime
import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from kaikukanta.cards.models import Card
from kaikukanta.core.clock import today
from kaikukanta.imports.tests.web_files import CARD_HEADER, card_row, csv_bytes, number, xlsx_bytes
from kaikukanta.programme import selectors as programme_selectors
from kaikukanta.programme.models import RuleVersion
from kaikukanta.testing import sign_in

HEADER = "number,card_type,issuer_id,issued_on,valid_until,birth_year,postal_code,children,gender,status," \
         "children_birth_years"
RULE_FROM = datetime.date(2024, 1, 1)


@pytest.fixture
def aged_area(network):
    """From 1.1.2024 the network's first area lets children come free up to 16; the other area counts them."""
    RuleVersion.objects.create(area=network.area, effective_from=RULE_FROM, children_max_age=16)
    programme_selectors.changed()
    return network


def row(index, issuer, issued_on, children, years, valid_days=200):
    until = issued_on + datetime.timedelta(days=valid_days)
    return f"{number(index)},personal,{issuer.pk},{issued_on},{until},1980,00100,{children},,active,{years}"


def write(tmp_path, lines, header=HEADER):
    path = tmp_path / "cards.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def refused(path, language="en"):
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_cards", str(path), "--language", language, stdout=io.StringIO(), stderr=err)
    return [line for line in err.getvalue().splitlines() if line.startswith("line ")]


def test_birth_years_are_stored_and_judged_by_the_issuing_areas_rules_on_the_day_of_issue(aged_area, tmp_path):
    network = aged_area
    before, after = datetime.date(2023, 6, 1), datetime.date(2024, 3, 1)
    path = write(tmp_path, [
        row(1, network.distributor, before, 2, ""),               # before the rule: the count is enough
        row(2, network.distributor, after, 2, "2010 2015"),       # 14 and 9 in 2024
        row(3, network.distributor, after, 2, '"2012, 2019"'),    # commas, quoted
        row(4, network.other_distributor, after, 1, "2000"),      # no age limit in the other area
        row(5, network.distributor, after, 0, ""),
    ])
    call_command("import_cards", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    stored = dict(Card.objects.values_list("number", "children_birth_years"))
    assert stored == {number(1): None, number(2): [2010, 2015], number(3): [2012, 2019], number(4): [2000],
                      number(5): None}


def test_every_bad_birth_year_cell_is_refused_on_its_row_and_nothing_is_written(aged_area, tmp_path):
    network = aged_area
    after = datetime.date(2024, 3, 1)
    path = write(tmp_path, [
        row(1, network.distributor, after, 1, "2005"),            # 19 in 2024: over the area's 16
        row(2, network.distributor, after, 2, ""),                # the area's rule needs the years
        row(3, network.distributor, after, 2, "2010"),            # one year for two children
        row(4, network.distributor, after, 1, "20x0"),
        row(5, network.distributor, after, 1, "2026"),            # born after the day of issue
        row(6, network.distributor, after, 21, " ".join(["2015"] * 21)),
        row(7, network.distributor, after, 1, "1899"),
        row(8, network.other_distributor, after, 1, "2010"),      # good, but the file is all or nothing
    ])
    reported = refused(path)
    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in reported] == [
        "line 2: child_over_age_limit (children_birth_years)",
        "line 3: child_birth_years_needed (children_birth_years)",
        "line 4: invalid (children_birth_years)",
        "line 5: invalid (children_birth_years)",
        "line 6: invalid (children_birth_years)",
        "line 7: invalid (children_birth_years)",
        "line 8: invalid (children_birth_years)",
    ]
    assert "1 birth years for 2 children" in reported[2]
    assert not Card.objects.exists()


def test_a_file_without_the_column_keeps_the_count_as_before(aged_area, tmp_path):
    network = aged_area
    header = HEADER.removesuffix(",children_birth_years")
    line = row(1, network.distributor, datetime.date(2024, 3, 1), 2, "").removesuffix(",")
    call_command("import_cards", str(write(tmp_path, [line], header)), stdout=io.StringIO(), stderr=io.StringIO())
    assert Card.objects.get().children_birth_years is None


def test_the_browser_import_reads_the_column_and_gives_the_reason_in_the_users_language(
        aged_area, django_capture_on_commit_callbacks):
    network = aged_area
    client = Client(HTTP_ACCEPT_LANGUAGE="fi")
    sign_in(client, network.users["coordinator"])
    issued = max(today() - datetime.timedelta(days=30), RULE_FROM)
    header = [*CARD_HEADER, "children_birth_years"]
    rows = [[*card_row(network.distributor.pk, 1, issued_on=issued.isoformat(), children="2"), "2015"],
            [*card_row(network.distributor.pk, 2, issued_on=issued.isoformat(), children="1"),
             str(issued.year - 17)]]
    for name, content in (("kortit.csv", csv_bytes(header, rows)), ("kortit.xlsx", xlsx_bytes(header, rows))):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/imports/", {"kind": "cards", "file": SimpleUploadedFile(name, content)})
        shown = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(response["Location"]).content.decode()))
        assert "2 virheellistä riviä: mitään ei tuotu." in shown, shown
        assert "2 children_birth_years Syntymävuosia 1, lapsia 2. Anna yksi vuosi kutakin lasta kohden." in shown
        assert "3 children_birth_years Lapsi on vanhempi kuin alueen lasten ikäraja." in shown
    assert not Card.objects.exists()
