from django.conf import settings
from django.db import models
from django.db.models import Q


class Visit(models.Model):
    """One card used at one venue, for one offering, on one day.

    Cancelled visits are kept, and count nowhere.
    """

    # Each foreign key is the first column of an index in Meta.indexes, which serves a look-up by it too, so
    # it has no index of its own: every index is written on each visit the desk records.
    card = models.ForeignKey("cards.Card", on_delete=models.PROTECT, related_name="visits", db_index=False)
    venue = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="visits",
                              db_index=False)
    offering = models.ForeignKey("network.Offering", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="visits", db_index=False)
    used_on = models.DateField()
    children = models.PositiveSmallIntegerField(default=0)
    clients = models.PositiveSmallIntegerField(default=0)
    assistants = models.PositiveSmallIntegerField(default=0)
    uses = models.PositiveSmallIntegerField()
    # The regular price of the visit's tickets when it was recorded (the offering's adult price for the
    # holder's or worker's own ticket and each client's, its child price for each child), in cents; empty
    # when the visit has no offering or the offering lacks a price it needs. A later price change never
    # rewrites it.
    ticket_value_cents = models.PositiveBigIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # NULL rather than "" for visits without a key, so the unique (venue, key) constraint leaves them alone.
    idempotency_key = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

    class Meta:
        indexes = [
            models.Index(fields=["card", "used_on"]),
            models.Index(fields=["venue", "used_on"]),
            models.Index(fields=["offering", "used_on"]),
            models.Index(fields=["used_on"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["venue", "idempotency_key"],
                                    condition=Q(idempotency_key__isnull=False),
                                    name="visit_idempotency_key_once_per_venue"),
        ]

    def __str__(self):
        return f"{self.used_on} venue {self.venue_id} visit {self.pk}"

    # What accounts.policy asks of a target (its `Scoped` protocol): a visit belongs to its venue's area.
    policy_subject = "visit"

    @property
    def policy_area_id(self) -> int | None:
        return self.venue.area_id
