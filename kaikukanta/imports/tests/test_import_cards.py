import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from kaikukanta.cards.models import Card, CardEvent, StockNumber
from kaikukanta.core import damm
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.imports import services
from kaikukanta.imports.bulk import TableWriter
from kaikukanta.testing import make_card, stock_numbers

HEADER = "number,card_type,issuer_id,issued_on,valid_until,birth_year,postal_code,children,gender,status"


def fresh_number() -> str:
    while True:
        number = damm.random_number()
        if not StockNumber.objects.filter(number=number).exists():
            return number


def with_wrong_check_digit(number: str) -> str:
    return number[:9] + str((int(number[9]) + 1) % 10)


def write_csv(tmp_path, lines, header=HEADER, name="cards.csv"):
    path = tmp_path / name
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cards", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refuse_import(path, *args):
    err = io.StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("import_cards", str(path), "--language", "en", *args, stdout=io.StringIO(), stderr=err)
    reported = [line for line in err.getvalue().splitlines() if line.startswith("line ")]
    return reported, str(refused.value)


def counts():
    return (Card.objects.count(), CardEvent.objects.count(), StockNumber.objects.count(),
            AuditRecord.objects.filter(action="import_cards").count())


def test_good_file_writes_every_card_with_its_events_and_stock(network, tmp_path):
    day = today()
    issued = day - datetime.timedelta(days=100)
    until = issued + datetime.timedelta(days=300)
    personal, community, closed, closed_later = (fresh_number() for _ in range(4))
    from_stock = stock_numbers(network.distributor, 1)[0]
    path = write_csv(tmp_path, [
        f"{personal[:5]} {personal[5:]},personal,{network.distributor.id},{issued},{until},"
        "1980,00100,2,female,active",
        f"{community},community,{network.other_distributor.id},{issued},{until},,,,,active",
        f"{from_stock},personal,{network.distributor.id},{issued},{until},1999,02100,0,,active",
        f"{closed},personal,{network.distributor.id},2021-03-01,2022-02-28,1950,00100,0,male,closed",
        f"{closed_later},personal,{network.distributor.id},{issued},{until},1960,00100,1,,closed",
    ])
    stock_before = StockNumber.objects.count()

    out, _ = run_import(path)

    assert "imported 5 rows" in out
    assert Card.objects.count() == 5
    card = Card.objects.get(number=personal)
    assert (card.card_type, card.issuer_id, card.issued_on, card.valid_until, card.closed_on) == (
        "personal", network.distributor.id, issued, until, None)
    assert (card.birth_year, card.postal_code_id, card.home_municipality_id, card.children, card.gender) == (
        1980, "00100", "091", 2, "female")
    assert Card.objects.get(number=from_stock).home_municipality_id == "049"
    group = Card.objects.get(number=community)
    assert (group.birth_year, group.postal_code_id, group.children, group.issuer_id) == (
        None, None, 0, network.other_distributor.id)
    assert Card.objects.get(number=closed).closed_on == datetime.date(2022, 2, 28)
    assert Card.objects.get(number=closed_later).closed_on == day
    assert list(Card.objects.get(number=closed).events.values_list("event", "date", "reason")) == [
        ("issued", datetime.date(2021, 3, 1), ""), ("closed", datetime.date(2022, 2, 28), "other")]
    assert CardEvent.objects.filter(event="issued").count() == 5
    assert CardEvent.objects.filter(event="closed").count() == 2
    assert StockNumber.objects.count() == stock_before + 4
    assert StockNumber.objects.get(number=community).distributor_id == network.other_distributor.id
    audit = AuditRecord.objects.get(action="import_cards")
    assert audit.actor is None
    assert audit.details["rows"] == 5
    assert set(audit.details) == {"rows", "sha256"}


def test_every_bad_row_is_reported_with_its_line_and_code_and_nothing_is_written(network, tmp_path):
    day = today()
    issued = day - datetime.timedelta(days=10)
    until = issued + datetime.timedelta(days=300)
    d = network.distributor.id
    existing = make_card(network.distributor).number
    others_stock = stock_numbers(network.other_distributor, 1)[0]
    good = fresh_number()
    n = [fresh_number() for _ in range(20)]
    rows = [
        f"{good},personal,{d},{issued},{until},1980,00100,0,,active",                        # 2 good
        f"12345,personal,{d},{issued},{until},1980,00100,0,,active",                          # 3
        f"{with_wrong_check_digit(n[0])},personal,{d},{issued},{until},1980,00100,0,,active",  # 4
        f"{n[1]},personal,{network.venue.id},{issued},{until},1980,00100,0,,active",          # 5
        f"{n[2]},personal,999999,{issued},{until},1980,00100,0,,active",                       # 6
        f"{existing},personal,{d},{issued},{until},1980,00100,0,,active",                     # 7
        f"{good},personal,{d},{issued},{until},1980,00100,0,,active",                         # 8
        f"{others_stock},personal,{d},{issued},{until},1980,00100,0,,active",                 # 9
        f"{n[3]},personal,{d},{issued},{until},{day.year - 15},00100,0,,active",             # 10
        f"{n[4]},personal,{d},{issued},{until},1980,00000,0,,active",                         # 11
        f"{n[5]},personal,{d},{issued},{until},1980,90100,0,,active",                         # 12
        f"{n[6]},personal,{d},2019-06-01,2020-05-31,1980,00100,0,,active",                    # 13
        f"{n[7]},personal,{d},{issued},{issued + datetime.timedelta(days=400)},1980,00100,0,,active",  # 14
        f"{n[8]},personal,{d},{issued},{issued - datetime.timedelta(days=1)},1980,00100,0,,active",    # 15
        f"{n[9]},personal,{d},{issued},{until},1980,00100,21,,active",                        # 16
        f"{n[10]},community,{d},{issued},{until},1980,00100,0,,active",                       # 17
        f"{n[11]},personal,{d},{issued},{until},,,,,active",                                  # 18
        f"{n[12]},personal,{d},{issued},{until},1980,00100,0,,lost",                          # 19
        f"{n[13]},personal,{d},2024-02-30,{until},1980,00100,0,,active",                      # 20
        f"{n[14]},personal,{d},{issued},{until},1980,00100,0,woman,active",                   # 21
        f"{n[15]},personal,{d},{issued},{until},19x0,00100,0,,active",                        # 22
        f"{n[16]},club,{d},{issued},{until},1980,00100,0,,active",                            # 23
        f"{n[17]},personal,{d},{issued},{until},1980,00100",                                  # 24
        f"{n[18]},personal,{d},{issued},{until},1980,00100,-1,,active",                       # 25
    ]
    path = write_csv(tmp_path, rows)
    before = counts()

    reported, message = refuse_import(path)

    assert [line.split(":")[0] + ":" + line.split(":")[1] for line in reported] == [
        "line 3: invalid (number)",
        "line 4: number_invalid (number)",
        "line 5: invalid (issuer_id)",
        "line 6: invalid (issuer_id)",
        "line 7: number_taken (number)",
        "line 8: number_taken (number)",
        "line 9: number_not_in_stock (number)",
        "line 10: holder_too_young (birth_year)",
        "line 11: postal_code_unknown (postal_code)",
        "line 12: municipality_not_in_network (postal_code)",
        "line 13: municipality_not_in_network (postal_code)",
        "line 14: validity_too_long (valid_until)",
        "line 15: validity_in_past (valid_until)",
        "line 16: too_many_children (children)",
        "line 17: invalid (holder)",
        "line 18: invalid (holder)",
        "line 19: invalid (status)",
        "line 20: invalid (issued_on)",
        "line 21: invalid (gender)",
        "line 22: invalid (birth_year)",
        "line 23: invalid (card_type)",
        "line 24: invalid",
        "line 25: too_many_children (children)",
    ]
    assert "line 8: number_taken (number): The card number is already in use." in reported
    assert "23 bad row(s)" in message and "nothing was written" in message
    assert counts() == before


def test_reasons_are_printed_in_the_chosen_language(network, tmp_path):
    path = write_csv(tmp_path, [f"{make_card(network.distributor).number},personal,{network.distributor.id},"
                                f"{today()},{today()},1980,00100,0,,active"])
    reported, _ = refuse_import(path, "--language", "sv")
    assert reported == ["line 2: number_taken (number): Kortnumret används redan."]


def test_a_bad_row_after_written_chunks_undoes_them_and_duplicates_are_found_across_chunks(
        network, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_SIZE", 2)
    issued, until = today(), today() + datetime.timedelta(days=30)
    d = network.distributor.id
    n = [fresh_number() for _ in range(5)]

    def row(number, birth_year=1980):
        return f"{number},personal,{d},{issued},{until},{birth_year},00100,0,,active"

    lines = [row(n[0]), row(n[1]),                  # lines 2-3: the first chunk, written
             row(n[2]), row(n[0]),                  # line 5: taken by the written line 2
             row(n[3], birth_year=issued.year - 10), row(n[2]),  # line 7: taken by line 4, never written
             row(n[4]), row(n[4])]                  # line 9: taken by line 8 in the same chunk
    before = counts()

    reported, _ = refuse_import(write_csv(tmp_path, lines))

    assert [line.split(": ")[0] + ": " + line.split(": ")[1] for line in reported] == [
        "line 5: number_taken (number)", "line 6: holder_too_young (birth_year)",
        "line 7: number_taken (number)", "line 9: number_taken (number)"]
    assert counts() == before


def test_header_must_name_exactly_the_columns(network, tmp_path):
    path = write_csv(tmp_path, [], header=HEADER + ",name")
    reported, _ = refuse_import(path)
    assert reported == ["line 1: invalid (header): The request is invalid. (unknown columns: name)"]
    path = write_csv(tmp_path, [], header=HEADER.replace(",gender", ""))
    reported, _ = refuse_import(path)
    assert reported == ["line 1: invalid (header): The request is invalid. (missing columns: gender)"]


def test_semicolons_columns_in_any_order_and_a_byte_order_mark_are_read(network, tmp_path):
    number = fresh_number()
    header = "status;number;card_type;issuer_id;issued_on;valid_until;birth_year;postal_code;children;gender"
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + header + "\r\n" + f"active;{number};personal;{network.distributor.id};"
                      f"{today()};{today()};1980;00100;0;\r\n").encode())
    out, _ = run_import(path)
    assert "imported 1 rows" in out
    assert Card.objects.filter(number=number).exists()


def test_interrupted_import_writes_nothing(network, tmp_path, monkeypatch):
    def interrupt(self, rows):
        raise KeyboardInterrupt

    path = write_csv(tmp_path, [f"{fresh_number()},personal,{network.distributor.id},{today()},{today()},"
                                "1980,00100,0,,active"])
    monkeypatch.setattr(TableWriter, "write", interrupt)
    before = counts()
    with pytest.raises(CommandError, match="interrupted, nothing written"):
        call_command("import_cards", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert counts() == before


def test_missing_file_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_cards", str(tmp_path / "nothing.csv"))


def test_a_file_that_is_not_utf8_is_refused_at_the_line_where_it_breaks(network, tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + "\n").encode() + f"{fresh_number()},personal,{network.distributor.id},"
                     f"{today()},{today()},1980,00100,0,,active\n".encode() + "Ä,\n".encode("latin-1"))
    before = counts()
    reported, _ = refuse_import(path)
    assert reported == ["line 3: invalid: The request is invalid. (not UTF-8 text)"]
    assert counts() == before
