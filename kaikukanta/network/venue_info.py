"""A venue's public information: what the public venue finder and the printed venue list show.

The website, phone and e-mail are the venue's own as an organisation (a ticket office, a front desk), so
they are typed fields, each validated for its type and bounded, and not scanned as holder data. The free
texts (address, opening hours, how to book, accessibility) are scanned like every other free text: a phone
number or e-mail address belongs in its own field, where the public can use it.
"""

import re

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from kaikukanta.accounts.policy import Action, require_caller
from kaikukanta.core import audit
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.personal_data import check_free_text, normalised

from .models import Organisation, OrganisationKind

TEXT_LENGTHS = {"street_address": 200, "opening_hours": 500, "booking_info": 500, "accessibility_info": 1000}
WEBSITE_LENGTH, PHONE_LENGTH, EMAIL_LENGTH = 200, 40, 254
FLAGS = ("children_welcome", "booking_needed")
FIELDS = ("website", "public_phone", "public_email", *TEXT_LENGTHS, *FLAGS)
# A phone number as printed: an optional +, digits, spaces, hyphens and one pair of brackets; 5 to 15
# digits (a short service number to an international one).
_PHONE = re.compile(r"\+?[0-9 ()\-]+")
PHONE_DIGITS_MIN, PHONE_DIGITS_MAX = 5, 15
_URL = URLValidator(schemes=["http", "https"])


# Why each field was refused, said next to it on the pages and in the API's message.
REASONS = {
    "website": _("a web address starting with https:// or http://, at most 200 characters"),
    "public_phone": _("a phone number of 5 to 15 digits, with spaces, hyphens or brackets and a leading + only"),
    "public_email": _("an e-mail address such as liput@teatteri.fi, at most 254 characters"),
    "street_address": _("at most 200 characters"),
    "opening_hours": _("at most 500 characters"),
    "booking_info": _("at most 500 characters"),
    "accessibility_info": _("at most 1,000 characters"),
}


def form_initial(venue) -> dict:
    """A venue's public information as a form shows it (the flags as the form's "1" / "0" choices)."""
    return {**{name: getattr(venue, name) for name in FIELDS},
            **{name: "1" if getattr(venue, name) else "0" for name in FLAGS}}


def _refuse(field: str) -> None:
    raise Refusal(Code.INVALID, field=field, detail=REASONS.get(field))


def clean_phone(value: str) -> str:
    value = " ".join(normalised(value).split())
    digits = sum(character.isdigit() for character in value)
    if (len(value) > PHONE_LENGTH or not _PHONE.fullmatch(value)
            or not PHONE_DIGITS_MIN <= digits <= PHONE_DIGITS_MAX):
        _refuse("public_phone")
    return value


def _validated(value: str, field: str, validator, longest: int) -> str:
    value = value.strip()
    try:
        validator(value)
    except ValidationError:
        _refuse(field)
    if len(value) > longest:
        _refuse(field)
    return value


def clean_website(value: str) -> str:
    return _validated(value, "website", _URL, WEBSITE_LENGTH)


def clean_email(value: str) -> str:
    return _validated(value, "public_email", validate_email, EMAIL_LENGTH)


def cleaned(changes: dict) -> dict:
    """The venue-information fields among `changes`, each checked and normalised; anything else untouched.
    An empty typed field clears it."""
    result = dict(changes)
    cleaners = {"website": clean_website, "public_phone": clean_phone, "public_email": clean_email}
    for field, clean in cleaners.items():
        if field in result:
            value = result[field] or ""
            if not isinstance(value, str):
                _refuse(field)
            result[field] = clean(value) if value.strip() else ""
    for field, length in TEXT_LENGTHS.items():
        if field in result:
            value = result[field] or ""
            if not isinstance(value, str) or len(value) > length:
                _refuse(field)
            check_free_text(value, field)
            result[field] = value.strip()
    for field in FLAGS:
        if field in result and not isinstance(result[field], bool):
            _refuse(field)
    return result


@transaction.atomic
def update_venue_info(caller, venue_id: int, **changes):
    """The venue's public information (FIELDS), changed by its own staff, its area's coordinator or the
    national admin (Action.UPDATE_VENUE_INFO), with the checks of every other door, audited. Nothing else of
    the site (name, municipality, category, contact person) can be changed here."""
    venue = Organisation.objects.select_for_update().filter(pk=venue_id).first()
    if venue is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.UPDATE_VENUE_INFO, venue)
    if venue.kind != OrganisationKind.VENUE:
        raise Refusal(Code.FORBIDDEN)
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise Refusal(Code.INVALID, field=unknown[0])
    changes = cleaned(changes)
    for name, value in changes.items():
        setattr(venue, name, value)
    venue.save(update_fields=list(changes) or None)
    audit.record(caller.user, "venue_info.updated", venue, fields=sorted(changes), channel=caller.channel.value)
    return venue
