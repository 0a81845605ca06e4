import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from kaikukanta.core import damm
from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import make_card, make_offering
from kaikukanta.visits.models import Visit

HEADER = "card_number,venue_id,offering_id,used_on,children,clients,assistants"


def write_csv(tmp_path, lines, header=HEADER):
    path = tmp_path / "visits.csv"
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


def counts():
    return Visit.objects.count(), AuditRecord.objects.filter(action="import_visits").count()


@pytest.fixture
def cards(network):
    long_ago = datetime.date(2021, 1, 1)
    return {
        "family": make_card(network.distributor, children=2, issued_on=long_ago,
                            valid_until=today() + datetime.timedelta(days=30)),
        "group": make_card(network.other_distributor, card_type="community", issued_on=long_ago,
                           valid_until=today() + datetime.timedelta(days=30)),
        "old": make_card(network.distributor, issued_on=long_ago, valid_until=datetime.date(2021, 12, 31)),
        "closed": make_card(network.distributor, issued_on=long_ago, valid_until=today(),
                            closed_on=datetime.date(2022, 6, 1)),
    }


def test_good_file_writes_every_visit_with_its_uses(network, cards, tmp_path):
    show = make_offering(network.venue)
    family, group = cards["family"].number, cards["group"].number
    path = write_csv(tmp_path, [
        f"{family},{network.venue.id},{show.id},2021-02-03,2,0,1",
        f"{family[:5]}-{family[5:]},{network.other_venue.id},,{today()},0,,",
        f"{group},{network.venue.id},,2022-05-31,0,10,2",
        f"{cards['closed'].number},{network.venue.id},,2022-05-31,0,0,0",
    ])
    out = io.StringIO()

    call_command("import_visits", str(path), stdout=out, stderr=io.StringIO())

    assert "visits: imported 4 rows" in out.getvalue()
    assert list(Visit.objects.order_by("id").values_list(
        "card__number", "venue_id", "offering_id", "used_on", "children", "clients", "assistants", "uses",
        "cancelled_at")) == [
        (family, network.venue.id, show.id, datetime.date(2021, 2, 3), 2, 0, 1, 3, None),
        (family, network.other_venue.id, None, today(), 0, 0, 0, 1, None),
        (group, network.venue.id, None, datetime.date(2022, 5, 31), 0, 10, 2, 11, None),
        (cards["closed"].number, network.venue.id, None, datetime.date(2022, 5, 31), 0, 0, 0, 1, None),
    ]
    audit = AuditRecord.objects.get(action="import_visits")
    assert (audit.actor, audit.details["rows"]) == (None, 4)


def test_imported_visits_carry_the_value_of_their_tickets_as_the_desk_records_it(network, cards, tmp_path):
    priced = make_offering(network.venue, "Konsertti", adult_price_cents=2500, child_price_cents=1000)
    adults_only = make_offering(network.venue, "Näyttely", kind="exhibition", adult_price_cents=1200)
    group_show = make_offering(network.venue, "Ryhmänäytös", adult_price_cents=800)
    family, group = cards["family"].number, cards["group"].number
    path = write_csv(tmp_path, [
        f"{family},{network.venue.id},{priced.id},2022-02-03,2,0,1",     # 2500 + 2 × 1000; the assistant is free
        f"{family},{network.venue.id},{adults_only.id},2022-02-04,0,,",  # 1200
        f"{family},{network.venue.id},{adults_only.id},2022-02-05,1,,",  # a child without a child price: unknown
        f"{family},{network.venue.id},,2022-02-06,0,,",                  # no offering: unknown
        f"{group},{network.venue.id},{group_show.id},2022-02-07,0,3,0",  # the worker and three clients: 4 × 800
    ])
    call_command("import_visits", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert list(Visit.objects.order_by("used_on").values_list("ticket_value_cents", flat=True)) == [
        4500, 1200, None, None, 3200]


def test_every_bad_row_is_reported_with_its_line_and_code_and_nothing_is_written(network, cards, tmp_path):
    course = make_offering(network.venue, "Kurssi", kind="course")
    elsewhere = make_offering(network.other_venue, "Näyttely", kind="exhibition")
    family, group, old = cards["family"].number, cards["group"].number, cards["old"].number
    venue = network.venue.id
    tomorrow = today() + datetime.timedelta(days=1)
    unknown = "111111111" + damm.check_digit("111111111")
    rows = [
        f"{family},{venue},,2022-01-01,1,0,0",                          # 2 good
        f"{family[:9]},{venue},,2022-01-01,0,0,0",                      # 3
        f"{family[:9]}{(int(family[9]) + 1) % 10},{venue},,2022-01-01,0,0,0",  # 4
        f"{family},{network.distributor.id},,2022-01-01,0,0,0",        # 5
        f"{family},{venue},999999,2022-01-01,0,0,0",                    # 6
        f"{family},{venue},,2022-01-01,-1,0,0",                         # 7
        f"{group},{venue},,2022-01-01,0,11,0",                          # 8
        f"{family},{venue},,2022-01-01,0,0,3",                          # 9
        f"{family},{venue},,{tomorrow},0,0,0",                          # 10
        f"{unknown},{venue},,2022-01-01,0,0,0",                         # 11
        f"{family},{venue},,2020-12-31,0,0,0",                          # 12
        f"{old},{venue},,2022-01-01,0,0,0",                             # 13
        f"{cards['closed'].number},{venue},,2022-06-01,0,0,0",         # 14
        f"{family},{venue},,2022-01-01,3,0,0",                          # 15
        f"{family},{venue},{course.id},2022-01-01,1,0,0",               # 16
        f"{family},{venue},,2022-01-01,0,1,0",                          # 17
        f"{group},{venue},,2022-01-01,1,0,0",                           # 18
        f"{family},{venue},{elsewhere.id},2022-01-01,0,0,0",            # 19
        f"{family},{venue},,01.01.2022,0,0,0",                          # 20
        f"{family},{venue},,2022-01-01,0,0",                            # 21
    ]
    before = counts()
    err = io.StringIO()

    with pytest.raises(CommandError, match="19 bad row"):
        call_command("import_visits", str(write_csv(tmp_path, rows)), "--language", "en", stdout=io.StringIO(),
                     stderr=err)

    reported = [line.split(": ")[0] + ": " + line.split(": ")[1] for line in err.getvalue().splitlines()
                if line.startswith("line ")]
    assert reported == [
        "line 3: invalid (card_number)",
        "line 4: number_invalid (card_number)",
        "line 5: invalid (venue_id)",
        "line 6: invalid (offering_id)",
        "line 7: invalid (children)",
        "line 8: invalid (clients)",
        "line 9: invalid (assistants)",
        "line 10: date_out_of_range (used_on)",
        "line 11: card_not_found (card_number)",
        "line 12: card_not_yet_valid (card_number)",
        "line 13: card_expired (card_number)",
        "line 14: card_closed (card_number)",
        "line 15: too_many_children (children)",
        "line 16: children_not_allowed_for_course (children)",
        "line 17: clients_need_community_card (clients)",
        "line 18: children_need_personal_card (children)",
        "line 19: offering_not_at_venue (offering_id)",
        "line 20: invalid (used_on)",
        "line 21: invalid",
    ]
    assert counts() == before


def test_quota_is_not_applied_to_imported_history(network, cards, tmp_path):
    show = make_offering(network.venue, ticket_quota=1, date=datetime.date(2022, 3, 1))
    family = cards["family"].number
    path = write_csv(tmp_path, [f"{family},{network.venue.id},{show.id},2022-03-01,2,0,0"] * 2)
    call_command("import_visits", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert Visit.objects.filter(offering=show).count() == 2
