"""The rule-change forms of the national admin and the coordinators: they only parse; the services judge."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.clock import today
from kaikukanta.core.date_inputs import date_field

from .ruleset import AGE_COUNTING_LABELS, BOOLEAN_FIELDS, BOUNDS, LABELS, NO, RULE_FIELDS, YES

NATIONAL_VALUE = _("the national rule")


def _rule_field(name: str, *, required: bool) -> forms.Field:
    label = LABELS[name]
    if name == "holder_age_counting":
        choices = ([] if required else [("", NATIONAL_VALUE)]) + list(AGE_COUNTING_LABELS.items())
        return forms.ChoiceField(label=label, choices=choices, required=required)
    if name in BOOLEAN_FIELDS:
        choices = ([] if required else [("", NATIONAL_VALUE)]) + [("yes", YES), ("no", NO)]
        return forms.ChoiceField(label=label, choices=choices, required=required)
    low, high = BOUNDS[name]
    return forms.IntegerField(label=label, min_value=low, max_value=high,
                              required=required and name != "children_max_age",
                              widget=forms.NumberInput(attrs={"inputmode": "numeric"}))


class RulesForm(forms.Form):
    effective_from = date_field(_("In force from"), low=today)

    def __init__(self, *args, fields=RULE_FIELDS, national: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.rule_names = list(fields)
        for name in self.rule_names:
            self.fields[name] = _rule_field(name, required=national)
        if national:
            self.fields["overridable"] = forms.MultipleChoiceField(
                label=_("Areas may set for themselves"), required=False, widget=forms.CheckboxSelectMultiple,
                choices=[(name, LABELS[name]) for name in RULE_FIELDS])

    def rule_values(self) -> dict:
        values = {}
        for name in self.rule_names:
            value = self.cleaned_data.get(name)
            if name in BOOLEAN_FIELDS:
                value = {"yes": True, "no": False}.get(value)
            values[name] = value if value != "" else None
        return values


def initial_from(rules, names) -> dict:
    initial = {}
    for name in names:
        value = getattr(rules, name)
        initial[name] = ("yes" if value else "no") if name in BOOLEAN_FIELDS else value
    return initial
