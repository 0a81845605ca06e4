"""Enrolled desk devices, their one-use enrolment codes, their leases of a day's quota, and the conflict inbox
of visits recorded offline that the register refused at sync."""

from django.conf import settings
from django.db import models


class EnrolmentCode(models.Model):
    """A one-use code that enrols one device for a venue. Only its SHA-256 digest is stored."""

    venue = models.ForeignKey("network.Organisation", on_delete=models.CASCADE, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"enrolment code {self.pk} for {self.venue_id}"


class Device(models.Model):
    """A desk device of a venue. It acts as the staff member who enrolled it, on the channel `device`; its
    credential (a bearer secret shown once) is stored as a SHA-256 digest, like an API token."""

    venue = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="devices")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="devices")
    name = models.CharField(max_length=60)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    enrolled_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    # What the device last said it still had queued (it says so with every sync).
    pending = models.PositiveIntegerField(default=0, db_default=0)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} ({self.venue_id})"


class Lease(models.Model):
    """A share of one day's ticket quota of an offering, held by one device while it may be offline.

    `tickets` is what the device may promise in all (it only grows); `used` the tickets of the lease's
    visits stored so far. Until returned or expired, `tickets - used` counts as taken in the quota."""

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="leases")
    offering = models.ForeignKey("network.Offering", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    tickets = models.PositiveIntegerField()
    used = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["offering", "day"])]

    def __str__(self):
        return f"lease {self.pk}: {self.tickets} of offering {self.offering_id} on {self.day}"


class ConflictStatus(models.TextChoices):
    OPEN = "open"
    RECORDED = "recorded"
    DISCARDED = "discarded"


class Conflict(models.Model):
    """A visit a device recorded offline that the register refused at sync, kept until someone resolves it."""

    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="conflicts")
    venue = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=100)
    card_number = models.CharField(max_length=20)  # as the device sent it
    offering = models.ForeignKey("network.Offering", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    used_on = models.DateField()
    children = models.PositiveSmallIntegerField(default=0)
    clients = models.PositiveSmallIntegerField(default=0)
    assistants = models.PositiveSmallIntegerField(default=0)
    device_recorded_at = models.DateTimeField()
    verified = models.BooleanField(default=False)
    code = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=10, choices=ConflictStatus.choices, default=ConflictStatus.OPEN)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    resolution_reason = models.CharField(max_length=200, blank=True)
    visit = models.ForeignKey("visits.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["device", "idempotency_key"],
                                               name="conflict_once_per_device_key")]
        indexes = [models.Index(fields=["venue", "status"])]

    def __str__(self):
        return f"conflict {self.pk} ({self.code})"
