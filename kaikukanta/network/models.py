from django.conf import settings
from django.db import models
from django.db.models import Q


class AreaStatus(models.TextChoices):
    PREPARING = "preparing"
    PILOT = "pilot"
    ACTIVE = "active"
    ENDED = "ended"


IN_NETWORK_STATUSES = (AreaStatus.PILOT, AreaStatus.ACTIVE)


class Area(models.Model):
    """A Kaikukortti area: one or more municipalities running the card together."""

    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    # What accounts.policy asks of a target (its `Scoped` protocol).
    policy_subject = "area"

    @property
    def policy_area_id(self) -> int | None:
        return self.pk


class AreaStatusPeriod(models.Model):
    """The area's status from `effective_from` until the next period begins."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="status_periods")
    status = models.CharField(max_length=12, choices=AreaStatus.choices)
    effective_from = models.DateField()

    class Meta:
        ordering = ["area", "effective_from"]
        constraints = [models.UniqueConstraint(fields=["area", "effective_from"], name="one_status_a_day")]

    def __str__(self):
        return f"{self.area_id}: {self.status} from {self.effective_from}"


class Membership(models.Model):
    """A municipality in an area from `joined_on` up to, not including, `left_on`."""

    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="memberships")
    municipality = models.ForeignKey("reference.Municipality", on_delete=models.PROTECT,
                                     related_name="memberships")
    joined_on = models.DateField()
    left_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["area", "municipality", "joined_on"]
        constraints = [models.CheckConstraint(
            condition=Q(left_on__isnull=True) | Q(left_on__gt=models.F("joined_on")),
            name="membership_leaves_after_joining")]

    def __str__(self):
        return f"{self.municipality_id} in {self.area_id} {self.joined_on}–{self.left_on or ''}"


class OrganisationKind(models.TextChoices):
    DISTRIBUTOR = "distributor"
    VENUE = "venue"


VENUE_CATEGORIES = ("theatre", "museum", "music", "cinema", "dance", "festival", "library", "visual_arts",
                    "adult_education", "science_centre", "sport", "other")
DISTRIBUTOR_CATEGORIES = ("social_services", "health_services", "wellbeing", "youth_services", "ngo", "other")
SECTORS = ("culture", "education", "science", "sport")


class Organisation(models.Model):
    """One site (toimipaikka), distributor or venue. Access is granted per site."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=OrganisationKind.choices)
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="organisations")
    municipality = models.ForeignKey("reference.Municipality", on_delete=models.PROTECT, related_name="+")
    category = models.CharField(max_length=30)
    sector = models.CharField(max_length=12, blank=True, default="")
    active = models.BooleanField(default=True)
    active_from = models.DateField()
    inactive_from = models.DateField(null=True, blank=True)
    contact_name = models.CharField(max_length=200, blank=True, default="")
    contact_email = models.EmailField(blank=True, default="")
    contact_phone = models.CharField(max_length=40, blank=True, default="")
    guideline_version = models.CharField(max_length=40, blank=True, default="")
    guideline_committed_on = models.DateField(null=True, blank=True)
    # A venue's public page (network/venue_info.py): the venue's own contact as an organisation, typed and
    # validated, never a person's; the free texts are checked for personal data like every other.
    website = models.URLField(max_length=200, blank=True, default="", db_default="")
    public_phone = models.CharField(max_length=40, blank=True, default="", db_default="")
    public_email = models.EmailField(max_length=254, blank=True, default="", db_default="")
    street_address = models.CharField(max_length=200, blank=True, default="", db_default="")
    opening_hours = models.CharField(max_length=500, blank=True, default="", db_default="")
    booking_info = models.CharField(max_length=500, blank=True, default="", db_default="")
    accessibility_info = models.CharField(max_length=1000, blank=True, default="", db_default="")
    children_welcome = models.BooleanField(default=False, db_default=False)
    booking_needed = models.BooleanField(default=True, db_default=True)
    # The offering the desk starts with (a venue's own; None: the desk's own order). See visits.selectors.
    # No index: sites are few, and an index build would lock the table during a rolling upgrade.
    default_offering = models.ForeignKey("Offering", null=True, blank=True, on_delete=models.SET_NULL,
                                         related_name="+", db_index=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["area", "kind"])]

    def __str__(self):
        return self.name

    policy_subject = "site"

    @property
    def policy_area_id(self) -> int | None:
        return self.area_id


class OfferingKind(models.TextChoices):
    EVENT = "event"
    COURSE = "course"
    SPORT = "sport"
    EXHIBITION = "exhibition"
    OTHER = "other"


class Offering(models.Model):
    venue = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="offerings")
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=OfferingKind.choices)
    date = models.DateField(null=True, blank=True)
    ticket_quota = models.PositiveIntegerField(null=True, blank=True)
    # The regular price of one ticket, in cents, for an adult and for a child; empty when not told. A visit
    # keeps the value of its tickets as priced when it was recorded (visits.Visit.ticket_value_cents).
    adult_price_cents = models.PositiveIntegerField(null=True, blank=True)
    child_price_cents = models.PositiveIntegerField(null=True, blank=True)
    archived = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["venue", "date", "name"]

    def __str__(self):
        return self.name

    policy_subject = "offering"

    @property
    def policy_area_id(self) -> int | None:
        return self.venue.area_id


class NationalSettings(models.Model):
    """The single row of settings the national admin controls."""

    max_validity_months = models.PositiveSmallIntegerField(default=12)
    # The public statements (public/statements): the parts that differ between deployments, edited by the
    # national admin. The controller and its contacts are an organisation's, never a person's.
    controller_name = models.CharField(max_length=200, blank=True, default="", db_default="")
    controller_address = models.CharField(max_length=300, blank=True, default="", db_default="")
    privacy_email = models.EmailField(max_length=254, blank=True, default="", db_default="")
    accessibility_email = models.EmailField(max_length=254, blank=True, default="", db_default="")
    accessibility_gaps_fi = models.CharField(max_length=2000, blank=True, default="", db_default="")
    accessibility_gaps_sv = models.CharField(max_length=2000, blank=True, default="", db_default="")
    accessibility_gaps_en = models.CharField(max_length=2000, blank=True, default="", db_default="")
    statements_reviewed_on = models.DateField(null=True, blank=True)

    def __str__(self):
        return f"max validity {self.max_validity_months} months"

    @classmethod
    def current(cls) -> "NationalSettings":
        settings_row, _ = cls.objects.get_or_create(pk=1)
        return settings_row


class GuidelineVersion(models.Model):
    """A published version of the national guidelines of the card, which every site commits to."""

    label = models.CharField(max_length=40, unique=True)
    published_on = models.DateField()
    summary = models.TextField(blank=True, default="")
    document_url = models.URLField(blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_on", "-id"]

    def __str__(self):
        return self.label


class GuidelineCommitment(models.Model):
    """A site's commitment to one guideline version, with who recorded it."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="guideline_commitments")
    version = models.ForeignKey(GuidelineVersion, on_delete=models.PROTECT, related_name="commitments")
    committed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "organisation"]
        constraints = [models.UniqueConstraint(fields=["organisation", "version"],
                                               name="one_commitment_per_version")]

    def __str__(self):
        return f"{self.organisation_id} committed to {self.version_id} on {self.committed_on}"
