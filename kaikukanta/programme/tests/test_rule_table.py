"""The rule table: every rule × boundary × area × date, against outcomes written by hand.

The world: the national rules of the migration (from 2000); a second national version from 1.6.2027 counting
the minimum age on the day and letting areas set the minimum age; Kainuu from 1.3.2027 with children free up
to 16 and courses admitting children; Forssa from 1.3.2027 with children up to 18, at most 5 children a card
and no cards of other areas, and from 1.6.2027 a minimum age of 18. The rows are what a person reading those
rules expects; the functions are the ones the services, the importers and the desk call.
"""

import datetime

import pytest
from django.utils import timezone

from kaikukanta.cards import rules as card_rules
from kaikukanta.cards.models import CardType
from kaikukanta.core.clock import add_months
from kaikukanta.core.errors import Refusal
from kaikukanta.network.models import OfferingKind
from kaikukanta.programme import selectors
from kaikukanta.programme.models import RuleVersion
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.testing import make_area
from kaikukanta.visits import rules as visit_rules

pytestmark = pytest.mark.django_db

FEB_28, MAR_1 = datetime.date(2027, 2, 28), datetime.date(2027, 3, 1)
MAY_31, JUN_1 = datetime.date(2027, 5, 31), datetime.date(2027, 6, 1)
OVERRIDABLE = ["children_max_age", "max_children", "courses_admit_children", "other_area_cards"]


@pytest.fixture
def areas():
    kainuu, forssa = make_area("Kainuu", ["205"]), make_area("Forssa", ["061"])
    national = RuleVersion.objects.get(area=None)
    values = {name: getattr(national, name) for name in
              ("holder_min_age", "children_max_age", "max_children", "courses_admit_children", "max_clients",
               "max_assistants", "max_validity_months", "cancel_window_days", "paper_list_days",
               "other_area_cards")}
    RuleVersion.objects.create(area=None, effective_from=JUN_1, holder_age_counting="on_the_day",
                               overridable=[*OVERRIDABLE, "holder_min_age"], **values)
    RuleVersion.objects.create(area=kainuu, effective_from=MAR_1, children_max_age=16, courses_admit_children=True)
    RuleVersion.objects.create(area=forssa, effective_from=MAR_1, children_max_age=18, max_children=5,
                               other_area_cards=False)
    RuleVersion.objects.create(area=forssa, effective_from=JUN_1, children_max_age=18, max_children=5,
                               other_area_cards=False, holder_min_age=18)
    selectors.changed()
    return {"Kainuu": kainuu.pk, "Forssa": forssa.pk, None: None}


def outcome(call) -> str:
    try:
        call()
    except Refusal as refusal:
        return refusal.code.value
    return "ok"


def holder(birth_year=1980, children=0, years=None):
    return card_rules.Holder(birth_year=birth_year, postal_code="88600", children=children,
                             children_birth_years=years)


def issue(rules, day, the_holder, valid_until=None):
    return lambda: card_rules.check_new_card(
        card_type=CardType.PERSONAL, holder=the_holder, valid_until=valid_until or day, day=day, rules=rules,
        municipality_of_postal_code=lambda code: "205", municipality_in_network=lambda code, on: True)


AGE = [  # area, day, birth year, expected
    ("Kainuu", MAY_31, 2011, "ok"),                 # turns 16 in 2027: enough while the year counts
    ("Kainuu", MAY_31, 2012, "holder_too_young"),   # turns 15
    ("Kainuu", JUN_1, 2011, "holder_too_young"),    # on the day: may still be 15
    ("Kainuu", JUN_1, 2010, "ok"),                  # 16 on any day of 2027
    ("Forssa", MAY_31, 2011, "ok"),                 # Forssa's 18 starts in June
    ("Forssa", JUN_1, 2009, "holder_too_young"),    # 17 for sure, 18 perhaps
    ("Forssa", JUN_1, 2008, "ok"),
    (None, JUN_1, 2010, "ok"),
    (None, JUN_1, 2011, "holder_too_young"),
]


@pytest.mark.parametrize(("area", "day", "birth_year", "expected"), AGE)
def test_minimum_age(areas, area, day, birth_year, expected):
    assert outcome(issue(rules_in_force(areas[area], day), day, holder(birth_year))) == expected


CHILDREN_AT_ISSUE = [  # area, day, children, birth years, expected
    ("Kainuu", FEB_28, 2, None, "ok"),                          # no age limit yet: a count is enough
    ("Kainuu", MAR_1, 2, None, "child_birth_years_needed"),
    ("Kainuu", MAR_1, 0, None, "ok"),
    ("Kainuu", MAR_1, 1, (2011,), "ok"),                        # 16 in 2027
    ("Kainuu", MAR_1, 1, (2010,), "child_over_age_limit"),      # 17
    ("Kainuu", MAR_1, 2, (2011,), "invalid"),                   # a year for each child
    ("Kainuu", MAR_1, 1, (2028,), "invalid"),                   # not born yet
    ("Forssa", MAR_1, 1, (2009,), "ok"),                        # 18
    ("Forssa", MAR_1, 1, (2008,), "child_over_age_limit"),      # 19
    ("Forssa", MAR_1, 5, (2015,) * 5, "ok"),
    ("Forssa", MAR_1, 6, (2015,) * 6, "too_many_children"),
    ("Forssa", FEB_28, 6, None, "ok"),                          # national: 20, no years
    (None, MAR_1, 20, None, "ok"),
    (None, MAR_1, 21, None, "too_many_children"),
]


@pytest.mark.parametrize(("area", "day", "children", "years", "expected"), CHILDREN_AT_ISSUE)
def test_children_on_a_new_card(areas, area, day, children, years, expected):
    rules = rules_in_force(areas[area], day)
    the_holder = holder(children=children, years=years)

    def check():
        card_rules.check_holder_presence(CardType.PERSONAL, the_holder)
        issue(rules, day, the_holder)()

    assert outcome(check) == expected


VALIDITY = [  # area, day, months after the day (+ days), expected
    ("Kainuu", MAR_1, (12, 0), "ok"),
    ("Kainuu", MAR_1, (12, 1), "validity_too_long"),
    ("Forssa", JUN_1, (12, 0), "ok"),
    (None, FEB_28, (0, -1), "validity_in_past"),
]


@pytest.mark.parametrize(("area", "day", "until", "expected"), VALIDITY)
def test_longest_validity(areas, area, day, until, expected):
    valid_until = add_months(day, until[0]) + datetime.timedelta(days=until[1])
    assert outcome(issue(rules_in_force(areas[area], day), day, holder(), valid_until)) == expected


def card(area_id, children=2, years=(2010, 2011), card_type=CardType.PERSONAL):
    return visit_rules.CardFacts(card_type=card_type, issued_on=datetime.date(2026, 1, 1),
                                 valid_until=datetime.date(2028, 1, 1), closed_on=None, children=children,
                                 children_birth_years=years, area_id=area_id)


VISIT_PARTY = [  # venue's area, day, card (area, birth years), children, offering kind, expected
    ("Kainuu", FEB_28, ("Kainuu", (2010, 2011)), 2, None, "ok"),            # no limit yet: both come
    ("Kainuu", MAR_1, ("Kainuu", (2010, 2011)), 2, None, "too_many_children"),  # the 17-year-old does not
    ("Kainuu", MAR_1, ("Kainuu", (2010, 2011)), 1, None, "ok"),
    ("Kainuu", MAR_1, ("Kainuu", None), 2, None, "ok"),                     # a count only: judged as before
    ("Forssa", MAR_1, ("Forssa", (2010, 2011)), 2, None, "ok"),             # 18: both come
    ("Kainuu", FEB_28, ("Kainuu", (2010, 2011)), 1, OfferingKind.COURSE, "children_not_allowed_for_course"),
    ("Kainuu", MAR_1, ("Kainuu", (2010, 2011)), 1, OfferingKind.COURSE, "ok"),
    ("Forssa", MAR_1, ("Forssa", (2010, 2011)), 1, OfferingKind.COURSE, "children_not_allowed_for_course"),
    ("Forssa", FEB_28, ("Kainuu", None), 0, None, "ok"),                    # other areas' cards until March
    ("Forssa", MAR_1, ("Kainuu", None), 0, None, "card_of_other_area"),
    ("Forssa", MAR_1, ("Forssa", None), 0, None, "ok"),
    ("Kainuu", MAR_1, ("Forssa", None), 0, None, "ok"),                     # Kainuu admits them
]


@pytest.mark.parametrize(("venue_area", "day", "card_of", "children", "kind", "expected"), VISIT_PARTY)
def test_a_visit_is_judged_by_the_venue_area_on_its_day(areas, venue_area, day, card_of, children, kind, expected):
    rules = rules_in_force(areas[venue_area], day)
    facts = card(areas[card_of[0]], years=card_of[1])

    def check():
        visit_rules.check_card_area(facts, areas[venue_area], rules)
        visit_rules.check_party(facts, kind, children=children, clients=0, used_on=day, rules=rules)

    assert outcome(check) == expected


RANGES = [  # area, day, clients, assistants, expected
    ("Kainuu", MAR_1, 10, 2, "ok"),
    ("Kainuu", MAR_1, 11, 0, "invalid"),
    ("Forssa", JUN_1, 0, 3, "invalid"),
]


@pytest.mark.parametrize(("area", "day", "clients", "assistants", "expected"), RANGES)
def test_clients_and_assistants(areas, area, day, clients, assistants, expected):
    rules = rules_in_force(areas[area], day)
    assert outcome(lambda: visit_rules.check_ranges(children=0, clients=clients, assistants=assistants,
                                                    rules=rules)) == expected


PAPER_LIST = [  # area, recording day, days back, expected
    ("Kainuu", MAR_1, 31, "ok"),
    ("Kainuu", MAR_1, 32, "date_out_of_range"),
    ("Forssa", JUN_1, -1, "date_out_of_range"),                 # tomorrow
]


@pytest.mark.parametrize(("area", "day", "back", "expected"), PAPER_LIST)
def test_paper_list(areas, area, day, back, expected):
    rules = rules_in_force(areas[area], day)
    used_on = day - datetime.timedelta(days=back)
    assert outcome(lambda: visit_rules.check_used_on(used_on, day, rules)) == expected


CANCEL = [  # area, day recorded, time since recording, expected
    ("Kainuu", MAR_1, datetime.timedelta(days=7), "ok"),
    ("Kainuu", MAR_1, datetime.timedelta(days=7, seconds=1), "cancel_window_passed"),
    ("Forssa", JUN_1, datetime.timedelta(days=6), "ok"),
]


@pytest.mark.parametrize(("area", "day", "since", "expected"), CANCEL)
def test_cancel_window(areas, area, day, since, expected):
    rules = rules_in_force(areas[area], day)
    recorded_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
    assert outcome(lambda: visit_rules.check_cancellable(recorded_at, recorded_at + since, rules)) == expected


def test_an_area_override_of_a_rule_no_longer_overridable_falls_back_to_the_national_value(areas):
    RuleVersion.objects.create(area=None, effective_from=datetime.date(2027, 9, 1), holder_min_age=16,
                               holder_age_counting="calendar_year", max_children=20, courses_admit_children=False,
                               max_clients=10, max_assistants=2, max_validity_months=12, cancel_window_days=7,
                               paper_list_days=31, other_area_cards=True, overridable=["children_max_age"])
    selectors.changed()
    later = rules_in_force(areas["Forssa"], datetime.date(2027, 9, 1))
    assert (later.holder_min_age, later.children_max_age, later.other_area_cards) == (16, 18, True)
    # and the summer stays as it was
    assert rules_in_force(areas["Forssa"], datetime.date(2027, 8, 31)).holder_min_age == 18
