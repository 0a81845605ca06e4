"""The desk's paper list and undo lists follow the rules in force in the venue's area, as the visit service
judges them: the steppers' tops and how far back the list goes on the recording day, and each visit's undo by
the cancel window of the day it was recorded."""

import datetime
import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.core.clock import today
from kaikukanta.programme import selectors as programme_selectors
from kaikukanta.programme import services as programme_services
from kaikukanta.programme.models import RuleVersion
from kaikukanta.testing import sign_in
from kaikukanta.visits.models import Visit

from .support import community_card, days_ago, personal_card

DESK_RULES = ["max_clients", "max_assistants", "cancel_window_days", "paper_list_days"]


def desk_of(network, who="venue") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    sign_in(client, network.users[who])
    return client


def area_sets(network, **overrides):
    """The national admin lets areas set the desk's rules; the coordinator sets them for its area from today."""
    national = programme_selectors.national_version_in_force(today())
    values = programme_selectors.rules_in_force(None, today()).values()
    programme_services.set_national_rules(Caller.for_console(network.users["admin"]), effective_from=today(),
                                          values=values,
                                          overridable=sorted(set(national.overridable) | set(DESK_RULES)))
    programme_services.set_area_rules(Caller.for_console(network.users["coordinator"]), network.area.pk,
                                      effective_from=today(), overrides=overrides)


def tops(page: str, row: int = 1) -> tuple[str, str]:
    found = [re.search(rf'name="row-{row}-{name}"[^>]*max="(\d+)"', page) for name in ("clients", "assistants")]
    return tuple(match.group(1) if match else "" for match in found)


def test_the_paper_list_steppers_and_reach_are_the_venue_areas_rules(network):
    area_sets(network, max_clients=3, max_assistants=1, paper_list_days=5)
    page = desk_of(network).get(reverse("desk:paper")).content.decode()
    assert tops(page) == ("3", "1")
    assert "up to 5 days back" in page
    assert f'min="{days_ago(5).isoformat()}"' in page
    # A venue of the other area keeps the national rules.
    other = desk_of(network, "other_venue").get(reverse("desk:paper")).content.decode()
    assert tops(other) == ("10", "2")
    assert "up to 31 days back" in other


def test_a_paper_row_over_the_areas_top_is_refused_on_its_row_and_not_stored(network):
    area_sets(network, max_clients=3)
    card = community_card(network, issued_on=days_ago(30))
    body = {"used_on": days_ago(2).isoformat(), "offering_id": "", "rows": "2",
            "row-1-key": "p1", "row-1-card_number": card.number, "row-1-clients": "4",
            "row-2-key": "p2", "row-2-card_number": card.number, "row-2-clients": "3"}
    page = desk_of(network).post(reverse("desk:paper"), body).content.decode()
    row_1 = re.search(r'data-row="1">(.*?)</tr>', page, re.S).group(1)
    assert "Not recorded" in row_1 and 'value="4"' in row_1
    assert "1 row recorded." in page
    assert list(Visit.objects.values_list("clients", flat=True)) == [3]


def test_the_undo_lists_offer_undo_only_within_the_areas_cancel_window(network):
    area_sets(network, cancel_window_days=0)
    desk = desk_of(network)
    card = personal_card(network)
    desk.post(reverse("desk:check"), {"card_number": card.number, "idempotency_key": "k1"})
    visit = Visit.objects.get()
    Visit.objects.filter(pk=visit.pk).update(recorded_at=timezone.now() - datetime.timedelta(seconds=5))
    assert 'class="undo-form"' not in desk.get(reverse("desk:today")).content.decode()
    assert 'class="undo-form"' not in desk.get(reverse("desk:check")).content.decode()
    # What the lists say is what the service does.
    desk.post(reverse("desk:cancel", args=[visit.pk]))
    visit.refresh_from_db()
    assert visit.cancelled_at is None
    # The other area's venue, under the national seven days, still offers its undo.
    other = desk_of(network, "other_venue")
    other.post(reverse("desk:check"), {"card_number": card.number, "idempotency_key": "k2"})
    assert 'class="undo-form"' in other.get(reverse("desk:today")).content.decode()
    assert 'class="undo-form"' in other.get(reverse("desk:check")).content.decode()


def test_each_visit_is_undone_by_the_cancel_window_of_its_recording_day(network):
    # Set up as history: from ten days ago the area's visits could be cancelled for two days only.
    RuleVersion.objects.create(area=None, effective_from=days_ago(20), holder_min_age=16,
                               holder_age_counting="calendar_year", max_children=20, courses_admit_children=False,
                               max_clients=10, max_assistants=2, max_validity_months=12, cancel_window_days=7,
                               paper_list_days=31, other_area_cards=True, overridable=DESK_RULES)
    RuleVersion.objects.create(area=network.area, effective_from=days_ago(10), cancel_window_days=2)
    programme_selectors.changed()
    desk = desk_of(network)
    card = personal_card(network, issued_on=days_ago(30))
    for key, back in (("three", 3), ("one", 1)):
        desk.post(reverse("desk:paper"), {"used_on": days_ago(back).isoformat(), "offering_id": "", "rows": "1",
                                          "row-1-key": key, "row-1-card_number": card.number})
        Visit.objects.filter(idempotency_key=key).update(
            recorded_at=timezone.now() - datetime.timedelta(days=back, minutes=1))
    three_days = desk.get(reverse("desk:today"), {"day": days_ago(3).isoformat()}).content.decode()
    one_day = desk.get(reverse("desk:today"), {"day": days_ago(1).isoformat()}).content.decode()
    assert 'class="undo-form"' not in three_days
    assert 'class="undo-form"' in one_day
    recent = desk.get(reverse("desk:check")).content.decode()
    assert recent.count('class="undo-form"') == 1
    stale, fresh = Visit.objects.get(idempotency_key="three"), Visit.objects.get(idempotency_key="one")
    desk.post(reverse("desk:cancel", args=[stale.pk]))
    desk.post(reverse("desk:cancel", args=[fresh.pk]))
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert (stale.cancelled_at is None, fresh.cancelled_at is not None) == (True, True)
