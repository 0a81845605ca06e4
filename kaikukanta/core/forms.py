"""A refusal on a page form: next to the field it concerns, saying why.

The services refuse with `Refusal(code, field=...)`. Every code but `invalid` has its own message
(core/errors.py); `invalid` says only that the request is invalid, which is enough for a program (the
API body names the field) but not for a person. So a page puts the reason for the field beside it:
the refusal's own detail if it has one, else the form's `refusal_reasons[field]`, else the reason below
for a field of that name, which every form sharing the API's field names shares, else the refusal's message
with its `reason` (the words the API gives, core/reasons.py). A refusal naming a part
of the request (`holder.children_birth_years`, `results.2.key`) lands on the field its last part names, or
the one the form's `refusal_fields` maps it to.
"""

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .errors import Code, Refusal

# Why a field named so was refused as `invalid`, when the refusal itself says no more.
FIELD_REASONS = {
    "area_id": _("Choose one of the listed areas."),
    "area": _("Choose one of the listed areas."),
    "organisation_id": _("Choose one of the listed sites, in the network and of the kind needed here."),
    "distributor_id": _("Choose one of the listed card distributors of the area."),
    "venue_id": _("Choose one of the listed venues."),
    "offering_id": _("Choose one of the venue's offerings in use."),
    "version_id": _("Choose one of the published guideline versions."),
    "category": _("Choose a category of the site's kind: a venue's category for a venue, a card "
                  "distributor's for a card distributor."),
    "sector": _("A venue needs a sector; a card distributor has none."),
    "contact_email": _("Type an e-mail address such as toimisto@example.fi, or leave it empty."),
    "privacy_email": _("Type an e-mail address such as tietosuoja@example.fi, or leave it empty."),
    "accessibility_email": _("Type an e-mail address such as saavutettavuus@example.fi, or leave it empty."),
    "max_validity_months": _("A whole number of months from 1 to 60."),
    "label": _("A version name of at most 40 characters that no earlier version has."),
    "document_url": _("A web address starting with https:// or http://, or leave it empty."),
    "committed_on": _("A day between the version's publication and today."),
    "count": _("A whole number from 1 to 5,000."),
    "role": _("Choose one of the listed roles."),
    "username": _("At most 150 letters, digits and @ . + - _, not already in use."),
    "language": _("Choose Finnish, Swedish or English."),
    "reason": _("Choose one of the listed reasons."),
    "kind": _("Choose one of the listed kinds."),
    "name": _("A name of 1 to 200 characters."),
    "file": _("Choose a file of the kind asked for."),
    "code": _("A municipality code once only: the same municipality is listed twice."),
    "number": _("A card number has 10 digits."),
    "new_number": _("A card number has 10 digits."),
    "card_number": _("A card number has 10 digits."),
    "children_birth_years": _("One birth year for each child, separated by commas, none in the future."),
    "birth_year": _("A year of four digits, not in the future."),
    "valid_until": _("A day within the allowed validity, not in the past."),
    "used_on": _("A day of the paper list's period, not in the future."),
    "date": _("A day from 1.1.1900 to 31.12.9000."),
    "published_on": _("A day from 1.1.1900 to 31.12.9000."),
    "joined_on": _("A day from 1.1.1900 to 31.12.9000."),
    "active_from": _("A day from 1.1.1900 to 31.12.9000."),
    "statements_reviewed_on": _("A day from 1.1.1900 to today."),
    "ticket_quota": _("A whole number, 0 or more."),
    "year": _("Choose one of the listed years."),
    "effective_from": _("Today or a later day."),
}


def reason_for(form, refusal: Refusal, field: str | None) -> str:
    """What a page says about `refusal` beside `field` (or above the form), in the page's language."""
    if refusal.code == Code.INVALID and not refusal.detail and field:
        reason = getattr(form, "refusal_reasons", {}).get(field) or FIELD_REASONS.get(field)
        if reason:
            return str(reason)
    return refusal.message(get_language())


def page_message(refusal: Refusal) -> str:
    """A refusal on a page of its own (no form to show it beside a field): the message, and for `invalid`
    the reason for the field it names."""
    if refusal.code == Code.INVALID and not refusal.detail and refusal.field:
        reason = FIELD_REASONS.get(refusal.field.rsplit(".", 1)[-1])
        if reason:  # the page's own words for the field, in place of the refusal's `reason`
            return f"{Refusal(refusal.code).message(get_language())} {reason}"
    return refusal.message(get_language())


def field_of(form, refusal: Refusal) -> str | None:
    """The form's field a refusal concerns: its `refusal_fields` entry, the field named, or its last part."""
    if not refusal.field:
        return None
    mapped = getattr(form, "refusal_fields", {}).get(refusal.field)
    names = [mapped, refusal.field, refusal.field.rsplit(".", 1)[-1]]
    return next((name for name in names if name and name in form.fields), None)


def add_refusal(form, refusal: Refusal) -> None:
    field = field_of(form, refusal)
    form.add_error(field, reason_for(form, refusal, field))


def mark_required(field) -> None:
    """A field the server requires for some choices only (a site for site staff): marked as required for
    the eye (core/field.html), for assistive technology (aria-required) and for the browser (required)."""
    field.marked_required = True
    field.widget.attrs.update({"required": True, "aria-required": "true"})
