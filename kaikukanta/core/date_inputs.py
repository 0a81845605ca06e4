"""Every date input on the pages: `<input type="date">` with `min` and `max`, so the browser's date picker offers
no day the server refuses.

The bounds are core/bounds.py's (1.1.1900..31.12.9000) unless a field has a narrower rule of its own: a `low` or
`high` given here (a day or a function of none, such as `today`, read when the form is rendered), or a `min` or
`max` a form sets on the widget's attrs (the paper list's days back). The narrower of each always wins, and none
is ever wider than core/bounds.py.
"""

import datetime
from collections.abc import Callable

from django import forms

from .bounds import DATE_MAX, DATE_MIN

ISO_DATE = "%Y-%m-%d"  # what <input type="date"> reads and writes, whatever the page's language

Day = datetime.date | Callable[[], datetime.date] | None


def _day(value: Day) -> datetime.date | None:
    return value() if callable(value) else value


def _attr_day(text) -> datetime.date | None:
    if isinstance(text, datetime.date):
        return text
    try:
        return datetime.date.fromisoformat(str(text)) if text else None
    except ValueError:
        return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, *, low: Day = None, high: Day = None):
        super().__init__(attrs, format=ISO_DATE)
        self.low, self.high = low, high

    def bounds(self, attrs: dict) -> tuple[datetime.date, datetime.date]:
        """The first and the last day this input offers, given the attributes it is rendered with."""
        lows = [DATE_MIN, _day(self.low), _attr_day(attrs.get("min"))]
        highs = [DATE_MAX, _day(self.high), _attr_day(attrs.get("max"))]
        return max(day for day in lows if day), min(day for day in highs if day)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_attrs = context["widget"]["attrs"]
        low, high = self.bounds(widget_attrs)
        widget_attrs["min"], widget_attrs["max"] = low.isoformat(), high.isoformat()
        return context


def date_field(label, *, required: bool = True, help_text="", low: Day = None, high: Day = None,
               **kwargs) -> forms.DateField:
    """A form's date field, rendered as a bounded date input."""
    return forms.DateField(label=label, required=required, help_text=help_text,
                           widget=DateInput(low=low, high=high), **kwargs)
