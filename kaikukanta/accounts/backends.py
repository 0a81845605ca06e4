"""The password backend, reading a signed-in user's site in the same statement as the user.

Every request of a session loads its user; the services then ask whether the user's site is active
(`policy.account_usable`), so reading the site here saves the desk a query on each card check."""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class ModelBackendWithSite(ModelBackend):
    def get_user(self, user_id):
        user = (get_user_model()._default_manager.select_related("organisation")
                .filter(pk=user_id).first())
        return user if user is not None and self.user_can_authenticate(user) else None
