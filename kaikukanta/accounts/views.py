"""Signing in (password, then the second factor for national admins and coordinators) and out, one's own
account, and the choices every user makes for themselves: language and text size."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import activate
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from kaikukanta.accounts import selectors, services
from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.forms import LoginForm, SecondFactorForm
from kaikukanta.accounts.models import Role
from kaikukanta.accounts.pages import page, password_step_page, public_page, signed_in_page
from kaikukanta.accounts.policy import Action
from kaikukanta.accounts.selectors import second_factor_pending
from kaikukanta.accounts.services import update_user
from kaikukanta.core.context_processors import TEXT_SIZE_COOKIE, TEXT_SIZES
from kaikukanta.core.errors import Refusal
from kaikukanta.core.pages import form_errors_from, safe_next

HOME_OF_ROLE = {
    Role.VENUE: "desk:check",
    Role.DISTRIBUTOR: "cards:issue",
    Role.AREA_COORDINATOR: "stats:dashboard",
    Role.NATIONAL_ADMIN: "stats:dashboard",
}
ONE_YEAR = 365 * 24 * 3600


def _back(request, fallback: str) -> str:
    return safe_next(request, fallback)


def _remember_language(response, language: str) -> None:
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=ONE_YEAR, samesite="Lax",
                        secure=settings.SESSION_COOKIE_SECURE)


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.get_user()
        if selectors.requires_second_factor(user):
            # Signed in with the password only: every page sends the user to the second factor until then.
            response = redirect_to_login(self.get_success_url(), login_url="accounts:second_factor")
        activate(user.language)
        _remember_language(response, user.language)
        return response


login_view = public_page(LoginView.as_view())
logout_view = public_page(auth_views.LogoutView.as_view())


def _qr_image(url: str) -> str:
    """The QR code of the authenticator's set-up address as an SVG data: URI (the CSP allows data: images)."""
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


def _grouped(secret: str) -> str:
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


@password_step_page
def second_factor(request):
    """After the password, for national admins and coordinators: set up an authenticator app the first
    time (QR code or the secret typed, confirmed with a code), afterwards type its current code."""
    user = request.user
    target = _back(request, reverse("accounts:home"))
    if not second_factor_pending(request):
        return HttpResponseRedirect(target)
    enrolling = not selectors.has_authenticator(user)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if enrolling:
                device = services.confirm_enrolment(Caller.page(request), form.cleaned_data["code"])
            else:
                device = services.verify_second_factor(Caller.page(request), form.cleaned_data["code"])
        except Refusal as refusal:
            form_errors_from(form, refusal)
        else:
            otp_login(request, device)
            return HttpResponseRedirect(target)
    context = {"form": form, "enrolling": enrolling, "next": target}
    if enrolling:
        device = services.start_enrolment(Caller.page(request))
        context["qr_image"] = _qr_image(device.config_url)
        context["secret"] = _grouped(b32encode(device.bin_key).decode())
    response = render(request, "accounts/second_factor.html", context)
    response["Cache-Control"] = "no-store"
    return response


@page(Action.RESET_SECOND_FACTOR)
@require_POST
def reset_second_factor(request, user_id: int):
    services.reset_second_factor(Caller.page(request), user_id)
    messages.success(request, _("The authenticator was removed. At the next sign-in the user sets up a new one."))
    return HttpResponseRedirect(_back(request, reverse("accounts:home")))


@signed_in_page
@require_POST
def revoke_token(request, token_id: int):
    token = services.revoke_token_by_id(Caller.page(request), token_id)
    messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix})
    return HttpResponseRedirect(_back(request, reverse("accounts:account")))


@signed_in_page
def account(request):
    """One's own account: the second factor and one's API tokens."""
    return render(request, "accounts/account.html", {"target": request.user})


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
            update_user(Caller.page(request), request.user.pk, language=language)
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
