from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin with a site that asks for the second factor too (see admin_site.py)."""

    default_site = "kaikukanta.accounts.admin_site.VerifiedAdminSite"

    def ready(self):
        super().ready()
        from django.contrib import admin
        from django_otp.plugins.otp_totp.models import TOTPDevice

        # django-otp's own admin page shows and edits each authenticator's secret key: nobody is to read
        # another's, and authenticators are removed through accounts.services.reset_second_factor.
        if admin.site.is_registered(TOTPDevice):
            admin.site.unregister(TOTPDevice)
