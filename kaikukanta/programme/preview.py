"""The sentence a rule change reads as: "from 1.3.2027 children up to 17 in Kainuu" (pure)."""

import datetime

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .ruleset import LABELS, RULE_FIELDS, RuleSet, display_value

WHOLE_COUNTRY = _("the whole country")


def _date(day: datetime.date) -> str:
    return f"{day.day}.{day.month}.{day.year}"


def sentences(place: str, day: datetime.date, before: RuleSet, after: RuleSet) -> list[str]:
    """One sentence for each rule that the change makes different on `day` in `place`."""
    result = []
    for name in RULE_FIELDS:
        old, new = getattr(before, name), getattr(after, name)
        if old == new:
            continue
        if name == "children_max_age" and new is not None:
            text = format_lazy(_("from {date} children up to {age} in {place}"), date=_date(day), age=new,
                               place=place)
        else:
            text = format_lazy(_("from {date} in {place}: {rule} {value} (before: {old})"), date=_date(day),
                               place=place, rule=LABELS[name], value=display_value(name, new),
                               old=display_value(name, old))
        result.append(str(text))
    return result
