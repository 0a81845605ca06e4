"""The ticket desk's pages through Django's test client: what the desk worker sees and what gets stored."""

import datetime
import html
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.core import damm
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.network.models import Offering
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.testing import make_card, make_offering, sign_in
from kaikukanta.visits.models import Visit
from kaikukanta.visits.services import record_visit

from .support import community_card, days_ago, personal_card

pytestmark = pytest.mark.django_db

UNKNOWN_NUMBER = "123456789" + damm.check_digit("123456789")
BAD_CHECK_DIGIT = "123456789" + str((int(damm.check_digit("123456789")) + 1) % 10)


def message(code: Code, language: str = "en") -> str:
    return Refusal(code).message(language)


def signed_in(network, who: str = "venue", language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    sign_in(client, network.users[who])
    return client


@pytest.fixture
def desk(network):
    return signed_in(network)


def spaced(number: str) -> str:
    return f"{number[:5]} {number[5:]}"


def key_of(page: str) -> str:
    return re.search(r'name="idempotency_key" value="([0-9a-f-]{36})"', page).group(1)


def field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="field__error" id="id_{field}_error">([^<]*)</p>', page)
    return html.unescape(found.group(1)) if found else ""


def record(client, number: str, key: str = "key-1", **fields):
    return client.post(reverse("desk:check"), {"card_number": number, "idempotency_key": key, **fields})


# The card check ------------------------------------------------------------------------------------------


def check(client, number: str) -> str:
    response = client.get(reverse("desk:check_card"), {"card_number": number})
    assert response.status_code == 200
    return response.content.decode()


def test_a_valid_card_says_valid_until_and_how_many_children_may_come_along(network, desk):
    card = personal_card(network, children=2, valid_until=today() + datetime.timedelta(days=40),
                         birth_year=1961, postal_code="00100")
    panel = check(desk, spaced(card.number))
    assert 'data-card-status="valid"' in panel and ">Valid<" in panel
    assert f"Valid until {card.valid_until:%m/%d/%Y}" in panel
    assert "Up to 2 children may come along." in panel
    # The card's own number is shown; a random number may well contain "091" (the home municipality's code).
    rest = panel.replace(card.number, "").replace(spaced(card.number), "")
    assert "1961" not in rest and "00100" not in rest and "091" not in rest, "no holder data, ever"


def test_a_community_card_admits_the_worker_and_clients(network, desk):
    panel = check(desk, community_card(network).number)
    assert 'data-card-type="community"' in panel
    assert "Community card: the worker and up to 10 clients." in panel


def test_an_expired_card_says_expired_and_when_it_ended(network, desk):
    card = personal_card(network, issued_on=days_ago(400), valid_until=days_ago(3))
    panel = check(desk, card.number)
    assert ">Expired<" in panel and f"Was valid until {card.valid_until:%m/%d/%Y}" in panel
    assert "may come along" not in panel


def test_a_closed_card_says_closed(network, desk):
    panel = check(desk, personal_card(network, closed_on=today()).number)
    assert ">Closed<" in panel and "cannot be used any more" in panel


@pytest.mark.parametrize(("number", "expected"), [
    (UNKNOWN_NUMBER, message(Code.CARD_NOT_FOUND)),
    (BAD_CHECK_DIGIT, message(Code.NUMBER_INVALID)),
    ("12345", "A card number has 10 digits."),
])
def test_a_number_that_is_no_card_says_why(desk, number, expected):
    panel = check(desk, number)
    assert 'data-card-status="problem"' in panel and expected in panel


def test_the_check_speaks_the_page_language(network):
    card = personal_card(network, children=1)
    panel = check(signed_in(network, language="fi"), card.number)
    assert ">Voimassa<" in panel and "Mukaan voi tulla enintään 1 lapsi." in panel
    panel = check(signed_in(network, language="sv"), UNKNOWN_NUMBER)
    assert message(Code.CARD_NOT_FOUND, "sv") in panel


def test_without_javascript_the_check_button_shows_the_status_on_the_desk(network, desk):
    card = personal_card(network, children=1)
    page = desk.get(reverse("desk:check"), {"card_number": card.number, "check": ""}).content.decode()
    assert 'data-card-status="valid"' in page and f'value="{card.number}"' in page


def test_the_card_check_makes_few_queries(network, desk, django_assert_max_num_queries):
    card = personal_card(network)
    rules_in_force(network.area, today())  # the rules are read once per process, not per request
    with django_assert_max_num_queries(3):
        desk.get(reverse("desk:check_card"), {"card_number": card.number})


# Recording -----------------------------------------------------------------------------------------------


def test_the_desk_offers_todays_offerings_first_and_leaves_out_archived_and_past_ones(network, desk):
    make_offering(network.venue, "A undated")
    make_offering(network.venue, "B tomorrow", date=today() + datetime.timedelta(days=1))
    make_offering(network.venue, "C today", date=today(), ticket_quota=5)
    make_offering(network.venue, "D archived", archived=True)
    make_offering(network.venue, "E yesterday", date=days_ago(1))
    make_offering(network.other_venue, "F elsewhere")
    page = desk.get(reverse("desk:check")).content.decode()
    names = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", page)
    assert [name.split(" (")[0].split(" –")[0] for name in names] == ["C today", "A undated", "B tomorrow"]
    assert "C today – 5 of 5 card tickets left" in page
    assert re.search(r'<option value="\d+" selected data-kind="event">C today', page), "today's is preselected"


def test_a_recorded_visit_is_announced_and_the_desk_is_ready_for_the_next_person(network, desk):
    card = personal_card(network, children=2)
    offering = make_offering(network.venue, "Hamlet", date=today())
    response = record(desk, spaced(card.number), offering_id=offering.pk, children=2, clients=0, assistants=1)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('desk:check')}?offering_id={offering.pk}"
    visit = Visit.objects.get()
    assert (visit.card_id, visit.offering_id, visit.children, visit.assistants, visit.uses) == (
        card.pk, offering.pk, 2, 1, 3)

    page = desk.get(response["Location"]).content.decode()
    assert f"Visit recorded: card {card.number}, 3 uses (2 children, 1 assistant free)." in page
    assert 'name="card_number" id="id_card_number" class="card-number"\n               value=""' in page
    assert key_of(page) != "key-1", "a fresh idempotency key for the next visit"
    assert f'action="{reverse("desk:cancel", args=[visit.pk])}"' in page, "undo offered in the latest visits"
    assert f'<option value="{offering.pk}" selected' in page, "the offering stays chosen"


def test_every_rendering_of_the_desk_carries_a_new_idempotency_key(desk):
    assert key_of(desk.get(reverse("desk:check")).content.decode()) != key_of(
        desk.get(reverse("desk:check")).content.decode())


def test_a_double_tap_stores_one_visit(network, desk):
    card = personal_card(network)
    key = key_of(desk.get(reverse("desk:check")).content.decode())
    first = record(desk, card.number, key=key)
    second = record(desk, card.number, key=key)
    assert (first.status_code, second.status_code) == (302, 302)
    assert Visit.objects.count() == 1
    page = desk.get(second["Location"]).content.decode()
    assert f"This visit was already recorded: card {card.number}, 1 use." in page


@pytest.mark.parametrize(("card_kind", "fields", "field", "code"), [
    ("two_children", {"children": 3}, "children", Code.TOO_MANY_CHILDREN),
    ("two_children", {"clients": 2}, "clients", Code.CLIENTS_NEED_COMMUNITY_CARD),
    ("community", {"children": 1}, "children", Code.CHILDREN_NEED_PERSONAL_CARD),
    ("expired", {}, "card_number", Code.CARD_EXPIRED),
    ("closed", {}, "card_number", Code.CARD_CLOSED),
    ("unknown", {}, "card_number", Code.CARD_NOT_FOUND),
    ("bad_check_digit", {}, "card_number", Code.NUMBER_INVALID),
])
def test_a_refusal_is_shown_next_to_its_field_with_everything_kept(network, desk, card_kind, fields, field, code):
    number = {
        "two_children": lambda: personal_card(network, children=2).number,
        "community": lambda: community_card(network).number,
        "expired": lambda: personal_card(network, issued_on=days_ago(400), valid_until=days_ago(1)).number,
        "closed": lambda: personal_card(network, closed_on=today()).number,
        "unknown": lambda: UNKNOWN_NUMBER,
        "bad_check_digit": lambda: BAD_CHECK_DIGIT,
    }[card_kind]()
    response = record(desk, spaced(number), assistants=2, **fields)
    page = response.content.decode()
    assert response.status_code == 200
    assert field_error(page, field) == message(code)
    assert f'value="{spaced(number)}"' in page
    assert 'name="assistants" value="2"' in page
    for name, value in fields.items():
        assert f'name="{name}" value="{value}"' in page
    assert not Visit.objects.exists()


def test_a_refused_card_still_shows_its_status_beside_the_refusal(network, desk):
    card = personal_card(network, issued_on=days_ago(400), valid_until=days_ago(1))
    page = record(desk, card.number).content.decode()
    assert 'data-card-status="expired"' in page


@pytest.mark.parametrize(("offering_kind", "code"), [
    ("course", Code.CHILDREN_NOT_ALLOWED_FOR_COURSE),
    ("other_venue", Code.OFFERING_NOT_AT_VENUE),
    ("quota_used", Code.QUOTA_EXHAUSTED),
])
def test_offering_refusals_name_the_field_they_concern(network, desk, offering_kind, code):
    card = personal_card(network, children=1)
    offering = {
        "course": lambda: make_offering(network.venue, "Kurssi", kind="course"),
        "other_venue": lambda: make_offering(network.other_venue, "Muualla"),
        "quota_used": lambda: make_offering(network.venue, "Loppuunmyyty", ticket_quota=1),
    }[offering_kind]()
    page = record(desk, card.number, offering_id=offering.pk, children=1).content.decode()
    field = "children" if code == Code.CHILDREN_NOT_ALLOWED_FOR_COURSE else "offering_id"
    assert field_error(page, field) == message(code)
    assert not Visit.objects.exists()


def test_numbers_outside_the_form_ranges_are_refused_by_the_form(network, desk):
    page = record(desk, personal_card(network).number, clients=11, assistants=3).content.decode()
    assert "Ensure this value is less than or equal to 10." in field_error(page, "clients")
    assert "Ensure this value is less than or equal to 2." in field_error(page, "assistants")
    assert not Visit.objects.exists()


def test_recording_makes_few_queries(network, desk, django_assert_max_num_queries):
    card = personal_card(network, children=1)
    offering = make_offering(network.venue, ticket_quota=10)
    rules_in_force(network.area, today())
    # A quota offering also reads the tickets the enrolled desk devices hold on lease (devices/leases.py).
    with django_assert_max_num_queries(13):
        assert record(desk, card.number, offering_id=offering.pk, children=1).status_code == 302


def test_the_desk_page_does_not_query_per_offering_or_visit(network, desk, django_assert_max_num_queries):
    for number in range(6):
        offering = make_offering(network.venue, f"Näytös {number}", ticket_quota=20)
        record(desk, personal_card(network).number, key=f"k{number}", offering_id=offering.pk)
    with django_assert_max_num_queries(6):
        page = desk.get(reverse("desk:check")).content.decode()
    assert page.count('class="undo-form"') == 5


# Undo ----------------------------------------------------------------------------------------------------


def test_undo_within_the_cancel_window_cancels_and_returns_to_the_list(network, desk):
    record(desk, personal_card(network).number)
    visit = Visit.objects.get()
    response = desk.post(reverse("desk:cancel", args=[visit.pk]), {"next": reverse("desk:today")})
    assert response["Location"] == reverse("desk:today")
    visit.refresh_from_db()
    assert visit.cancelled_at is not None
    page = desk.get(reverse("desk:today")).content.decode()
    assert "The visit was cancelled. It counts nowhere." in page
    assert 'data-total="visits">0<' in page


def test_undo_after_the_cancel_window_is_refused_and_the_visit_stays(network, desk):
    record(desk, personal_card(network).number)
    visit = Visit.objects.get()
    Visit.objects.filter(pk=visit.pk).update(recorded_at=timezone.now() - datetime.timedelta(days=8))
    response = desk.post(reverse("desk:cancel", args=[visit.pk]), follow=True)
    assert message(Code.CANCEL_WINDOW_PASSED) in response.content.decode()
    visit.refresh_from_db()
    assert visit.cancelled_at is None


def test_a_visit_of_another_venue_cannot_be_undone(network, desk):
    record(desk, personal_card(network).number)
    visit = Visit.objects.get()
    response = signed_in(network, "other_venue").post(reverse("desk:cancel", args=[visit.pk]))
    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.cancelled_at is None


def test_an_offsite_next_address_is_ignored_after_undo(network, desk):
    record(desk, personal_card(network).number)
    response = desk.post(reverse("desk:cancel", args=[Visit.objects.get().pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("desk:check")


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


# Offerings -----------------------------------------------------------------------------------------------


def test_venue_staff_add_an_offering_with_a_quota(network, desk):
    response = desk.post(reverse("desk:offering_new"), {"name": "Hamlet", "kind": "event",
                                                         "date": today().isoformat(), "ticket_quota": "20"})
    assert response["Location"] == reverse("desk:offerings")
    offering = Offering.objects.get()
    assert (offering.venue, offering.name, offering.date, offering.ticket_quota) == (
        network.venue, "Hamlet", today(), 20)
    page = desk.get(reverse("desk:offerings")).content.decode()
    assert "Offering “Hamlet” added." in page and "<h3 class=\"offering-item__name\">Hamlet</h3>" in page


def test_an_offering_form_with_mistakes_keeps_what_was_typed(desk):
    page = desk.post(reverse("desk:offering_new"), {"name": "Hamlet", "kind": "event",
                                                     "ticket_quota": "-1"}).content.decode()
    assert "Ensure this value is greater than or equal to 0." in page and 'value="Hamlet"' in page
    assert not Offering.objects.exists()


def test_editing_changes_only_what_changed_and_can_remove_the_quota(network, desk):
    offering = make_offering(network.venue, "Hamlet", ticket_quota=10)
    response = desk.post(reverse("desk:offering_edit", args=[offering.pk]),
                         {"name": "Hamlet", "kind": "event", "date": "", "ticket_quota": ""})
    assert response["Location"] == reverse("desk:offerings")
    offering.refresh_from_db()
    assert offering.ticket_quota is None
    assert AuditRecord.objects.get(action="offering.updated").details["fields"] == ["ticket_quota"]


def test_archiving_takes_an_offering_off_the_desk_and_restoring_brings_it_back(network, desk):
    offering = make_offering(network.venue, "Hamlet")
    listing = desk.post(reverse("desk:offering_archive", args=[offering.pk]), follow=True).content.decode()
    assert 'data-kind="event">Hamlet' not in desk.get(reverse("desk:check")).content.decode()
    assert "Offering “Hamlet” archived." in listing and "Take back into use" in listing
    desk.post(reverse("desk:offering_archive", args=[offering.pk]), {"restore": "1"})
    assert 'data-kind="event">Hamlet' in desk.get(reverse("desk:check")).content.decode()


def test_the_offerings_list_shows_todays_card_tickets_against_the_quota(network, desk):
    offering = make_offering(network.venue, "Hamlet", ticket_quota=10)
    record(desk, personal_card(network, children=2).number, offering_id=offering.pk, children=2)
    make_offering(network.other_venue, "Muualla")
    page = desk.get(reverse("desk:offerings")).content.decode()
    assert "<dd data-quota>10</dd>" in page and "<dd data-used-today>3</dd>" in page
    assert "Muualla" not in page


def test_the_area_coordinator_edits_an_offering_of_its_area_by_its_address(network):
    offering = make_offering(network.venue, "Hamlet")
    coordinator = signed_in(network, "coordinator")
    response = coordinator.post(reverse("desk:offering_edit", args=[offering.pk]),
                                {"name": "Hamlet (ruotsiksi)", "kind": "event", "ticket_quota": "5"})
    assert response["Location"] == reverse("desk:offering_edit", args=[offering.pk])
    offering.refresh_from_db()
    assert (offering.name, offering.ticket_quota) == ("Hamlet (ruotsiksi)", 5)


@pytest.mark.parametrize("who", ["other_venue", "other_coordinator", "distributor"])
def test_an_offering_outside_the_scope_can_be_neither_edited_nor_archived(network, who):
    offering = make_offering(network.venue, "Hamlet")
    client = signed_in(network, who)
    edit = client.post(reverse("desk:offering_edit", args=[offering.pk]), {"name": "X", "kind": "event"})
    archive = client.post(reverse("desk:offering_archive", args=[offering.pk]))
    assert (edit.status_code, archive.status_code) == (403, 403)
    assert message(Code.FORBIDDEN) in edit.content.decode()
    offering.refresh_from_db()
    assert (offering.name, offering.archived) == ("Hamlet", False)


def test_an_unknown_offering_is_not_found(desk):
    assert desk.get(reverse("desk:offering_edit", args=[987654])).status_code == 404


# Languages -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "words"), [
    ("fi", ["Kortin numero", "Kirjaa käynti", "Tarkista", "Lapset", "Avustajat"]),
    ("sv", ["Kortnummer", "Registrera besöket", "Kontrollera", "Barn", "Assistenter"]),
])
def test_the_desk_is_in_finnish_and_swedish(network, language, words):
    page = signed_in(network, language=language).get(reverse("desk:check")).content.decode()
    for word in words:
        assert word in page


def test_the_paper_list_and_offerings_are_translated(network):
    client = signed_in(network, language="sv")
    assert "Spara raderna" in client.get(reverse("desk:paper")).content.decode()
    assert "Nytt utbud" in client.get(reverse("desk:offerings")).content.decode()


def test_a_card_of_another_area_works_at_the_desk(network, desk):
    card = make_card(network.other_distributor)
    assert record(desk, card.number).status_code == 302
