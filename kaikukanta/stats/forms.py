"""The filters of the statistics pages, named like the API's parameters (from, to, on, area_id, group_by)."""

import datetime
from urllib.parse import urlencode

from django import forms
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.clock import today
from kaikukanta.core.date_inputs import date_field

GROUPINGS = (
    ("month", _("Month")),
    ("year", _("Year")),
    ("area", _("Area of the venue")),
    ("municipality", _("Municipality of the venue")),
    ("welfare_area", _("Welfare area of the venue")),
    ("venue", _("Venue")),
    ("sector", _("Sector")),
    ("venue_category", _("Venue category")),
    ("card_type", _("Card type")),
    ("age_group", _("Age group")),
    ("children", _("Children in the household")),
    ("gender", _("Gender")),
    ("home_municipality", _("Home municipality")),
    ("home_area", _("Home area")),
)
DEFAULT_GROUPING = "venue"
FIRST_REPORT_YEAR = 2010
REPORT_LANGUAGES = (("fi", "Suomi"), ("sv", "Svenska"))


def _area_field(areas) -> forms.Field:
    """A picker of `areas` for those who may choose; for the others a bare number that `scope_for` judges,
    so that asking for another area is refused rather than quietly ignored."""
    if areas is None:
        return forms.IntegerField(required=False, widget=forms.HiddenInput)
    return forms.TypedChoiceField(
        label=_("Area"), required=False, coerce=int, empty_value=None,
        choices=[("", _("Whole network"))] + [(area.pk, area.name) for area in areas])


class DashboardForm(forms.Form):
    """Every figure's filters. What a request leaves out (or empties) is this year's period, today and the
    default breakdown, written into the form so that the page shows what it counts; so no field is
    required."""

    to = date_field(_("Period to"), required=False)
    on = date_field(_("Headline figures on"), required=False)
    group_by = forms.ChoiceField(label=_("Break down by"), choices=GROUPINGS, required=False)

    def __init__(self, query, *, areas):
        day = today()
        defaults = {"from": day.replace(month=1, day=1).isoformat(), "to": day.isoformat(), "on": day.isoformat(),
                    "group_by": DEFAULT_GROUPING}
        given = {name: value for name, value in query.items() if value != ""}
        super().__init__({**defaults, **given})
        # `from` is a Python keyword, so the field joins the form here rather than in the class body.
        self.fields["from"] = date_field(_("Period from"), required=False)
        self.fields["area_id"] = _area_field(areas)
        self.order_fields(["from", "to", "on", "area_id", "group_by"])

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("from"), cleaned.get("to")
        if start and end and end < start:
            self.add_error("to", _("The end of the period cannot be before its start."))
        return cleaned

    def query_string(self) -> str:
        """The filters as a query string: the export links download what the page shows."""
        return urlencode({name: value.isoformat() if isinstance(value, datetime.date) else value
                          for name, value in self.cleaned_data.items() if value is not None})


class ReportForm(forms.Form):
    """The annual report's year (the last full one unless chosen), area and language (the page's own when
    it is Finnish or Swedish)."""

    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    language = forms.ChoiceField(label=_("Language of the report"), choices=REPORT_LANGUAGES)

    def __init__(self, query, *, areas, language: str, first_year: int | None = None):
        """`first_year`: the first year with cards or visits in the caller's scope; no year before it is
        offered, as its report would be empty."""
        this_year = today().year
        # The last full year stays on offer (its report may be the one asked for even before any data).
        first_year = max(FIRST_REPORT_YEAR, min(first_year or this_year, this_year - 1))
        defaults = {"year": str(this_year - 1), "language": language if language in dict(REPORT_LANGUAGES) else "fi"}
        given = {name: value for name, value in query.items() if value != ""}
        # Its own ids: the report form shares the dashboard page with the filters' area picker.
        super().__init__({**defaults, **given}, auto_id="report_%s")
        self.fields["year"].choices = [(year, str(year)) for year in range(this_year, first_year - 1, -1)]
        self.fields["area_id"] = _area_field(areas)
        self.fields["area_id"].label = _("Area of the report")
        self.order_fields(["year", "area_id", "language"])
