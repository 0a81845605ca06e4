"""The national admin's fallback view of the network. Read-only: every change goes through the API,
where the rules, the history and the audit trail live."""

from django.contrib import admin

from kaikukanta.core.admin_support import ReadOnlyAdmin

from .models import (
    Area,
    AreaStatusPeriod,
    GuidelineCommitment,
    GuidelineVersion,
    Membership,
    NationalSettings,
    Offering,
    Organisation,
)


class StatusPeriodInline(admin.TabularInline):
    model = AreaStatusPeriod
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class MembershipInline(StatusPeriodInline):
    model = Membership


@admin.register(Area)
class AreaAdmin(ReadOnlyAdmin):
    list_display = ("name", "created_at")
    search_fields = ("name",)
    inlines = (StatusPeriodInline, MembershipInline)


@admin.register(Organisation)
class OrganisationAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "area", "municipality", "category", "sector", "active", "inactive_from")
    list_filter = ("kind", "active", "area", "sector")
    search_fields = ("name", "contact_name")


@admin.register(Offering)
class OfferingAdmin(ReadOnlyAdmin):
    list_display = ("name", "venue", "kind", "date", "ticket_quota", "archived")
    list_filter = ("kind", "archived")
    search_fields = ("name", "venue__name")
    list_select_related = ("venue",)


@admin.register(NationalSettings)
class NationalSettingsAdmin(ReadOnlyAdmin):
    list_display = ("max_validity_months",)


@admin.register(GuidelineVersion)
class GuidelineVersionAdmin(ReadOnlyAdmin):
    list_display = ("label", "published_on")


@admin.register(GuidelineCommitment)
class GuidelineCommitmentAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "version", "committed_on", "recorded_by")
