"""Forms of the coordinators' and national admin's pages. Fields are named as in the API, so a refusal's
`field` lands next to the input it concerns; the services decide, the forms only parse."""

import copy

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kaikukanta.accounts import passwords
from kaikukanta.accounts.models import Role, User
from kaikukanta.core.clock import today
from kaikukanta.core.date_inputs import date_field
from kaikukanta.core.forms import mark_required

from . import venue_info
from .models import DISTRIBUTOR_CATEGORIES, VENUE_CATEGORIES, AreaStatus, OrganisationKind

KIND_LABELS = {
    OrganisationKind.DISTRIBUTOR: _("Card distributor"),
    OrganisationKind.VENUE: _("Venue"),
}
CATEGORY_LABELS = {
    "theatre": _("Theatre"),
    "museum": _("Museum"),
    "music": _("Music"),
    "cinema": _("Cinema"),
    "dance": _("Dance"),
    "festival": _("Festival"),
    "library": _("Library"),
    "visual_arts": _("Visual arts"),
    "adult_education": _("Adult education"),
    "science_centre": _("Science centre"),
    "sport": _("Sport and exercise"),
    "social_services": _("Social services"),
    "health_services": _("Health services"),
    "wellbeing": _("Wellbeing services"),
    "youth_services": _("Youth services"),
    "ngo": _("Association or NGO"),
    "other": _("Other"),
}
SECTOR_LABELS = {
    "culture": _("Culture"),
    "education": _("Education"),
    "science": _("Science"),
    "sport": _("Sport"),
}
OFFERING_KIND_LABELS = {
    # "Event" alone is a card's history event elsewhere; an offering's kind reads differently in Swedish.
    "event": pgettext_lazy("offering kind", "Event"),
    "course": _("Course"),
    "sport": _("Sport"),
    "exhibition": _("Exhibition"),
    "other": _("Other"),
}
STATUS_LABELS = {
    AreaStatus.PREPARING: _("Preparing"),
    AreaStatus.PILOT: _("Pilot"),
    AreaStatus.ACTIVE: _("Active"),
    AreaStatus.ENDED: _("Ended"),
}
ROLE_LABELS = {
    Role.NATIONAL_ADMIN: _("National admin"),
    Role.AREA_COORDINATOR: _("Area coordinator"),
    Role.DISTRIBUTOR: _("Card distributor staff"),
    Role.VENUE: _("Venue staff"),
}
LANGUAGE_CHOICES = [("fi", "Suomi"), ("sv", "Svenska"), ("en", "English")]
SITE_ACTIVE_CHOICES = [("", _("All")), ("1", _("In the network")), ("0", _("Out of the network"))]
USER_ACTIVE_CHOICES = [("", _("All")), ("1", _("In use")), ("0", _("Deactivated"))]
STAFF_ROLES = (Role.DISTRIBUTOR, Role.VENUE)


def label_of(labels: dict, value: str) -> str:
    return labels.get(value, value)


def _choices(labels: dict, values=None, *, blank: str | None = None) -> list:
    choices = [("", blank)] if blank is not None else []
    return choices + [(value, labels[value]) for value in (values or labels)]


CATEGORY_CHOICES = [
    (_("Venues"), [(value, CATEGORY_LABELS[value]) for value in VENUE_CATEGORIES]),
    (_("Card distributors"), [(value, CATEGORY_LABELS[value]) for value in DISTRIBUTOR_CATEGORIES]),
]


def _id_select(label, choices, *, required=True, help_text=""):
    """An id chosen from a list. Any number passes the form, so a site outside the caller's scope reaches
    the service and is refused there, with the API's reason, rather than vanishing as an unknown choice."""
    return forms.IntegerField(label=label, required=required, help_text=help_text,
                              widget=forms.Select(choices=[("", "—")] + list(choices)))


class DataListInput(forms.TextInput):
    """A text input suggesting values from a <datalist> the template renders with the id given."""

    def __init__(self, list_id: str, attrs=None):
        super().__init__(attrs={"list": list_id, "autocomplete": "off", **(attrs or {})})


# Sites

class OrganisationFilterForm(forms.Form):
    area_id = forms.IntegerField(label=_("Area"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=_choices(KIND_LABELS, blank=_("All")))
    category = forms.ChoiceField(label=_("Category"), required=False,
                                 choices=[("", _("All"))] + CATEGORY_CHOICES)
    sector = forms.ChoiceField(label=_("Sector"), required=False, choices=_choices(SECTOR_LABELS, blank=_("All")))
    municipality = forms.CharField(label=_("Municipality code"), required=False, max_length=3,
                                   widget=DataListInput("municipality-options", {"size": 6}))
    active = forms.ChoiceField(label=_("Status"), required=False, choices=SITE_ACTIVE_CHOICES)
    q = forms.CharField(label=_("Name contains"), required=False, max_length=100)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        if areas is None:
            del self.fields["area_id"]
        else:
            self.fields["area_id"].widget = forms.Select(choices=[("", _("All"))] + [(a.pk, a.name) for a in areas])

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        active = data.get("active")
        return {"area_id": data.get("area_id"), "kind": data.get("kind") or None,
                "category": data.get("category") or None, "sector": data.get("sector") or None,
                "municipality": data.get("municipality") or None,
                "active": None if not active else active == "1", "text": data.get("q") or None}


class OrganisationForm(forms.Form):
    """A new site (with `kind` and, for the national admin, `area_id`) or changes to one."""

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=_choices(KIND_LABELS))
    area_id = forms.IntegerField(label=_("Area"))
    municipality = forms.CharField(
        label=_("Municipality code"), max_length=3,
        help_text=_("Three digits, for example 091 for Helsinki. The municipality must belong to the area."),
        widget=DataListInput("municipality-options", {"inputmode": "numeric", "size": 6}))
    category = forms.ChoiceField(label=_("Category"), choices=CATEGORY_CHOICES,
                                 help_text=_("Choose a category of the site's kind."))
    sector = forms.ChoiceField(label=_("Sector"), required=False,
                               choices=_choices(SECTOR_LABELS, blank=_("None (card distributors)")),
                               help_text=_("Venues only: the statistical group of the venue."))
    contact_name = forms.CharField(label=_("Contact person"), required=False, max_length=200)
    contact_email = forms.CharField(label=_("Contact e-mail"), required=False, max_length=254,
                                    widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    contact_phone = forms.CharField(label=_("Contact phone"), required=False, max_length=40,
                                    widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    # Venues' public page (network/venue_info.py checks each the same way for every door).
    website = forms.CharField(label=_("Website"), required=False, max_length=venue_info.WEBSITE_LENGTH,
                              help_text=_("Starts with https:// or http://."),
                              widget=forms.URLInput(attrs={"autocomplete": "off"}))
    public_phone = forms.CharField(
        label=_("Public phone"), required=False, max_length=venue_info.PHONE_LENGTH,
        help_text=_("The venue's own number, for example the ticket office: not a person's."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}))
    public_email = forms.CharField(
        label=_("Public e-mail"), required=False, max_length=venue_info.EMAIL_LENGTH,
        help_text=_("The venue's own address, for example the ticket office: not a person's."),
        widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    street_address = forms.CharField(label=_("Street address"), required=False,
                                     max_length=venue_info.TEXT_LENGTHS["street_address"])
    opening_hours = forms.CharField(label=_("Opening hours"), required=False,
                                    max_length=venue_info.TEXT_LENGTHS["opening_hours"],
                                    widget=forms.Textarea(attrs={"rows": 3}))
    booking_info = forms.CharField(
        label=_("How to book"), required=False, max_length=venue_info.TEXT_LENGTHS["booking_info"],
        help_text=_("No phone numbers or e-mail addresses here: the public phone and e-mail have their own fields."),
        widget=forms.Textarea(attrs={"rows": 3}))
    accessibility_info = forms.CharField(label=_("Accessibility"), required=False,
                                         max_length=venue_info.TEXT_LENGTHS["accessibility_info"],
                                         widget=forms.Textarea(attrs={"rows": 3}))
    children_welcome = forms.TypedChoiceField(label=_("Children welcome"), required=False, empty_value=None,
                                              coerce=lambda value: value == "1",
                                              choices=[("0", _("No")), ("1", _("Yes"))])
    booking_needed = forms.TypedChoiceField(label=_("Booking needed"), required=False, empty_value=None,
                                            coerce=lambda value: value == "1",
                                            choices=[("1", _("Yes")), ("0", _("No"))])

    def __init__(self, *args, areas=None, creating=True, venue=True, **kwargs):
        super().__init__(*args, **kwargs)
        if not venue:
            for name in venue_info.FIELDS:
                del self.fields[name]
        if not creating:
            del self.fields["kind"]
        if areas is None:
            del self.fields["area_id"]
        else:
            self.fields["area_id"].widget = forms.Select(choices=[("", "—")] + [(a.pk, a.name) for a in areas])

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["sector"] = data.get("sector") or None
        for name in venue_info.FLAGS:
            if data.get(name) is None:  # not sent: left as it is (a new venue gets the model's default)
                data.pop(name, None)
        if data.get("kind", "venue") != "venue":
            for name in venue_info.FIELDS:
                data.pop(name, None)
        return data

    def changes(self) -> dict:
        """Only what was changed: an unchanged municipality is not judged again against today's area."""
        data = self.service_fields()
        return {name: data[name] for name in self.changed_data if name in data}


class VenueInfoForm(forms.Form):
    """A venue's public page alone (venue_info.FIELDS), as its own staff keep it: the fields, labels and help
    of the site form."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {name: copy.deepcopy(OrganisationForm.base_fields[name]) for name in venue_info.FIELDS}

    def changes(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items()
                if not (name in venue_info.FLAGS and value is None)}
        return {name: data[name] for name in self.changed_data if name in data}


# Users

class UserFilterForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), required=False, choices=_choices(ROLE_LABELS, blank=_("All")))
    organisation_id = forms.IntegerField(label=_("Site"), required=False)
    active = forms.ChoiceField(label=_("Status"), required=False, choices=USER_ACTIVE_CHOICES)
    q = forms.CharField(label=_("Username contains"), required=False, max_length=100)

    def __init__(self, *args, sites=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_id"].widget = forms.Select(
            choices=[("", _("All"))] + [(site.pk, site.name) for site in sites])

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        active = data.get("active")
        return {"role": data.get("role") or None, "organisation_id": data.get("organisation_id"),
                "active": None if not active else active == "1", "text": data.get("q") or None}


def _password_field(label, *, required):
    return forms.CharField(
        label=label, required=required, strip=False, help_text=passwords.help_text(),
        widget=forms.PasswordInput(render_value=True, attrs={"autocomplete": "new-password"}))


def _check_password(password: str, username: str) -> None:
    """The policy the service applies, run here first so that every reason shows next to the field (in the
    page's language, see accounts/passwords.py); the service still checks again."""
    if not password:
        return
    reasons = passwords.problems(password, User(username=username))
    if reasons:
        raise forms.ValidationError(reasons)


SITE_MISSING = {
    Role.DISTRIBUTOR: _("Choose the card distributor this user works at."),
    Role.VENUE: _("Choose the venue this user works at."),
}
SITE_OF_OTHER_KIND = {
    Role.DISTRIBUTOR: _("Card distributor staff work at a card distributor; this site is a venue."),
    Role.VENUE: _("Venue staff work at a venue; this site is a card distributor."),
}


class SiteSelect(forms.Select):
    """Sites with their kind on each option, so the page offers only the sites of the role chosen."""

    def __init__(self, *args, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kinds = kinds or {}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        kind = self.kinds.get(int(value)) if str(value).isdigit() else None
        if kind:
            option["attrs"]["data-kind"] = kind
        return option


class UserForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150,
                               help_text=_("Letters, digits and @ . + - _ only."),
                               widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}))
    password = _password_field(_("Password"), required=False)
    role = forms.ChoiceField(label=_("Role"))
    organisation_id = _id_select(_("Site"), (), required=False,
                                 help_text=_("Card distributor and venue staff work at one site."))
    area_id = _id_select(_("Area"), (), required=False, help_text=_("Area coordinators work in one area."))
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, initial="fi")

    def __init__(self, *args, roles=STAFF_ROLES, site_choices=(), areas=None, site_kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = _choices(ROLE_LABELS, roles)
        self.site_kinds = site_kinds or {}
        sites = self.fields["organisation_id"]
        sites.widget = SiteSelect(choices=[("", "—")] + list(site_choices), kinds=self.site_kinds)
        # Required for the roles that work at a site (core/field.html marks it; clean() says why).
        mark_required(sites)
        if areas is None:
            del self.fields["area_id"]
        else:
            self.fields["area_id"].widget.choices = [("", "—")] + [(area.pk, area.name) for area in areas]
            mark_required(self.fields["area_id"])

    def clean(self):
        data = super().clean()
        if "password" in data and "username" in data:
            try:
                _check_password(data["password"], data["username"])
            except forms.ValidationError as error:
                self.add_error("password", error)
        role = data.get("role")
        site = data.get("organisation_id")
        if role in STAFF_ROLES and "organisation_id" not in self.errors:
            if site is None:
                self.add_error("organisation_id", SITE_MISSING[role])
            elif self.site_kinds.get(site, role) != role:
                self.add_error("organisation_id", SITE_OF_OTHER_KIND[role])
        if (role == Role.AREA_COORDINATOR and "area_id" in self.fields and data.get("area_id") is None
                and "area_id" not in self.errors):
            self.add_error("area_id", _("Choose the area this coordinator works in."))
        return data

    def service_fields(self) -> dict:
        """The body of a new user: each role takes the scope it works in and nothing else."""
        data = self.cleaned_data
        role = data["role"]
        return {"username": data["username"], "password": data["password"] or None, "role": role,
                "language": data["language"],
                "organisation_id": data.get("organisation_id") if role in STAFF_ROLES else None,
                "area_id": data.get("area_id") if role == Role.AREA_COORDINATOR else None}


class PasswordForm(forms.Form):
    password = _password_field(_("New password"), required=True)

    def __init__(self, *args, username: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.username = username

    def clean_password(self):
        password = self.cleaned_data["password"]
        _check_password(password, self.username)
        return password


# Card batches

class BatchForm(forms.Form):
    distributor_id = _id_select(_("Card distributor"), ())
    count = forms.IntegerField(label=_("How many numbers"), help_text=_("1 to 5,000 card numbers."),
                               widget=forms.NumberInput(attrs={"min": 1, "max": 5000}))

    def __init__(self, *args, site_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor_id"].widget.choices = [("", "—")] + list(site_choices)


# Guidelines

class GuidelineVersionForm(forms.Form):
    label = forms.CharField(label=_("Version"), max_length=40,
                            help_text=_("A name used once, for example 2025 or 2025-2."))
    published_on = date_field(_("Published on"))
    summary = forms.CharField(label=_("What changed"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    document_url = forms.CharField(label=_("Address of the document"), required=False, max_length=200,
                                   help_text=_("A web address beginning with https://"),
                                   widget=forms.URLInput())


class CommitmentForm(forms.Form):
    organisation_id = _id_select(_("Site"), ())
    committed_on = date_field(_("Committed on"), required=False, high=today,
                              help_text=_("The day the site signed; today if left empty."))

    def __init__(self, *args, site_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation_id"].widget.choices = [("", "—")] + list(site_choices)
        self.fields["committed_on"].initial = today()


# Areas

class AreaForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    status = forms.ChoiceField(label=_("Status"), choices=_choices(STATUS_LABELS))


class MembershipRowForm(forms.Form):
    code = forms.CharField(label=_("Municipality code"), required=False, max_length=3,
                           widget=DataListInput("all-municipalities", {"inputmode": "numeric", "size": 6}))
    joined_on = date_field(_("Joined on"), required=False, help_text=_("Today if left empty."))

    def clean(self):
        data = super().clean()
        if data.get("joined_on") and not data.get("code"):
            self.add_error("code", _("Enter the municipality code."))
        return data


MembershipFormSet = forms.formset_factory(MembershipRowForm, extra=3)


# Settings

class SettingsForm(forms.Form):
    max_validity_months = forms.IntegerField(
        label=_("Maximum validity of a card, in months"), help_text=_("1 to 60. Applies to cards issued "
                                                                      "and renewed from now on."),
        widget=forms.NumberInput(attrs={"min": 1, "max": 60}))


class StatementsForm(forms.Form):
    """The editable parts of the public accessibility statement and privacy notice."""

    controller_name = forms.CharField(label=_("Controller of the register"), max_length=200, required=False,
                                      help_text=_("The organisation responsible for the register, not a person."))
    controller_address = forms.CharField(label=_("Controller's postal address"), max_length=300, required=False)
    privacy_email = forms.EmailField(label=_("E-mail for privacy questions and requests"), max_length=254,
                                     required=False, help_text=_("An address of the organisation, not a person's."))
    accessibility_email = forms.EmailField(label=_("E-mail for accessibility feedback"), max_length=254,
                                           required=False)
    accessibility_gaps_fi = forms.CharField(
        label=_("Known accessibility gaps, in Finnish"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"rows": 4, "lang": "fi"}),
        help_text=_("One gap a line. Left empty, the statement says that no gaps are known."))
    accessibility_gaps_sv = forms.CharField(label=_("Known accessibility gaps, in Swedish"), max_length=2000,
                                            required=False, widget=forms.Textarea(attrs={"rows": 4, "lang": "sv"}))
    accessibility_gaps_en = forms.CharField(label=_("Known accessibility gaps, in English"), max_length=2000,
                                            required=False, widget=forms.Textarea(attrs={"rows": 4, "lang": "en"}))
    statements_reviewed_on = date_field(_("Statements last reviewed on"), required=False, high=today)

    def clean_statements_reviewed_on(self):
        day = self.cleaned_data["statements_reviewed_on"]
        if day is not None and day > today():
            raise forms.ValidationError(_("The review date cannot be in the future."))
        return day


class QuestionRowForm(forms.Form):
    key = forms.CharField(label=_("Key"), required=False, max_length=40,
                          help_text=_("Lower-case letters, digits and _; answers are stored under it."))
    fi = forms.CharField(label=_("Question in Finnish"), required=False, widget=forms.TextInput(attrs={"lang": "fi"}))
    sv = forms.CharField(label=_("Question in Swedish"), required=False, widget=forms.TextInput(attrs={"lang": "sv"}))
    en = forms.CharField(label=_("Question in English"), required=False, widget=forms.TextInput(attrs={"lang": "en"}))

    refusal_reasons = {
        "key": _("A key of lower-case letters, digits and _ (at most 40), used by no other question."),
        "fi": _("Write the question in Finnish too: every question is asked in all three languages."),
        "sv": _("Write the question in Swedish too: every question is asked in all three languages."),
        "en": _("Write the question in English too: every question is asked in all three languages."),
    }

    def is_blank(self) -> bool:
        return not any(self.cleaned_data.get(name) for name in ("key", "fi", "sv", "en"))


QuestionFormSet = forms.formset_factory(QuestionRowForm, extra=2, can_delete=True)


class LowIncomeForm(forms.Form):
    MAX_BYTES = 5 * 1024 * 1024
    refusal_reasons = {"file": _("A CSV file of UTF-8 text with the columns municipality_code, year and "
                                 "low_income_persons.")}

    file = forms.FileField(label=_("CSV file"),
                           help_text=_("Columns municipality_code,year,low_income_persons; UTF-8."),
                           widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return upload
