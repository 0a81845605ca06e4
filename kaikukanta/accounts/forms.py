from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from .policy import account_usable


class LoginForm(AuthenticationForm):
    """Django's login form, saying plainly why a deactivated account (or one of a site taken out of the
    network) cannot sign in. Only someone who typed the right password gets to read it."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "inactive": _("This account is not in use: the user or their site has been deactivated. "
                      "Ask your area coordinator if you should still have access."),
    }

    def confirm_login_allowed(self, user):
        if not account_usable(user):
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")


class SecondFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the authenticator app"), max_length=10, strip=True,
        help_text=_("Six digits. The code changes every 30 seconds."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "autocapitalize": "none", "spellcheck": "false"}))
