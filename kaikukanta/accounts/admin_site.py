"""Django's admin site, behind the same sign-in as every page: the national admin enters it only after the
second factor, and signs in through our login page (with its throttling), never the admin's own form."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .policy import account_usable
from .selectors import second_factor_pending


class VerifiedAdminSite(admin.AdminSite):
    def has_permission(self, request):
        return (super().has_permission(request) and account_usable(request.user)
                and not second_factor_pending(request))

    def login(self, request, extra_context=None):
        target = request.GET.get("next") or reverse("admin:index")
        step = "accounts:second_factor" if request.user.is_authenticated else "accounts:login"
        return redirect_to_login(target, login_url=step)
