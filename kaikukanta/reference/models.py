from django.db import models


class WelfareArea(models.Model):
    name_fi = models.CharField(max_length=120, unique=True)
    name_sv = models.CharField(max_length=120)

    def __str__(self):
        return self.name_fi


class Municipality(models.Model):
    code = models.CharField(max_length=3, primary_key=True)
    name_fi = models.CharField(max_length=80)
    name_sv = models.CharField(max_length=80)
    region_fi = models.CharField(max_length=80)
    region_sv = models.CharField(max_length=80)
    welfare_area = models.ForeignKey(WelfareArea, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="municipalities")
    # A municipality merged away stays for history; it is only missing from newer reference files.
    in_current_file = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "municipalities"

    def __str__(self):
        return f"{self.code} {self.name_fi}"


class PostalCode(models.Model):
    code = models.CharField(max_length=5, primary_key=True)
    name_fi = models.CharField(max_length=80)
    name_sv = models.CharField(max_length=80)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="postal_codes")
    valid_from = models.DateField(null=True, blank=True)
    in_current_file = models.BooleanField(default=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name_fi}"


class LowIncomeFigure(models.Model):
    """Statistics Finland's count of low-income residents of a municipality in a year."""

    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="low_income_figures")
    year = models.PositiveSmallIntegerField()
    low_income_persons = models.PositiveIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="low_income_once_a_year")]

    def __str__(self):
        return f"{self.municipality_id} {self.year}: {self.low_income_persons}"
