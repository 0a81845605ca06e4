"""The forms of the card pages. Field names are the API's, so a service's refusal lands next to its field.

Forms only parse what was typed; every rule (number in stock, age, home municipality, validity, children)
is the service's, and its refusal is shown next to the field it names.
"""

import datetime

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.clock import today
from kaikukanta.core.date_inputs import date_field
from kaikukanta.core.errors import Code, Refusal

from . import rules
from .models import CLOSE_REASONS, GENDERS, LIFE_SITUATIONS, REPLACED, CardType, WellbeingQuestion

STATUS_LABELS = {
    rules.CardStatus.VALID: _("Valid"),
    rules.CardStatus.EXPIRED: _("Expired"),
    rules.CardStatus.CLOSED: _("Closed"),
}
CARD_TYPE_LABELS = {CardType.PERSONAL: _("Personal card"), CardType.COMMUNITY: _("Community card")}
GENDER_LABELS = {"female": _("Female"), "male": _("Male"), "other": _("Other"),
                 "unspecified": _("Prefers not to say")}
LIFE_SITUATION_LABELS = {
    "employed": _("Employed"), "unemployed": _("Unemployed"), "student": _("Student"), "retired": _("Retired"),
    "disability_or_sick_leave": _("On disability pension or sick leave"), "family_leave": _("On family leave"),
    "other": _("Other"), "unspecified": _("Prefers not to say"),
}
CLOSE_REASON_LABELS = {"lost": _("Lost"), "withdrawn": _("Withdrawn (no longer entitled)"),
                       "moved": _("Moved away"), "deceased": _("Deceased"), "other": _("Other reason"),
                       REPLACED: _("Replaced by a new card")}
EVENT_LABELS = {"issued": _("Issued"), "renewed": _("Validity extended"), "closed": _("Closed"),
                "replaced": _("Replaced")}
NOT_GIVEN = _("Not given")
HOLDER_FIELDS = ("birth_year", "postal_code", "children", "gender", "life_situation")
REQUIRED_HOLDER_FIELDS = ("birth_year", "postal_code", "children")
WELLBEING_PREFIX = "wellbeing."
WELLBEING_VALUES = range(rules.MIN_WELLBEING_ANSWER, rules.MAX_WELLBEING_ANSWER + 1)


def question_text(question: WellbeingQuestion) -> str:
    return {"sv": question.text_sv, "en": question.text_en}.get(get_language(), question.text_fi)


class CardNumberField(forms.CharField):
    """A card number as the services take it; what cannot be one is said here in words a worker can act on."""

    def __init__(self, label, **kwargs):
        super().__init__(
            label=label, max_length=40,
            help_text=_("10 digits, as printed on the card; spaces and dashes are fine."),
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
            **kwargs)

    def clean(self, value):
        value = super().clean(value)
        try:
            return rules.normalise_card_number(value)
        except Refusal as refusal:
            if refusal.code == Code.INVALID:
                raise forms.ValidationError(_("A card number has 10 digits.")) from None
            raise forms.ValidationError(refusal.message(get_language())) from None


class HolderFieldsForm(forms.Form):
    """The holder data there is, nothing more: birth year, postal code, children, and two voluntary answers;
    then the holder's optional answers to the current wellbeing questions."""

    birth_year = forms.IntegerField(
        label=_("Birth year"), min_value=rules.BIRTH_YEAR_MIN, max_value=rules.BIRTH_YEAR_MAX,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    postal_code = forms.CharField(
        label=_("Postal code of the home"), max_length=10,
        help_text=_("The home municipality is shown as you type."),
        widget=forms.TextInput(attrs={
            "inputmode": "numeric", "autocomplete": "off",
            # Posted with this field alone: a holder's postal code never sits in an address (or a log).
            "hx-post": reverse_lazy("cards:postal_code"), "hx-params": "postal_code",
            "hx-trigger": "load, input changed delay:250ms",
            "hx-target": "#postal-code-municipality", "hx-sync": "this:replace"}))
    # The range is the service's rule (`too_many_children`), so the form takes any whole number.
    children = forms.IntegerField(
        label=_("Children under 18"), initial=0,
        help_text=_("Own or same-household children and grandchildren under 18 who may come along (0–20)."),
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "0", "max": str(rules.MAX_CHILDREN)}))
    children_birth_years = forms.CharField(
        label=_("Children's birth years"), required=False, max_length=rules.BIRTH_YEARS_TEXT_MAX,
        help_text=_("Where the area's rules ask for them: one year per child, separated by commas "
                    "(for example 2014, 2019). No names."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    gender = forms.ChoiceField(
        label=_("Gender (voluntary)"), required=False,
        choices=[("", NOT_GIVEN)] + [(value, GENDER_LABELS[value]) for value in GENDERS])
    life_situation = forms.ChoiceField(
        label=_("Life situation (voluntary)"), required=False,
        choices=[("", NOT_GIVEN)] + [(value, LIFE_SITUATION_LABELS[value]) for value in LIFE_SITUATIONS])

    def __init__(self, *args, questions: list[WellbeingQuestion] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for question in self.questions:
            self.fields[WELLBEING_PREFIX + question.key] = forms.TypedChoiceField(
                label=question_text(question), required=False, coerce=int, empty_value=None,
                choices=[("", _("No answer"))] + [(str(value), str(value)) for value in WELLBEING_VALUES],
                widget=forms.RadioSelect, initial="")

    def wellbeing_fields(self) -> list[forms.BoundField]:
        return [self[WELLBEING_PREFIX + question.key] for question in self.questions]

    def clean_children_birth_years(self) -> tuple[int, ...] | None:
        """Years as typed, separated by commas or spaces; the rules judge them (count, range, age limit)."""
        try:
            return rules.parse_children_birth_years(self.cleaned_data["children_birth_years"])
        except Refusal:
            raise forms.ValidationError(
                _("Type each child's birth year as four digits, separated by commas.")) from None

    def holder(self) -> rules.Holder:
        data = self.cleaned_data
        return rules.Holder(birth_year=data["birth_year"], postal_code=data["postal_code"].strip(),
                            children=data["children"], gender=data["gender"],
                            life_situation=data["life_situation"],
                            children_birth_years=data.get("children_birth_years"))

    def wellbeing(self) -> dict[str, int]:
        return {question.key: self.cleaned_data[WELLBEING_PREFIX + question.key] for question in self.questions
                if self.cleaned_data.get(WELLBEING_PREFIX + question.key) is not None}


class IssueForm(HolderFieldsForm):
    number = CardNumberField(_("Card number"))
    card_type = forms.ChoiceField(
        label=_("Card type"), initial=CardType.PERSONAL, widget=forms.RadioSelect,
        choices=[(CardType.PERSONAL, CARD_TYPE_LABELS[CardType.PERSONAL]),
                 (CardType.COMMUNITY, _("Community card (a worker's card for bringing clients; no holder data)"))])
    valid_until = date_field(_("Valid until"), low=today)

    field_order = ["number", "card_type", *HOLDER_FIELDS, "valid_until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A community card has no holder: whatever was typed in the holder fields is not asked for, and not sent.
        if self.is_bound and self.data.get("card_type") == CardType.COMMUNITY:
            for name in REQUIRED_HOLDER_FIELDS:
                self.fields[name].required = False

    @property
    def personal(self) -> bool:
        return self.cleaned_data["card_type"] == CardType.PERSONAL

    def service_arguments(self) -> dict:
        return {"number": self.cleaned_data["number"], "card_type": self.cleaned_data["card_type"],
                "valid_until": self.cleaned_data["valid_until"],
                "holder": self.holder() if self.personal else None,
                "wellbeing": self.wellbeing() if self.personal else None}


class RenewForm(HolderFieldsForm):
    """A new end of validity; for a personal card also the holder data again (judged again) and new answers."""

    valid_until = date_field(_("New end of validity"), low=today)

    field_order = ["valid_until", *HOLDER_FIELDS]

    def __init__(self, *args, personal: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.personal = personal
        if not personal:
            for name in list(self.fields):
                if name != "valid_until":
                    del self.fields[name]
            self.questions = []

    def service_arguments(self) -> dict:
        return {"valid_until": self.cleaned_data["valid_until"],
                "holder": self.holder() if self.personal else None,
                "wellbeing": self.wellbeing() if self.personal else None}


def renewal_initial(card, valid_until: datetime.date) -> dict:
    return {"valid_until": valid_until, "birth_year": card.birth_year, "postal_code": card.postal_code_id,
            "children": card.children, "gender": card.gender, "life_situation": card.life_situation,
            "children_birth_years": ", ".join(str(year) for year in card.children_birth_years or ())}


class CloseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Reason for closing"),
        choices=[("", _("Choose a reason"))] + [(value, CLOSE_REASON_LABELS[value]) for value in CLOSE_REASONS])


class ReplaceForm(forms.Form):
    new_number = CardNumberField(_("Number of the new card"))


class NumberOnlyForm(forms.Form):
    number = CardNumberField(_("Card number"))


NUMBER_FORMS = {"number": NumberOnlyForm, "new_number": ReplaceForm}


class CardListForm(forms.Form):
    number = forms.CharField(label=_("Card number"), required=False, max_length=40,
                             widget=forms.TextInput(attrs={"inputmode": "numeric", "type": "search"}))
    status = forms.ChoiceField(label=_("Status"), required=False,
                               choices=[("", _("Any"))] + list(STATUS_LABELS.items()))
    card_type = forms.ChoiceField(label=_("Card type"), required=False,
                                  choices=[("", _("Any"))] + list(CARD_TYPE_LABELS.items()))
    expiring = forms.BooleanField(label=_("Expiring within 30 days"), required=False)
    after = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
