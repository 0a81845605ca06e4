"""The password policy's reasons in our own words, so that each reads in fi, sv and en on every set-password
page and in the API (Django's own Finnish and Swedish lack some of them)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext, gettext_lazy

REASONS = {
    "password_too_common": gettext_lazy("The password is too common."),
    "password_entirely_numeric": gettext_lazy("The password cannot be only digits."),
    "password_too_similar": gettext_lazy("The password is too similar to the username."),
}


def _too_short(min_length: int) -> str:
    return gettext("The password is too short: it needs at least %(count)d characters.") % {"count": min_length}


_too_short_lazy = lazy(_too_short, str)


def min_length() -> int:
    for validator in password_validation.get_default_password_validators():
        if isinstance(validator, password_validation.MinimumLengthValidator):
            return validator.min_length
    return 0


def _help_text() -> str:
    return gettext("At least %(count)d characters, not only digits and not a common password.") % {
        "count": min_length()}


help_text = lazy(_help_text, str)


def problems(password: str, user) -> list:
    """Why `password` is refused for `user`, as lazy translations (read in whatever language renders them);
    empty if it passes."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        reasons = []
        for item in error.error_list:
            if item.code == "password_too_short":
                reasons.append(_too_short_lazy((item.params or {}).get("min_length", min_length())))
            else:
                reasons.append(REASONS.get(item.code) or " ".join(item.messages))
        return reasons
    return []


def reasons_text(reasons: list):
    """The reasons as one lazy text, e.g. for a refusal's detail."""
    return format_lazy(" ".join(["{}"] * len(reasons)), *reasons)
