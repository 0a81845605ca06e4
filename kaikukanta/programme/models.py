"""The programme's rules, stored as versions with effective dates (append-only: a version is never changed).

A national version (`area` empty) holds every rule and which of them areas may override; an area's version
holds its overrides (empty: the national value). The rules in force in an area on a day are the national
version in force that day with the area's version in force that day laid over it, for the fields the
national version lets areas override (`selectors.rules_in_force`).
"""

from django.conf import settings
from django.db import models


class RuleVersion(models.Model):
    area = models.ForeignKey("network.Area", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="rule_versions")
    effective_from = models.DateField()
    holder_min_age = models.PositiveSmallIntegerField(null=True, blank=True)
    # Null, not "", like every rule here: in an area version it means "the national value".
    holder_age_counting = models.CharField(max_length=16, null=True, blank=True)  # noqa: DJ001
    children_max_age = models.PositiveSmallIntegerField(null=True, blank=True)
    max_children = models.PositiveSmallIntegerField(null=True, blank=True)
    courses_admit_children = models.BooleanField(null=True, blank=True)
    max_clients = models.PositiveSmallIntegerField(null=True, blank=True)
    max_assistants = models.PositiveSmallIntegerField(null=True, blank=True)
    max_validity_months = models.PositiveSmallIntegerField(null=True, blank=True)
    cancel_window_days = models.PositiveSmallIntegerField(null=True, blank=True)
    paper_list_days = models.PositiveSmallIntegerField(null=True, blank=True)
    other_area_cards = models.BooleanField(null=True, blank=True)
    # National versions only: the rule fields areas may override while this version is in force.
    overridable = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["area", "effective_from", "id"]
        indexes = [models.Index(fields=["area", "effective_from"])]

    def __str__(self):
        return f"rules of {self.area_id or 'the nation'} from {self.effective_from}"
