"""Forms of the ticket desk. Fields carry the API's names, so a service's refusal lands next to its field."""

import datetime
import uuid
from decimal import Decimal

from django import forms
from django.utils import formats
from django.utils.text import format_lazy
from django.utils.translation import get_language, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from kaikukanta.cards.rules import normalise_card_number
from kaikukanta.core.date_inputs import date_field
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network import rules as network_rules
from kaikukanta.network.models import OfferingKind
from kaikukanta.programme.ruleset import RuleSet
from kaikukanta.programme.selectors import rules_in_force

from . import rules

KIND_LABELS = {
    OfferingKind.EVENT: pgettext_lazy("desk", "Event"),
    OfferingKind.COURSE: pgettext_lazy("desk", "Course"),
    OfferingKind.SPORT: pgettext_lazy("desk", "Sport"),
    OfferingKind.EXHIBITION: pgettext_lazy("desk", "Exhibition"),
    OfferingKind.OTHER: pgettext_lazy("desk", "Other"),
}
PARTY_FIELDS = ("children", "clients", "assistants")
MAX_NUMBER_INPUT = 40


def new_idempotency_key() -> str:
    return str(uuid.uuid4())


class CardNumberField(forms.CharField):
    """Ten digits; spaces and dashes are allowed, as on the card. A wrong check digit gets the API's message."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_NUMBER_INPUT)
        kwargs.setdefault("label", pgettext_lazy("desk", "Card number"))
        super().__init__(**kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update({"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false",
                      "autocapitalize": "off", "enterkeyhint": "go", "data-card-number": ""})
        return attrs

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalise_card_number(value, field="card_number")
        except Refusal as refusal:
            if refusal.code == Code.NUMBER_INVALID:
                raise forms.ValidationError(refusal.message(get_language())) from None
            raise forms.ValidationError(_("A card number has 10 digits.")) from None


def count_field(label, help_text="", max_value=None) -> forms.IntegerField:
    return forms.IntegerField(label=label, help_text=help_text, required=False, min_value=0, max_value=max_value,
                              widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "count-input"}))


class OfferingSelect(forms.Select):
    """Each option says its offering's kind, so the desk knows a course (no children) before submitting."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs, choices)
        self.kinds: dict[str, str] = {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        kind = self.kinds.get(str(value))
        if kind:
            option["attrs"]["data-kind"] = kind
        return option


def offering_label(offering, day: datetime.date, *, tickets_left: bool) -> str:
    label = offering.name
    if offering.date is not None and offering.date != day:
        label = f"{label} ({formats.date_format(offering.date, 'SHORT_DATE_FORMAT')})"
    if tickets_left and offering.tickets_left is not None:
        left = ngettext("%(left)s of %(quota)s card ticket left", "%(left)s of %(quota)s card tickets left",
                        offering.ticket_quota)
        label += " – " + left % {"left": offering.tickets_left, "quota": offering.ticket_quota}
    return label


def offering_field() -> forms.IntegerField:
    # An integer, not a choice among the listed offerings: whether an offering may be used here is the
    # service's rule (offering_not_at_venue), with its own message.
    return forms.IntegerField(label=pgettext_lazy("desk", "Offering"), required=False,
                              widget=OfferingSelect(attrs={"class": "offering"}))


def offer_choices(field: forms.IntegerField, offerings, day: datetime.date, *, tickets_left: bool = False) -> None:
    """`tickets_left`: say how many of today's card tickets are left (at the desk, where the day is today)."""
    field.widget.choices = [("", _("No particular offering"))] + [
        (offering.pk, offering_label(offering, day, tickets_left=tickets_left)) for offering in offerings]
    field.widget.kinds = {str(offering.pk): offering.kind for offering in offerings}


class VisitForm(forms.Form):
    """One visit at the desk, today."""

    card_number = CardNumberField()
    offering_id = offering_field()
    children = count_field(pgettext_lazy("desk", "Children"),
                           _("Children and grandchildren registered on the card."))
    clients = count_field(pgettext_lazy("desk", "Clients"),
                          _("Community card only: clients in the worker's group."), rules.MAX_CLIENTS)
    assistants = count_field(pgettext_lazy("desk", "Assistants"),
                             _("A personal assistant or interpreter: free, not a use."), rules.MAX_ASSISTANTS)
    idempotency_key = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, offerings=(), day: datetime.date, area_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        offer_choices(self.fields["offering_id"], offerings, day, tickets_left=True)
        # The steppers' tops are the venue's area's rules today (the service judges them again).
        area_rules = rules_in_force(area_id, day)
        for name, top in (("clients", area_rules.max_clients), ("assistants", area_rules.max_assistants)):
            field = self.fields[name]
            self.fields[name] = count_field(field.label, field.help_text, top)

    def visit(self) -> dict:
        """The service's keyword arguments."""
        return {name: self.cleaned_data[name] for name in ("card_number", "offering_id", *PARTY_FIELDS)}


class PaperListForm(forms.Form):
    """What every row of a paper list shares: the day of the visits and the offering."""

    used_on = date_field(_("Date of the visits"))
    offering_id = offering_field()

    def __init__(self, *args, offerings=(), day: datetime.date, area_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.day = day
        # The venue's area's rules on the recording day say how far back the list may go.
        self.rules = rules_in_force(area_id, day)
        offer_choices(self.fields["offering_id"], offerings, day)
        oldest = day - datetime.timedelta(days=self.rules.paper_list_days)
        self.fields["used_on"].widget.attrs.update({"min": oldest.isoformat(), "max": day.isoformat()})
        self.fields["used_on"].help_text = format_lazy(_("Today or up to {days} days back."),
                                                       days=self.rules.paper_list_days)

    def clean_used_on(self):
        used_on = self.cleaned_data["used_on"]
        try:
            rules.check_used_on(used_on, self.day, self.rules)
        except Refusal as refusal:
            raise forms.ValidationError(refusal.message(get_language())) from None
        return used_on


class PaperRowForm(forms.Form):
    """One line of a paper list; a blank line is skipped."""

    card_number = CardNumberField(required=False)
    children = count_field(pgettext_lazy("desk", "Children"))
    clients = count_field(pgettext_lazy("desk", "Clients"), max_value=rules.MAX_CLIENTS)
    assistants = count_field(pgettext_lazy("desk", "Assistants"), max_value=rules.MAX_ASSISTANTS)
    key = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args, area_rules: RuleSet | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The steppers' tops are the venue's area's rules on the recording day (the service judges them again).
        if area_rules is not None:
            for name, top in (("clients", area_rules.max_clients), ("assistants", area_rules.max_assistants)):
                field = self.fields[name]
                self.fields[name] = count_field(field.label, field.help_text, top)

    def is_blank(self) -> bool:
        return not any(str(self.data.get(self.add_prefix(name), "")).strip()
                       for name in ("card_number", *PARTY_FIELDS))

    def clean(self):
        cleaned = super().clean()
        if not self.is_blank() and not cleaned.get("card_number") and "card_number" not in self.errors:
            self.add_error("card_number", _("Enter the card number."))
        return cleaned

    def visit(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("card_number", *PARTY_FIELDS)}


def _cents(euros: Decimal | None) -> int | None:
    """Euros with at most two decimals (the field has checked them) as whole cents."""
    return None if euros is None else int(euros * 100)


class OfferingForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("desk", "Name"), max_length=200)
    kind = forms.ChoiceField(label=pgettext_lazy("desk", "Kind"), choices=list(KIND_LABELS.items()),
                             help_text=_("Children cannot come along to a course with the card."))
    date = date_field(pgettext_lazy("desk", "Date"), required=False,
                      help_text=_("Leave empty for an offering without a date, such as the entrance."))
    ticket_quota = forms.IntegerField(
        label=_("Card tickets per day"), required=False, min_value=network_rules.TICKET_QUOTA_MIN,
        max_value=network_rules.TICKET_QUOTA_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Holders, children and clients together. Leave empty for no limit; 0 means none are left."))
    adult_price_cents = forms.DecimalField(
        label=_("Regular adult ticket price (€)"), required=False, min_value=0, decimal_places=2,
        max_value=Decimal(network_rules.TICKET_PRICE_MAX_CENTS) / 100, widget=forms.NumberInput(
            attrs={"inputmode": "decimal", "step": "0.01"}),
        help_text=_("What the ticket costs without the card, for the statistics of the value of tickets given. "
                    "Leave empty if there is no such price."))
    child_price_cents = forms.DecimalField(
        label=_("Regular child ticket price (€)"), required=False, min_value=0, decimal_places=2,
        max_value=Decimal(network_rules.TICKET_PRICE_MAX_CENTS) / 100, widget=forms.NumberInput(
            attrs={"inputmode": "decimal", "step": "0.01"}))

    @staticmethod
    def euros(cents: int | None) -> Decimal | None:
        """A price as the form shows it."""
        return None if cents is None else Decimal(cents).scaleb(-2)

    def clean_adult_price_cents(self):
        return _cents(self.cleaned_data["adult_price_cents"])

    def clean_child_price_cents(self):
        return _cents(self.cleaned_data["child_price_cents"])

    def changes(self) -> dict:
        """Only what was changed, so the audit trail names just those fields."""
        return {name: self.cleaned_data[name] for name in self.changed_data}
