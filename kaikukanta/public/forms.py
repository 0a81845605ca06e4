"""The public forms, and the words for the network's codes (sectors, venue categories, offering kinds)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.clock import today

SECTOR_LABELS = {
    "culture": _("Culture"),
    "education": _("Courses and learning"),
    "science": _("Science"),
    "sport": _("Sport and exercise"),
}
CATEGORY_LABELS = {
    "theatre": _("Theatre"),
    "museum": _("Museum"),
    "music": _("Music and concerts"),
    "cinema": _("Cinema"),
    "dance": _("Dance"),
    "festival": _("Festival"),
    "library": _("Library"),
    "visual_arts": _("Visual arts"),
    "adult_education": _("Adult education centre"),
    "science_centre": _("Science centre"),
    "sport": _("Sport venue"),
    "other": _("Other"),
}
OFFERING_KIND_LABELS = {
    "event": _("Event"),
    "course": _("Course"),
    "sport": _("Sport"),
    "exhibition": _("Exhibition"),
    "other": _("Other"),
}
OLDEST_BIRTH_YEAR = 1900


class VenueFinderForm(forms.Form):
    q = forms.CharField(label=_("Name of the place"), required=False, max_length=100,
                        help_text=_("A part of the name is enough."))
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)
    sector = forms.ChoiceField(label=_("Kind of place"), required=False,
                               choices=[("", _("All kinds")), *SECTOR_LABELS.items()])
    children = forms.BooleanField(label=_("Children welcome"), required=False)
    no_booking = forms.BooleanField(label=_("No booking needed"), required=False)

    def __init__(self, data, *, municipalities: list[tuple[str, str]]):
        super().__init__(data)
        self.fields["municipality"].choices = [("", _("All municipalities")), *municipalities]


class BrochureForm(forms.Form):
    language = forms.ChoiceField(label=_("Language"), required=False,
                                 choices=[("fi", _("Finnish")), ("sv", _("Swedish"))])
    layout = forms.ChoiceField(label=_("Paper"), required=False,
                               choices=[("a4", _("A4 pages")), ("a5", _("A5 leaflet (A4 sheet folded)"))])


class MyCardForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"), max_length=30,
        help_text=_("The 10 digits on your card. Spaces and dashes are fine."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}))
    birth_year = forms.IntegerField(
        label=_("Your year of birth"), min_value=OLDEST_BIRTH_YEAR,
        help_text=_("Four digits, for example 1985."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year", "maxlength": "4"}))

    def clean_birth_year(self):
        year = self.cleaned_data["birth_year"]
        if year > today().year:
            raise ValidationError(_("The year of birth cannot be in the future."))
        return year
