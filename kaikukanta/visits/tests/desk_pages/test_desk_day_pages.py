"""The desk's day: today's list and the paper lists, through Django's test client."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code
from kaikukanta.testing import make_offering
from kaikukanta.visits.models import Visit
from kaikukanta.visits.services import record_visit

from ..support import community_card, days_ago, personal_card
from .support import field_error, message, record, signed_in, spaced

pytestmark = pytest.mark.django_db


# Today's list --------------------------------------------------------------------------------------------


def test_todays_list_shows_the_venues_visits_with_totals(network, desk):
    record(desk, personal_card(network, children=2).number, key="a", children=2, assistants=1)
    record(desk, community_card(network).number, key="b", clients=3)
    record(desk, personal_card(network).number, key="c")
    record_visit(Caller.for_console(network.users["venue"]),
                 card_number=personal_card(network, issued_on=days_ago(9)).number,
                 used_on=days_ago(1))
    Visit.objects.filter(idempotency_key="c").update(cancelled_at=timezone.now())
    other = signed_in(network, "other_venue")
    record(other, personal_card(network).number, key="e")

    page = desk.get(reverse("desk:today")).content.decode()
    totals = dict(re.findall(r'data-total="(\w+)">(\d+)<', page))
    assert totals == {"visits": "2", "uses": "7", "children": "2", "clients": "3", "assistants": "1"}
    assert page.count('class="undo-form"') == 2


def test_an_earlier_day_can_be_listed_and_a_future_one_falls_back_to_today(network, desk):
    card = personal_card(network, issued_on=days_ago(10))
    desk.post(reverse("desk:paper"), paper_body(days_ago(2), [{"card_number": card.number}]))
    earlier = desk.get(reverse("desk:today"), {"day": days_ago(2).isoformat()}).content.decode()
    assert 'data-total="visits">1<' in earlier and "Visits on" in earlier
    future = desk.get(reverse("desk:today"), {"day": "2999-01-01"}).content.decode()
    assert "Today&#x27;s visits" in future and 'data-total="visits">0<' in future


# Paper lists ---------------------------------------------------------------------------------------------


def paper_body(used_on: datetime.date, rows: list[dict], offering_id=None, count: int = 10) -> dict:
    body = {"used_on": used_on.isoformat(), "offering_id": offering_id or "", "rows": str(count)}
    for number, row in enumerate(rows, start=1):
        body[f"row-{number}-key"] = row.get("key", f"paper-{number}")
        for name in ("card_number", "children", "clients", "assistants"):
            body[f"row-{number}-{name}"] = row.get(name, "")
    return body


def test_the_paper_list_starts_with_ten_blank_rows_each_with_its_own_key(desk):
    page = desk.get(reverse("desk:paper")).content.decode()
    keys = re.findall(r'name="row-\d+-key" value="([0-9a-f-]{36})"', page)
    assert len(keys) == 10 and len(set(keys)) == 10
    assert f'name="used_on" value="{today().isoformat()}"' in page


def test_a_paper_list_saves_each_row_on_its_own(network, desk):
    day = days_ago(5)
    offering = make_offering(network.venue, "Konsertti", date=day)
    good = personal_card(network, children=1, issued_on=days_ago(30))
    community = community_card(network, issued_on=days_ago(30))
    expired = personal_card(network, issued_on=days_ago(400), valid_until=days_ago(10))
    rows = [{"card_number": spaced(good.number), "children": "1"},
            {"card_number": expired.number},
            {"card_number": good.number, "children": "2"},
            {},
            {"card_number": "123"},
            {"card_number": community.number, "clients": "4", "assistants": "1"},
            {"children": "1"}]
    body = paper_body(day, rows, offering_id=offering.pk)
    response = desk.post(reverse("desk:paper"), body)
    page = response.content.decode()
    assert response.status_code == 200
    assert "2 rows recorded." in page and "4 rows need correcting" in page
    stored = Visit.objects.order_by("id")
    assert [(visit.card_id, visit.used_on, visit.offering_id, visit.uses) for visit in stored] == [
        (good.pk, day, offering.pk, 2), (community.pk, day, offering.pk, 5)]

    def row(number):
        return re.search(rf'<tr class="paper-row[^"]*" data-row="{number}">(.*?)</tr>', page, re.S).group(1)

    assert "Recorded, 2 uses" in row(1) and "Recorded, 5 uses" in row(6)
    assert message(Code.CARD_EXPIRED) in row(2) and f'value="{expired.number}"' in row(2)
    assert message(Code.TOO_MANY_CHILDREN) in row(3) and 'value="2"' in row(3)
    assert "Recorded" not in row(4) and "field__error" not in row(4)
    assert "A card number has 10 digits." in row(5) and 'value="123"' in row(5)
    assert "Enter the card number." in row(7)

    resubmitted = desk.post(reverse("desk:paper"), body).content.decode()
    assert Visit.objects.count() == 2, "each row's key makes a resubmitted list harmless"
    assert "2 rows recorded." in resubmitted


def test_a_paper_date_out_of_range_records_nothing(network, desk):
    card = personal_card(network, issued_on=days_ago(100))
    page = desk.post(reverse("desk:paper"), paper_body(days_ago(32), [{"card_number": card.number}])).content.decode()
    assert message(Code.DATE_OUT_OF_RANGE) in field_error(page, "used_on")
    assert not Visit.objects.exists()
    assert f'value="{card.number}"' in page


def test_adding_rows_keeps_what_was_typed_and_records_nothing(network, desk):
    card = personal_card(network)
    body = paper_body(today(), [{"card_number": card.number, "children": "0"}])
    body["add_rows"] = "1"
    page = desk.post(reverse("desk:paper"), body).content.decode()
    assert not Visit.objects.exists()
    assert f'value="{card.number}"' in page and 'name="row-20-card_number"' in page
    assert 'name="rows" value="20"' in page


def test_paper_entries_recorded_today_can_be_undone_from_the_day_list(network, desk):
    card = personal_card(network, issued_on=days_ago(10))
    page = desk.post(reverse("desk:paper"), paper_body(days_ago(3), [{"card_number": card.number}])).content.decode()
    link = f'{reverse("desk:today")}?day={days_ago(3).isoformat()}'
    assert link in page
    assert 'class="undo-form"' in desk.get(link).content.decode()
