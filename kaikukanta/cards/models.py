from django.conf import settings
from django.db import models


class CardType(models.TextChoices):
    PERSONAL = "personal"
    COMMUNITY = "community"


GENDERS = ("female", "male", "other", "unspecified")
LIFE_SITUATIONS = ("employed", "unemployed", "student", "retired", "disability_or_sick_leave", "family_leave",
                   "other", "unspecified")
CLOSE_REASONS = ("lost", "withdrawn", "moved", "deceased", "other")
REPLACED = "replaced"


class CardBatch(models.Model):
    distributor = models.ForeignKey("network.Organisation", on_delete=models.PROTECT,
                                    related_name="card_batches")
    count = models.PositiveIntegerField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.count} numbers for {self.distributor_id} ({self.created_at:%Y-%m-%d})"


class StockNumber(models.Model):
    """Every card number ever generated or imported: unique for ever, owned by one distributor."""

    number = models.CharField(max_length=10, primary_key=True)
    distributor = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="stock")
    batch = models.ForeignKey(CardBatch, null=True, blank=True, on_delete=models.PROTECT,
                              related_name="numbers")

    def __str__(self):
        return self.number


class Card(models.Model):
    """A card and, for a personal card, the only holder data there is: no name, no identity code."""

    number = models.CharField(max_length=10, unique=True)
    card_type = models.CharField(max_length=10, choices=CardType.choices)
    # The foreign keys' own indexes are left to Meta.indexes: (issuer, issued_on) serves a look-up by issuer,
    # and a code column's index needs no second, pattern-matching copy (nothing searches codes by prefix).
    # Every index is written on each card issued or imported.
    issuer = models.ForeignKey("network.Organisation", on_delete=models.PROTECT, related_name="issued_cards",
                               db_index=False)
    issued_on = models.DateField()
    valid_until = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    close_reason = models.CharField(max_length=12, blank=True, default="")
    replaces = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="replaced_by")
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    postal_code = models.ForeignKey("reference.PostalCode", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", db_index=False)
    home_municipality = models.ForeignKey("reference.Municipality", null=True, blank=True,
                                          on_delete=models.PROTECT, related_name="+", db_index=False)
    children = models.PositiveSmallIntegerField(default=0)
    # Each child's birth year (no names), recorded where the issuing area's rules age children; null on cards
    # issued before, or elsewhere: those are judged by the count, as before (README, "Programme rules").
    children_birth_years = models.JSONField(null=True, blank=True)
    gender = models.CharField(max_length=12, blank=True, default="")
    life_situation = models.CharField(max_length=30, blank=True, default="")
    # Set by the retention run (services.coarsen_holder_data): birth_year then holds a year of the
    # holder's five-year band, and the postal code is gone.
    holder_coarsened_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [
            models.Index(fields=["issuer", "issued_on"]),
            models.Index(fields=["valid_until"]),
            models.Index(fields=["postal_code"], name="cards_card_postal_code"),
            models.Index(fields=["home_municipality"], name="cards_card_home_municipality"),
        ]

    def __str__(self):
        return self.number

    # What accounts.policy asks of a target (its `Scoped` protocol): a card belongs to its issuer's area.
    policy_subject = "card"

    @property
    def policy_area_id(self) -> int | None:
        return self.issuer.area_id


class CardEventKind(models.TextChoices):
    ISSUED = "issued"
    RENEWED = "renewed"
    CLOSED = "closed"
    REPLACED = "replaced"


class CardEvent(models.Model):
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=10, choices=CardEventKind.choices)
    date = models.DateField()
    valid_until = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=12, blank=True, default="")
    other_number = models.CharField(max_length=10, blank=True, default="")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]

    def __str__(self):
        return f"{self.event} {self.date}"


class WellbeingQuestion(models.Model):
    key = models.CharField(max_length=40, unique=True)
    text_fi = models.TextField()
    text_sv = models.TextField()
    text_en = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    current = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.key


class WellbeingAnswer(models.Model):
    """A holder's answer, given at issue or at a renewal (the event says which)."""

    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="wellbeing_answers")
    event = models.ForeignKey(CardEvent, on_delete=models.CASCADE, related_name="wellbeing_answers")
    question_key = models.CharField(max_length=40)
    value = models.PositiveSmallIntegerField()

    def __str__(self):
        return f"{self.question_key}={self.value}"
