"""Enrolling and revoking desk devices. Every function takes the acting Caller and asks the policy."""

import datetime
import secrets

from django.db import transaction
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action, account_usable, require_caller
from kaikukanta.core import audit
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.personal_data import check_free_text
from kaikukanta.network.models import Organisation

from .auth import device_digest, new_device_secret
from .models import Device, EnrolmentCode

ENROLMENT_CODE_LIFETIME = datetime.timedelta(minutes=15)
ENROLMENT_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to mistype
ENROLMENT_CODE_LENGTH = 12
MAX_DEVICE_NAME = 60


def _venue(venue_id: int) -> Organisation:
    venue = Organisation.objects.filter(pk=venue_id).first()
    if venue is None:
        raise Refusal(Code.NOT_FOUND)
    return venue


def normalise_code(raw: str) -> str:
    return "".join(raw.split()).replace("-", "").upper()


@transaction.atomic
def issue_enrolment_code(caller: Caller, venue_id: int) -> tuple[EnrolmentCode, str]:
    """A one-use code (shown once) that enrols one device for the venue within 15 minutes."""
    venue = _venue(venue_id)
    require_caller(caller, Action.ENROL_DEVICE, venue)
    code = "".join(secrets.choice(ENROLMENT_CODE_ALPHABET) for _ in range(ENROLMENT_CODE_LENGTH))
    enrolment = EnrolmentCode.objects.create(venue=venue, created_by=caller.user, digest=device_digest(code),
                                             expires_at=timezone.now() + ENROLMENT_CODE_LIFETIME)
    audit.record(caller.user, "device.enrolment_code_issued", enrolment, venue_id=venue.pk)
    return enrolment, code


def _check_name(name: str) -> str:
    name = " ".join(name.split())
    if not 1 <= len(name) <= MAX_DEVICE_NAME:
        raise Refusal(Code.INVALID, field="name")
    check_free_text(name, "name")
    return name


@transaction.atomic
def enrol(caller: Caller, *, code: str, name: str) -> tuple[Device, str]:
    """Enrol the device the caller (staff of the code's venue) is signed in on, with a one-use code: its
    credential (shown once) acts for the caller. A wrong, expired or used code is `enrolment_code_invalid`."""
    if not account_usable(caller.user):
        raise Refusal(Code.FORBIDDEN)
    if not isinstance(code, str) or len(code) > 40:
        raise Refusal(Code.ENROLMENT_CODE_INVALID, field="code")
    name = _check_name(name)
    now = timezone.now()
    enrolment = (EnrolmentCode.objects.select_for_update().select_related("created_by", "venue")
                 .filter(digest=device_digest(normalise_code(code))).first())
    if enrolment is None or enrolment.used_at is not None or enrolment.expires_at <= now:
        raise Refusal(Code.ENROLMENT_CODE_INVALID, field="code")
    require_caller(caller, Action.ENROL_DEVICE, enrolment.venue)
    enrolment.used_at = now
    enrolment.save(update_fields=["used_at"])
    secret = new_device_secret()
    device = Device.objects.create(venue=enrolment.venue, user=caller.user, name=name,
                                   digest=device_digest(secret), prefix=secret[:12], last_seen_at=now)
    audit.record(caller.user, "device.enrolled", device, venue_id=device.venue_id, name=name,
                 code_issued_by=enrolment.created_by_id)
    return device, secret


@transaction.atomic
def revoke_device(caller: Caller, device_id: int) -> Device:
    """A revoked device sends nothing more: its queued visits become conflicts, its leases return."""
    device = Device.objects.select_for_update().select_related("venue").filter(pk=device_id).first()
    if device is None:
        raise Refusal(Code.NOT_FOUND)
    require_caller(caller, Action.MANAGE_DEVICES, device.venue)
    if device.revoked_at is None:
        now = timezone.now()
        device.revoked_at = now
        device.save(update_fields=["revoked_at"])
        device.leases.filter(returned_at__isnull=True).update(returned_at=now)
        audit.record(caller.user, "device.revoked", device, venue_id=device.venue_id)
    return device


def require_live_device(caller: Caller):
    """The device of a device's request, refused when the request has none or the device is revoked."""
    device = caller.device
    if device is None:
        raise Refusal(Code.DEVICE_REQUIRED)
    if device.revoked_at is not None:
        raise Refusal(Code.DEVICE_REVOKED)
    require_caller(caller, Action.RECORD_VISIT)
    return device
