"""The national admin's fallback view of users and tokens. Read-only: users and tokens are created,
changed and revoked through the API (or `manage.py issue_token`), which check scope and keep the audit
trail. Token digests are not shown; they are of no use to a reader."""

from django.contrib import admin

from kaikukanta.core.admin_support import ReadOnlyAdmin

from .models import ApiToken, User


@admin.register(User)
class UserAdmin(ReadOnlyAdmin):
    list_display = ("username", "role", "area", "organisation", "language", "is_active", "last_login")
    list_filter = ("role", "is_active", "language")
    search_fields = ("username",)
    fields = ("username", "role", "area", "organisation", "language", "is_active", "last_login",
              "date_joined")
    list_select_related = ("area", "organisation")


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "prefix")
    fields = ("prefix", "user", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_select_related = ("user",)
