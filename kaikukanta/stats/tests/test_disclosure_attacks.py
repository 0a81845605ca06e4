"""A venue playing every strategy of the reviewer's report against the real API, pages and files, and
learning nothing about a holder's attributes (README "Security and privacy", API.md "Statistics").

The target is a holder whose card number the venue knows (it saw the card at its desk). The venue may
record a visit with it dated up to 31 days back, ask its statistics, and cancel the visit within 7 days;
it may ask any period, grouping, total, page and file. Each test compares what it can obtain with and
without the target's visit, and asserts the two are the same or give the target's figures away nowhere.
"""

import csv
import datetime
import io

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from kaikukanta.core.clock import today
from kaikukanta.stats.disclosure import settled_through
from kaikukanta.testing import make_card, sign_in
from kaikukanta.visits.models import Visit
from kaikukanta.visits.tests.support import post_visit

from .test_stats_pages import PageTables

pytestmark = pytest.mark.django_db

d = datetime.date
HOLDER_GROUPINGS = ("age_group", "gender", "home_municipality", "home_area", "children")
# A settled month of the background world, and the day in it the target's visit falls on.
MARCH = {"from": "2024-03-01", "to": "2024-03-31"}
TARGET_DAY = d(2024, 3, 15)


def everyone(network, **extra):
    """Six holders alike (born 1990, Helsinki, female, no children): one visible cell in every grouping."""
    return [make_card(network.distributor, issued_on=d(2023, 6, 1), valid_until=d(2099, 1, 1), birth_year=1990,
                      gender="female", **extra) for _ in range(6)]


def target_card(network):
    """Unlike the others in every attribute: born 2000, from Tampere, male, two children."""
    return make_card(network.other_distributor, issued_on=d(2023, 6, 1), valid_until=d(2099, 1, 1),
                     birth_year=2000, postal_code="33100", gender="male", children=2)


def visit(card, venue, used_on, **extra):
    return Visit.objects.create(card=card, venue=venue, used_on=used_on, uses=1 + extra.get("children", 0),
                                **extra)


def answers(client, periods) -> dict:
    """Everything the venue's API gives for `periods`: every holder breakdown (rows and total) and the
    travel table."""
    found = {}
    for period in periods:
        for group_by in HOLDER_GROUPINGS:
            response = client.get("stats/uses", group_by=group_by, **period)
            assert response.status_code == 200, response.content
            found[(group_by, tuple(period.values()))] = response.json()
        found[("travel", tuple(period.values()))] = client.get("stats/travel", **period).json()
    return found


def keys_shown(found: dict) -> set[str]:
    return {row.get("key") or row.get("home") for answer in found.values() for row in answer["rows"]}


def without(visit_row):
    Visit.objects.filter(pk=visit_row.pk).update(cancelled_at=timezone.now())


def test_recording_a_backdated_visit_on_a_quiet_day_asking_and_cancelling_reveals_nothing(network):
    desk = network.client("venue")
    target = target_card(network)
    quiet = today() - datetime.timedelta(days=20)
    month = {"from": quiet.replace(day=1).isoformat(), "to": quiet.isoformat()}
    periods = [{"from": quiet.isoformat(), "to": quiet.isoformat()}, month, {}]
    before = answers(desk, periods)

    recorded = post_visit(desk, {"card_number": target.number, "used_on": quiet.isoformat(), "children": 2})
    assert recorded.status_code == 201, recorded.content
    during = answers(desk, periods)
    assert desk.delete(f"visits/{recorded.json()['id']}").status_code == 204
    after = answers(desk, periods)

    assert before == during == after
    # Not one of the target's attributes appears as a key, suppressed or not.
    assert not keys_shown(during) & {"18-29", "male", "837", str(network.other_area.pk), "2"}


def test_the_same_attack_among_other_holders_changes_no_answer(network):
    desk = network.client("venue")
    day = today() - datetime.timedelta(days=10)
    for card in everyone(network):
        visit(card, network.venue, day)
    target = target_card(network)
    periods = [{"from": day.isoformat(), "to": day.isoformat()},
               {"from": (day - datetime.timedelta(days=40)).isoformat()}]
    before = answers(desk, periods)
    recorded = post_visit(desk, {"card_number": target.number, "used_on": day.isoformat()})
    assert recorded.status_code == 201, recorded.content
    assert answers(desk, periods) == before


def test_a_suppressed_cell_adds_nothing_to_rows_or_total(network):
    """Breakdown against total: the total is the sum of the rows shown, and the hidden cell's key is
    nowhere; with or without the target the answers are the same."""
    desk = network.client("venue")
    for card in everyone(network):
        visit(card, network.venue, d(2024, 3, 10))
    target_visit = visit(target_card(network), network.venue, TARGET_DAY, children=2)
    periods = [MARCH, {"from": "2024-01-01", "to": "2024-12-31"}, {}]
    with_target = answers(desk, periods)
    for (group_by, _period), answer in with_target.items():
        if group_by == "travel":
            continue
        assert answer["rows"], group_by
        for name in ("visits", "uses", "child_uses"):
            assert answer["total"][name] == sum(row[name] for row in answer["rows"])
    assert not keys_shown(with_target) & {"18-29", "male", "837", str(network.other_area.pk), "2"}
    without(target_visit)
    assert answers(desk, periods) == with_target


def test_overlapping_periods_never_differ_by_the_target(network):
    """Every period around the target's day: no two answers differ by the target's one visit."""
    desk = network.client("venue")
    helsinki = everyone(network)
    for card in helsinki:
        visit(card, network.venue, d(2024, 3, 2))
    # The target is alike in age this time, so it falls in the visible cell of the age breakdown.
    target = make_card(network.distributor, issued_on=d(2023, 6, 1), valid_until=d(2099, 1, 1), birth_year=1990,
                       gender="female")
    visit(target, network.venue, TARGET_DAY)
    starts = [d(2024, 2, 1), d(2024, 3, 1), d(2024, 3, 15), d(2024, 3, 16)]
    ends = [d(2024, 3, 14), d(2024, 3, 15), d(2024, 3, 31), d(2024, 4, 30)]
    figures = []
    for start in starts:
        for end in ends:
            if end >= start:
                body = desk.get("stats/uses", group_by="age_group", **{"from": start.isoformat(),
                                                                      "to": end.isoformat()}).json()
                row = next((row for row in body["rows"] if row["key"] == "30-49"), None)
                figures.append((row["visits"], row["uses"]) if row else (0, 0))
                figures.append((body["total"]["visits"], body["total"]["uses"]))
    for first in figures:
        for second in figures:
            assert (first[0] - second[0], first[1] - second[1]) != (1, 1)


def test_a_period_the_venue_can_still_change_has_no_holder_figures(network):
    desk = network.client("venue")
    open_month = settled_through(today()) + datetime.timedelta(days=1)
    for card in everyone(network):
        visit(card, network.venue, open_month)
    body = desk.get("stats/uses", group_by="age_group", **{"from": open_month.isoformat()}).json()
    assert body == {"rows": [], "total": {"visits": 0, "uses": 0, "child_uses": 0}}
    assert desk.get("stats/travel", **{"from": open_month.isoformat()}).json() == {"rows": []}


def test_entitled_callers_keep_exact_figures(network):
    for card in everyone(network):
        visit(card, network.venue, d(2024, 3, 10))
    visit(target_card(network), network.venue, TARGET_DAY, children=2)
    body = network.client("admin").get("stats/uses", group_by="age_group", **MARCH).json()
    assert body["total"] == {"visits": 7, "uses": 9, "child_uses": 2}
    assert {row["key"]: row["visits"] for row in body["rows"]} == {"18-29": None, "30-49": 6}
    own = network.client("distributor").get("stats/uses", group_by="age_group", **MARCH).json()
    assert own["rows"] == [{"key": "30-49", "visits": 6, "uses": 6, "child_uses": 0, "suppressed": False}]


# ---- the dashboard and its files ----

def _client(network, who="venue"):
    client = Client(headers={"accept-language": "en"})
    sign_in(client, network.users[who])
    return client


def _files(network, params) -> dict:
    client = _client(network)
    found = {}
    for table in ("age_group", "breakdown", "travel"):
        for group_by in HOLDER_GROUPINGS:
            query = {**params, "group_by": group_by}
            url = reverse("stats:export", kwargs={"table": table, "fmt": "csv"})
            found[(table, group_by, "csv")] = list(csv.reader(io.StringIO(
                client.get(url, query).content.decode("utf-8-sig"))))
            url = reverse("stats:export", kwargs={"table": table, "fmt": "xlsx"})
            sheet = load_workbook(io.BytesIO(client.get(url, query).content)).active
            found[(table, group_by, "xlsx")] = [list(row) for row in sheet.iter_rows(values_only=True)]
        page = client.get(reverse("stats:dashboard"), {**params, "group_by": group_by})
        assert page.status_code == 200
        found[("page", group_by)] = PageTables(page.content.decode()).tables
        assert {"age_group", "breakdown", "travel"} <= set(found[("page", group_by)])
    return found


@pytest.mark.parametrize("period", [MARCH, {"from": "2024-03-15", "to": "2024-03-15"},
                                    {"from": "2024-01-01", "to": "2024-12-31"}])
def test_the_dashboard_and_its_files_are_the_same_with_or_without_the_target(network, period):
    for card in everyone(network):
        visit(card, network.venue, d(2024, 3, 10))
    target_visit = visit(target_card(network), network.venue, TARGET_DAY, children=2)
    params = {**period, "on": "2024-12-31"}
    with_target = _files(network, params)
    without(target_visit)
    without_target = _files(network, params)
    for name, found in with_target.items():
        if name[0] == "page":
            # The summary counts the venue's own visits, which it recorded itself.
            found = {table: rows for table, rows in found.items() if table in ("age_group", "breakdown", "travel")}
            without_target[name] = {table: rows for table, rows in without_target[name].items() if table in found}
        assert found == without_target[name], name


def test_the_venue_is_told_what_its_holder_figures_are(network):
    page = _client(network).get(reverse("stats:dashboard"), {"group_by": "gender"}).content.decode()
    assert page.count("cover only calendar months that ended at least 39 days ago") == 3
    admin = _client(network, "admin").get(reverse("stats:dashboard"), {"group_by": "gender"}).content.decode()
    assert "cover only calendar months" not in admin


def test_a_coordinator_learns_nothing_of_another_areas_holder_at_its_venues(network):
    """An area's venues admit holders of other areas, whose data its coordinator may not read on the card:
    its breakdowns of visits by holder attributes are released as a venue's are, so narrowing the period to
    the day of one visit, or comparing the answers with and without it, shows nothing of that holder."""
    coordinator = network.client("coordinator")
    for card in everyone(network):
        visit(card, network.venue, d(2024, 3, 10))

    def answers():
        return [coordinator.get("stats/uses", group_by=group, **period).json()
                for group in ("age_group", "gender", "home_municipality", "home_area", "children")
                for period in (MARCH, {"from": TARGET_DAY.isoformat(), "to": TARGET_DAY.isoformat()})] + [
            coordinator.get("stats/travel", **MARCH).json()]

    without = answers()
    visit(target_card(network), network.venue, TARGET_DAY, children=2)
    assert answers() == without
    for body in without[:-1]:
        assert all(row["visits"] % 5 == 0 and row["uses"] % 5 == 0 for row in body["rows"])
