"""Every change to the network: areas and their history, organisations, offerings and national settings.

Each function takes the `Caller` first (accounts.caller: who acts, through which door), checks it with the
policy, writes, and leaves an audit record, all in one transaction, so a refusal anywhere leaves nothing
behind. The offerings' services live in offerings.py and are imported here, where their callers reach them.
"""

import csv
import datetime
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action, require_caller
from kaikukanta.accounts.services import end_access_of_site
from kaikukanta.core import audit
from kaikukanta.core.bounds import check_date
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.personal_data import check_free_text
from kaikukanta.core.sites import check_in_network
from kaikukanta.reference.low_income import ImportResult, import_low_income
from kaikukanta.reference.models import Municipality

from . import rules, venue_info
from .models import (
    DISTRIBUTOR_CATEGORIES,
    SECTORS,
    VENUE_CATEGORIES,
    Area,
    AreaStatusPeriod,
    GuidelineCommitment,
    GuidelineVersion,
    Membership,
    NationalSettings,
    Organisation,
    OrganisationKind,
)
from .offerings import create_offering, set_default_offering, update_offering  # noqa: F401
from .selectors import area_status_on, municipality_in_area_on, open_memberships

MAX_VALIDITY_MONTHS_RANGE = (rules.MAX_VALIDITY_MONTHS_MIN, rules.MAX_VALIDITY_MONTHS_MAX)


@dataclass(frozen=True)
class Joining:
    """A municipality joining an area on a date; `field` names it in the request for error messages."""

    code: str
    joined_on: datetime.date
    field: str


def _lock_municipalities(joinings: list[Joining]) -> None:
    """Refuses unknown codes; the row locks make concurrent joinings of one municipality take turns."""
    codes = {joining.code for joining in joinings}
    known = set(Municipality.objects.select_for_update().filter(code__in=codes)
                .values_list("code", flat=True))
    for joining in joinings:
        if joining.code not in known:
            raise Refusal(Code.MUNICIPALITY_UNKNOWN, field=joining.field)


def _check_not_taken(joinings: list[Joining]) -> None:
    """A municipality belongs to at most one area at a time, so an open-ended membership from `joined_on`
    may not overlap any recorded membership, current or historical, of any area."""
    for joining in joinings:
        overlapping = Membership.objects.filter(municipality_id=joining.code).filter(
            Q(left_on__isnull=True) | Q(left_on__gt=joining.joined_on))
        if overlapping.exists():
            raise Refusal(Code.MUNICIPALITY_TAKEN, field=joining.field)


def _check_no_repeats(joinings: list[Joining]) -> None:
    seen = set()
    for joining in joinings:
        if joining.code in seen:
            raise Refusal(Code.INVALID, field=joining.field)
        seen.add(joining.code)


def _join(actor, area: Area, joinings: list[Joining]) -> None:
    for joining in joinings:
        check_date(joining.joined_on, joining.field.rsplit(".", 1)[0] + ".joined_on")
    _check_no_repeats(joinings)
    _lock_municipalities(joinings)
    _check_not_taken(joinings)
    for joining in joinings:
        Membership.objects.create(area=area, municipality_id=joining.code, joined_on=joining.joined_on)
        audit.record(actor, "area.municipality_joined", area, municipality=joining.code,
                     joined_on=joining.joined_on.isoformat())


@transaction.atomic
def create_area(caller: Caller, *, name: str, status: str, joinings: list[Joining]) -> Area:
    require_caller(caller, Action.MANAGE_AREAS)
    check_free_text(name, "name")
    area = Area.objects.create(name=name)
    _join(caller.user, area, joinings)
    # An area registered today may bring years of history from an earlier register: its first status
    # holds from its earliest membership (and from today at the latest, so it has a status now).
    status_from = min([joining.joined_on for joining in joinings] + [today()])
    AreaStatusPeriod.objects.create(area=area, status=status, effective_from=status_from)
    audit.record(caller.user, "area.created", area, name=name, status=status, status_from=status_from.isoformat())
    return area


def _set_status_today(actor, area: Area, status: str) -> None:
    day = today()
    if area_status_on(area, day) == status:
        return
    period_today = area.status_periods.filter(effective_from=day).first()
    if period_today is None:
        AreaStatusPeriod.objects.create(area=area, status=status, effective_from=day)
    elif area_status_on(area, day - datetime.timedelta(days=1)) == status:
        # Changed back the same day: yesterday's status simply goes on.
        period_today.delete()
    else:
        period_today.status = status
        period_today.save(update_fields=["status"])
    audit.record(actor, "area.status_changed", area, status=status, effective_from=day.isoformat())


def _replace_memberships(actor, area: Area, joinings: list[Joining]) -> None:
    day = today()
    _check_no_repeats(joinings)
    listed = {joining.code for joining in joinings}
    for membership in open_memberships(area, day).exclude(municipality_id__in=listed):
        if membership.joined_on >= day:
            # It never took effect before today, so there is no history to keep.
            membership.delete()
        else:
            membership.left_on = day
            membership.save(update_fields=["left_on"])
        audit.record(actor, "area.municipality_left", area, municipality=membership.municipality_id,
                     left_on=day.isoformat())
    kept = set(open_memberships(area, day).values_list("municipality_id", flat=True))
    _join(actor, area, [joining for joining in joinings if joining.code not in kept])


@transaction.atomic
def update_area(caller: Caller, area_id: int, *, name: str | None = None, status: str | None = None,
                joinings: list[Joining] | None = None) -> Area:
    area = Area.objects.select_for_update().filter(pk=area_id).first()
    if area is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.MANAGE_AREAS, area)
    if name is not None and name != area.name:
        check_free_text(name, "name")
        area.name = name
        area.save(update_fields=["name"])
        audit.record(caller.user, "area.renamed", area, name=name)
    if joinings is not None:
        _replace_memberships(caller.user, area, joinings)
    if status is not None:
        _set_status_today(caller.user, area, status)
    return area


def _area_from_body(area_id: int) -> Area:
    area = Area.objects.filter(pk=area_id).first()
    if area is None:
        raise Refusal(Code.INVALID, field="area_id")
    return area


def _check_category_and_sector(kind: str, category: str, sector: str | None) -> None:
    categories = VENUE_CATEGORIES if kind == OrganisationKind.VENUE else DISTRIBUTOR_CATEGORIES
    if category not in categories:
        raise Refusal(Code.INVALID, field="category")
    if kind == OrganisationKind.VENUE and sector not in SECTORS:
        raise Refusal(Code.INVALID, field="sector")
    if kind == OrganisationKind.DISTRIBUTOR and sector is not None:
        raise Refusal(Code.INVALID, field="sector")


def _check_contact_email(email: str) -> None:
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise Refusal(Code.INVALID, field="contact_email") from None


def _check_municipality_in_area(code: str, area: Area) -> None:
    if not Municipality.objects.filter(code=code).exists():
        raise Refusal(Code.MUNICIPALITY_UNKNOWN, field="municipality")
    if not municipality_in_area_on(code, area, today()):
        raise Refusal(Code.MUNICIPALITY_NOT_IN_AREA, field="municipality")


def _check_organisation_texts(**texts) -> None:
    """The name, the guideline version's label and the contact person's name, which is a name: the contact
    e-mail and phone have their own fields, meant for the site's contact details, not for a holder's."""
    for field_name in ("name", "contact_name", "guideline_version"):
        check_free_text(texts.get(field_name), field_name)


ORGANISATION_DETAILS = ("contact_name", "contact_email", "contact_phone", "guideline_version",
                        "guideline_committed_on", *venue_info.FIELDS)


@transaction.atomic
def create_organisation(caller: Caller, *, name: str, kind: str, area_id: int, municipality: str, category: str,
                        sector: str | None = None, active_from: datetime.date | None = None,
                        **details) -> Organisation:
    """`details`: the optional contact and guideline fields of ORGANISATION_DETAILS."""
    area = _area_from_body(area_id)
    require_caller(caller, Action.CREATE_ORGANISATION, area)
    _check_organisation_texts(name=name, **details)
    _check_category_and_sector(kind, category, sector)
    _check_contact_email(details.get("contact_email", ""))
    details = venue_info.cleaned(details)
    _check_municipality_in_area(municipality, area)
    if active_from is not None:
        check_date(active_from, "active_from")
    organisation = Organisation.objects.create(
        name=name, kind=kind, area=area, municipality_id=municipality, category=category, sector=sector or "",
        active_from=active_from or today(), **details)
    audit.record(caller.user, "organisation.created", organisation, kind=kind, area_id=area.pk)
    return organisation


@transaction.atomic
def update_organisation(caller: Caller, organisation_id: int, **changes) -> Organisation:
    """`changes`: any of name, municipality, category, sector, active and ORGANISATION_DETAILS."""
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.UPDATE_ORGANISATION, organisation)
    changed_fields = sorted(changes)
    _check_organisation_texts(**changes)
    if "category" in changes or "sector" in changes:
        sector = changes.get("sector", organisation.sector or None)
        _check_category_and_sector(organisation.kind, changes.get("category", organisation.category), sector)
        changes["sector"] = sector or ""
    if "contact_email" in changes:
        _check_contact_email(changes["contact_email"])
    changes = venue_info.cleaned(changes)
    if "municipality" in changes:
        _check_municipality_in_area(changes["municipality"], organisation.area)
        changes["municipality_id"] = changes.pop("municipality")
    if "active" in changes:
        _set_active(caller, organisation, changes.pop("active"))
    for field_name, value in changes.items():
        setattr(organisation, field_name, value)
    organisation.save()
    audit.record(caller.user, "organisation.updated", organisation, fields=changed_fields)
    return organisation


def _set_active(caller: Caller, organisation: Organisation, active: bool) -> None:
    """Leaving the network is dated, so counts as of earlier dates still include the organisation. Its
    staff's tokens are revoked and their sessions end: taking the site back in brings none of them back."""
    if active == organisation.active:
        return
    organisation.active = active
    organisation.inactive_from = None if active else today()
    if not active:
        end_access_of_site(caller, organisation)


@transaction.atomic
def update_settings(caller: Caller, *, max_validity_months: int | None = None) -> NationalSettings:
    require_caller(caller, Action.UPDATE_SETTINGS)
    NationalSettings.current()
    settings_row = NationalSettings.objects.select_for_update().get(pk=1)
    if max_validity_months is not None:
        low, high = MAX_VALIDITY_MONTHS_RANGE
        if not low <= max_validity_months <= high:
            raise Refusal(Code.INVALID, field="max_validity_months")
        settings_row.max_validity_months = max_validity_months
        settings_row.save(update_fields=["max_validity_months"])
    audit.record(caller.user, "settings.updated", settings_row,
                 max_validity_months=settings_row.max_validity_months)
    return settings_row


STATEMENT_FIELDS = ("controller_name", "controller_address", "privacy_email", "accessibility_email",
                    "accessibility_gaps_fi", "accessibility_gaps_sv", "accessibility_gaps_en", "statements_reviewed_on")
STATEMENT_TEXT_LENGTHS = {"controller_name": 200, "controller_address": 300, "accessibility_gaps_fi": 2000,
                          "accessibility_gaps_sv": 2000, "accessibility_gaps_en": 2000}


@transaction.atomic
def update_statements(caller: Caller, **changes) -> NationalSettings:
    """The parts of the accessibility statement and the privacy notice that differ between deployments: the
    controller (an organisation), its contact addresses, the known gaps in each language, the review date."""
    require_caller(caller, Action.UPDATE_SETTINGS)
    unknown = set(changes) - set(STATEMENT_FIELDS)
    if unknown:
        raise Refusal(Code.INVALID, field=sorted(unknown)[0])
    for field, length in STATEMENT_TEXT_LENGTHS.items():
        if field in changes:
            value = changes[field] or ""
            if not isinstance(value, str) or len(value) > length:
                raise Refusal(Code.INVALID, field=field)
            check_free_text(value, field)
            changes[field] = value.strip()
    for field in ("privacy_email", "accessibility_email"):
        if changes.get(field):
            try:
                validate_email(changes[field])
            except ValidationError:
                raise Refusal(Code.INVALID, field=field) from None
    if changes.get("statements_reviewed_on") is not None:
        check_date(changes["statements_reviewed_on"], "statements_reviewed_on", high=today())
    NationalSettings.current()
    settings_row = NationalSettings.objects.select_for_update().get(pk=1)
    for field, value in changes.items():
        setattr(settings_row, field, "" if value is None and field != "statements_reviewed_on" else value)
    settings_row.save(update_fields=list(changes) or None)
    audit.record(caller.user, "statements.updated", settings_row, fields=sorted(changes))
    return settings_row


# Guidelines

GUIDELINE_LABEL_LENGTH = 40


def _check_document_url(url: str) -> None:
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            raise Refusal(Code.INVALID, field="document_url") from None


@transaction.atomic
def publish_guideline_version(caller: Caller, *, label: str, published_on: datetime.date, summary: str = "",
                              document_url: str = "") -> GuidelineVersion:
    """A new version of the national guidelines, which sites then commit to one by one."""
    # Publishing the guidelines is a national decision, like the other national settings.
    require_caller(caller, Action.UPDATE_SETTINGS)
    check_date(published_on, "published_on")
    label = label.strip()
    if not label or len(label) > GUIDELINE_LABEL_LENGTH or GuidelineVersion.objects.filter(
            label__iexact=label).exists():
        raise Refusal(Code.INVALID, field="label")
    check_free_text(label, "label")
    check_free_text(summary, "summary")
    _check_document_url(document_url)
    try:
        with transaction.atomic():
            version = GuidelineVersion.objects.create(label=label, published_on=published_on,
                                                      summary=summary.strip(), document_url=document_url)
    except IntegrityError:
        # Another request published the same label between the check and the insert.
        raise Refusal(Code.INVALID, field="label") from None
    audit.record(caller.user, "guideline_version.published", version, label=label,
                 published_on=published_on.isoformat())
    return version


def _mirror_newest_commitment(organisation: Organisation) -> None:
    """The site's own guideline fields (the API's view of them) name the newest version it committed to."""
    newest = (organisation.guideline_commitments.select_related("version")
              .order_by("-version__published_on", "-version_id").first())
    organisation.guideline_version = newest.version.label
    organisation.guideline_committed_on = newest.committed_on
    organisation.save(update_fields=["guideline_version", "guideline_committed_on"])


@transaction.atomic
def record_guideline_commitment(caller: Caller, *, organisation_id: int, version_id: int,
                                committed_on: datetime.date | None = None) -> GuidelineCommitment:
    """A site's commitment to a version, recorded by its area's coordinator or the national admin.
    The date lies between the version's publication and today; a site commits to a version once."""
    organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
    if organisation is None:
        raise Refusal(Code.INVALID, field="organisation_id")
    require_caller(caller, Action.UPDATE_ORGANISATION, organisation)
    version = GuidelineVersion.objects.filter(pk=version_id).first()
    if version is None:
        raise Refusal(Code.INVALID, field="version_id")
    check_in_network(organisation, "organisation_id")
    day = committed_on or today()
    if not version.published_on <= day <= today():
        raise Refusal(Code.INVALID, field="committed_on")
    # The site's row lock above makes a second recording of the same commitment wait and then see the first.
    if organisation.guideline_commitments.filter(version=version).exists():
        raise Refusal(Code.INVALID, field="organisation_id")
    commitment = GuidelineCommitment.objects.create(organisation=organisation, version=version,
                                                    committed_on=day, recorded_by=caller.user)
    _mirror_newest_commitment(organisation)
    audit.record(caller.user, "guideline.committed", commitment, organisation_id=organisation.pk,
                 version=version.label, committed_on=day.isoformat())
    return commitment


# Low-income figures

@transaction.atomic
def upload_low_income(caller: Caller, content: bytes) -> ImportResult:
    """The national admin's upload of Statistics Finland's figures, through the importer the command uses:
    every bad line is reported and nothing is written unless all lines are good."""
    require_caller(caller, Action.UPDATE_SETTINGS)
    with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
        handle.write(content)
        handle.flush()
        try:
            result = import_low_income(Path(handle.name))
        except (UnicodeDecodeError, csv.Error):
            raise Refusal(Code.INVALID, field="file") from None
    if result.ok:
        audit.record(caller.user, "low_income.uploaded", object_type="lowincomefigure", object_id="",
                     created=result.created, updated=result.updated)
    return result
