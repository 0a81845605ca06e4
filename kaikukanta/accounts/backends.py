"""The one authentication backend of the pages: Django's model backend with `policy.account_usable` as the
rule of who may be signed in.

A session is checked on every request (`get_user`): a user who is deactivated, or whose site is taken out
of the network, is signed out at once. At sign-in, an unusable account with the right password is handed
to the login form, which says why it cannot sign in (accounts.forms.LoginForm); with a wrong password it
is refused like any wrong password, so the message tells nothing to someone who does not know it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend

from .policy import account_usable


class UsableAccountBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        """Django's, less the refusal of unusable accounts, which the login form words instead."""
        model = get_user_model()
        if username is None:
            username = kwargs.get(model.USERNAME_FIELD)
        if username is None or password is None:
            return None
        try:
            user = model._default_manager.get_by_natural_key(username)
        except model.DoesNotExist:
            # As Django does: hash anyway, so that an unknown name answers as slowly as a known one.
            model().set_password(password)
            return None
        return user if user.check_password(password) else None

    def get_user(self, user_id):
        user = (get_user_model()._default_manager.select_related("organisation")
                .filter(pk=user_id).first())
        return user if user is not None and account_usable(user) else None

    def user_can_authenticate(self, user):
        return account_usable(user)
