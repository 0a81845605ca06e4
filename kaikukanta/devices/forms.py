"""Forms of the desk devices' pages. Fields carry the services' names, so a refusal lands next to its field."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .conflicts import MAX_REASON

MAX_PARTY = 99


class CorrectForm(forms.Form):
    """The party of a conflict's visit, corrected before it is recorded after all."""

    children = forms.IntegerField(label=_("Children"), min_value=0, max_value=MAX_PARTY)
    clients = forms.IntegerField(label=_("Clients"), min_value=0, max_value=MAX_PARTY)
    assistants = forms.IntegerField(label=_("Assistants"), min_value=0, max_value=MAX_PARTY)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.update({"inputmode": "numeric"})


class DiscardForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=MAX_REASON,
                             help_text=_("Why the visit is not recorded; no names or other personal data."))
