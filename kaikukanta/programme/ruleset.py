"""The programme's rules as one immutable value, and how a national and an area version combine (pure).

`RuleSet` is what every rule function of `cards/rules.py` and `visits/rules.py` takes; `selectors.rules_in_force`
builds it from the stored versions. Its field names are part of `GET /api/v1/rules` (add only, rename nothing).
"""

import dataclasses
import datetime
from dataclasses import dataclass

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AgeCounting:
    """How the holder's minimum age is counted from a birth year (the register stores no birth date)."""

    # Turning N this calendar year: day.year - birth_year >= N.
    CALENDAR_YEAR = "calendar_year"
    # Being N on the day, whatever the birthday: day.year - birth_year - 1 >= N (born N+1 calendar years ago).
    ON_THE_DAY = "on_the_day"
    CHOICES = (CALENDAR_YEAR, ON_THE_DAY)


@dataclass(frozen=True)
class RuleSet:
    """The rules in force in one area (or nationally, `area_id` None) on one day."""

    holder_min_age: int = 16
    holder_age_counting: str = AgeCounting.CALENDAR_YEAR
    # None: children are counted, not aged (no birth years asked); N: a child counts up to the calendar
    # year in which it turns N (visit year - birth year <= N), and new cards record each child's birth year.
    children_max_age: int | None = None
    max_children: int = 20
    courses_admit_children: bool = False
    max_clients: int = 10
    max_assistants: int = 2
    max_validity_months: int = 12
    cancel_window_days: int = 7
    paper_list_days: int = 31
    other_area_cards: bool = True
    # Where this set comes from: the area (None: national) and the day its newest version began.
    area_id: int | None = None
    effective_from: datetime.date = datetime.date(2000, 1, 1)

    @property
    def cancel_window(self) -> datetime.timedelta:
        return datetime.timedelta(days=self.cancel_window_days)

    @property
    def children_need_birth_years(self) -> bool:
        return self.children_max_age is not None

    def values(self) -> dict:
        return {name: getattr(self, name) for name in RULE_FIELDS}


# The rules themselves, in the order pages and the API show them.
RULE_FIELDS = ("holder_min_age", "holder_age_counting", "children_max_age", "max_children",
               "courses_admit_children", "max_clients", "max_assistants", "max_validity_months",
               "cancel_window_days", "paper_list_days", "other_area_cards")
NATIONAL_DEFAULTS = RuleSet()
assert tuple(f.name for f in dataclasses.fields(RuleSet))[:len(RULE_FIELDS)] == RULE_FIELDS

# Bounds of each integer rule (inclusive). The paper list and the cancel window stay within today's 31 and
# 7 days: the statistics' settling period (stats/disclosure.py) is built on those tops.
BOUNDS = {
    "holder_min_age": (0, 30),
    "children_max_age": (0, 25),
    "max_children": (0, 20),
    "max_clients": (0, 50),
    "max_assistants": (0, 10),
    "max_validity_months": (1, 60),
    "cancel_window_days": (0, 7),
    "paper_list_days": (0, 31),
}
BOOLEAN_FIELDS = ("courses_admit_children", "other_area_cards")

LABELS = {
    "holder_min_age": _("Holder's minimum age"),
    "holder_age_counting": _("How the minimum age is counted"),
    "children_max_age": _("Children free up to the age of"),
    "max_children": _("Most children on one card"),
    "courses_admit_children": _("Courses admit children"),
    "max_clients": _("Most clients on a community card visit"),
    "max_assistants": _("Assistants per visit"),
    "max_validity_months": _("Longest validity (months)"),
    "cancel_window_days": _("Days a visit may be cancelled"),
    "paper_list_days": _("Days back the paper list may go"),
    "other_area_cards": _("Venues admit cards of other areas"),
}
AGE_COUNTING_LABELS = {
    AgeCounting.CALENDAR_YEAR: _("turning the age this calendar year"),
    AgeCounting.ON_THE_DAY: _("being the age on the day"),
}
YES, NO = pgettext_lazy("rule", "yes"), pgettext_lazy("rule", "no")
NO_CHILD_AGE_LIMIT = _("no age limit (children counted only)")


def combine(national: dict, overridable: frozenset[str], area: dict | None, *, area_id: int | None,
            effective_from: datetime.date) -> RuleSet:
    """The national values, each overridable one replaced by the area's where the area set it (not None)."""
    values = {name: national[name] for name in RULE_FIELDS}
    for name in overridable:
        if area is not None and area.get(name) is not None:
            values[name] = area[name]
    # children_max_age: None is "no limit" nationally; an area lifts a national limit with its own value only.
    return RuleSet(**values, area_id=area_id, effective_from=effective_from)


def display_value(name: str, value) -> str:
    """A rule's value as a person reads it, in the active language."""
    if name == "holder_age_counting":
        return str(AGE_COUNTING_LABELS.get(value, value))
    if name in BOOLEAN_FIELDS:
        return str(YES if value else NO)
    if value is None:
        return str(NO_CHILD_AGE_LIMIT)
    return str(value)


def describe_min_age(rules: RuleSet):
    """The minimum age as a refusal's detail: "16, turning 16 this calendar year"."""
    if rules.holder_age_counting == AgeCounting.ON_THE_DAY:
        return format_lazy(_("{age}, being {age} on the day"), age=rules.holder_min_age)
    return format_lazy(_("{age}, turning {age} this calendar year"), age=rules.holder_min_age)


def describe_days(days: int):
    return format_lazy(_("{days} days"), days=days)
