from django.contrib import admin

from .models import Visit


@admin.register(Visit)
class VisitAdmin(admin.ModelAdmin):
    """Read-only: visits are recorded and cancelled through the API, where the rules are."""

    list_display = ("id", "used_on", "venue", "offering", "uses", "children", "clients", "assistants",
                    "recorded_at", "cancelled_at")
    list_filter = ("used_on", "cancelled_at")
    list_select_related = ("venue", "offering")
    date_hierarchy = "used_on"
    raw_id_fields = ("card", "venue", "offering", "recorded_by")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
