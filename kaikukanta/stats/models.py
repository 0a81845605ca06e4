"""Tables made for statistics: rollups of visits and cards, and the changes not yet folded into them.

The desk does not update rollup rows itself: every registration at a venue would then update the same
few rows (the venue's day, month and year, the area's), and each transaction holds those row locks
until it commits, so registrations would take turns at the speed of a commit (measured with pgbench on
the benchmark data: 2,000 → 270–450 transactions/s; with the rows split eight ways, still −40 %).
Instead each write appends one `PendingChange` row in its own transaction, and `rollups.fold` folds the
pending changes into the rollups before any figure is read. See `rollups.py`.
"""

from django.db import models


class PendingChange(models.Model):
    """A card whose figures changed and are not yet in the rollups: a visit recorded (`sign` +1) or
    cancelled (−1), or the card itself issued or changed (`visit_id` empty, `sign` 0). Written in the
    transaction of the change; deleted by the fold that takes it in."""

    card_id = models.BigIntegerField(db_index=True)
    visit_id = models.BigIntegerField(null=True, blank=True)
    sign = models.SmallIntegerField(default=0)

    def __str__(self):
        return f"card {self.card_id} visit {self.visit_id} {self.sign:+d}"


class Family(models.TextChoices):
    AREA = "a", "visits at the venues of an area"
    VENUE = "v", "visits at a venue"
    CARDS = "c", "cards issued by the distributors of an area"


class Grain(models.TextChoices):
    ALL_TIME = "t"
    DAY = "d"
    MONTH = "m"
    YEAR = "y"


class Rollup(models.Model):
    """Sums over one day, month or year (`period` is its first day), or over all time (`period`
    0001-01-01), for one owner and one key of one dimension. Visit families (`a`, `v`) count visits, uses,
    child uses and, for keys about holders, the distinct cards (`cards`) with, while there are at most four
    of them, their ids in `card_1`..`card_4` (ascending), so that suppression over any union of rows is
    exact. The cards family counts cards in `cards`. A row whose numbers are all zero is deleted."""

    family = models.CharField(max_length=1, choices=Family.choices)
    owner = models.BigIntegerField()
    dim = models.CharField(max_length=20)
    grain = models.CharField(max_length=1, choices=Grain.choices)
    period = models.DateField()
    key = models.CharField(max_length=40)
    visits = models.BigIntegerField(default=0)
    uses = models.BigIntegerField(default=0)
    child_uses = models.BigIntegerField(default=0)
    cards = models.BigIntegerField(default=0)
    card_1 = models.BigIntegerField(null=True, blank=True)
    card_2 = models.BigIntegerField(null=True, blank=True)
    card_3 = models.BigIntegerField(null=True, blank=True)
    card_4 = models.BigIntegerField(null=True, blank=True)
    # The value of the tickets given (cents) and the uses it is known for, on the card-type rows only
    # (families `v` and `a`, dimension `card_type`): visits keep their value when recorded (`Visit`).
    ticket_value_cents = models.BigIntegerField(default=0, db_default=0)
    priced_uses = models.BigIntegerField(default=0, db_default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["family", "dim", "grain", "owner", "period", "key"],
                                    name="stats_rollup_once"),
        ]

    def __str__(self):
        return f"{self.family}/{self.dim} {self.owner} {self.grain}{self.period} {self.key}"


class CardFigures(models.Model):
    """What the rollups hold about one card: the facts its card and wellbeing figures came from, as last
    folded. The fold compares them with the card as it is now."""

    card_id = models.BigIntegerField(primary_key=True)
    card_type = models.CharField(max_length=10)
    area_id = models.BigIntegerField()
    issued_on = models.DateField()
    ends_on = models.DateField()
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    children = models.PositiveSmallIntegerField(default=0)
    gender = models.CharField(max_length=12, blank=True, default="")
    home_municipality = models.CharField(max_length=3, blank=True, default="")
    renewed = models.BooleanField(default=False)
    first_used_on = models.DateField(null=True, blank=True)
    uses = models.BigIntegerField(default=0)
    # "key=at issue:latest renewal" pairs separated by ";", for the questions answered both times.
    wellbeing = models.TextField(blank=True, default="")

    def __str__(self):
        return f"card {self.card_id}"


class WellbeingRollup(models.Model):
    """Per area (of the issuing distributor) and question: holders who answered at issue and at a
    renewal, and the sums of their answers then and at their latest renewal."""

    owner = models.BigIntegerField()
    question_key = models.CharField(max_length=40)
    respondents = models.BigIntegerField(default=0)
    sum_at_issue = models.BigIntegerField(default=0)
    sum_now = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "question_key"], name="stats_wellbeing_once")]

    def __str__(self):
        return f"{self.owner} {self.question_key}"


class FoldState(models.Model):
    """The memberships the holders' home areas in the rollups were computed with, the version of what the
    rollups hold (`rollups.VERSION`; an older one is rebuilt by the next fold) and their generation (one row)."""

    memberships = models.TextField(default="")
    version = models.PositiveSmallIntegerField(default=0, db_default=0)
    # One more after every fold or rebuild that changed the rollups: what a cached table was computed from.
    generation = models.BigIntegerField(default=0, db_default=0)

    def __str__(self):
        return "fold state"
