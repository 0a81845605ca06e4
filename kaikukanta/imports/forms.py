"""The imports page's form. It only carries what was sent: jobs.start judges the kind, the area and the file,
and its refusal is shown beside the field it names (core/forms.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import ImportKind

ACCEPTED = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=ImportKind.choices, initial=ImportKind.values[0],
                             widget=forms.RadioSelect)
    area = forms.CharField(label=_("Area"), required=False, widget=forms.Select)
    file = forms.FileField(label=_("File"), required=False,
                           widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED}))

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        if areas is None:
            del self.fields["area"]
        else:
            self.fields["area"].widget.choices = [(area.pk, area.name) for area in areas]
            self.fields["area"].widget.attrs.update({"required": True})
            self.fields["area"].marked_required = True
        self.fields["file"].widget.attrs.update({"required": True})
        self.fields["file"].marked_required = True
