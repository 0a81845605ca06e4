"""What the apps' read-only admin pages share: Django's admin is a fallback reader, every change goes through
the services (the API and the pages), where the rules, the history and the audit trail live."""

from django.contrib import admin


class ReadOnly:
    """Mixed into model admins and inlines alike."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnly, admin.ModelAdmin):
    pass
