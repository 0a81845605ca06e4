"""Signing in and out, and the choices every user makes for themselves: language and text size."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import activate
from django.views.decorators.http import require_POST

from kaikukanta.accounts.models import Role
from kaikukanta.accounts.services import update_user
from kaikukanta.core.context_processors import TEXT_SIZE_COOKIE, TEXT_SIZES
from kaikukanta.core.pages import public_page, signed_in_page

HOME_OF_ROLE = {
    Role.VENUE: "desk:check",
    Role.DISTRIBUTOR: "cards:issue",
    Role.AREA_COORDINATOR: "stats:dashboard",
    Role.NATIONAL_ADMIN: "stats:dashboard",
}
ONE_YEAR = 365 * 24 * 3600


def _back(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return fallback


def _remember_language(response, language: str) -> None:
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=ONE_YEAR, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().language
        activate(language)
        _remember_language(response, language)
        return response


login_view = public_page(LoginView.as_view())
logout_view = public_page(auth_views.LogoutView.as_view())


@signed_in_page
def home(request):
    return redirect(HOME_OF_ROLE.get(request.user.role, "public:home"))


@public_page
@require_POST
def choose_language(request):
    language = request.POST.get("language")
    response = HttpResponseRedirect(_back(request, reverse("public:home")))
    if language in dict(settings.LANGUAGES):
        if request.user.is_authenticated:
            update_user(request.user, request.user.pk, language=language)
        _remember_language(response, language)
    return response


@public_page
@require_POST
def choose_text_size(request):
    size = request.POST.get("size")
    response = HttpResponseRedirect(_back(request, reverse("public:home")))
    if size in TEXT_SIZES:
        response.set_cookie(TEXT_SIZE_COOKIE, size, max_age=ONE_YEAR, samesite="Lax",
                            secure=settings.SESSION_COOKIE_SECURE)
    return response
