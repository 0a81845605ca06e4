from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaikukanta.accounts"
    label = "accounts"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        user_logged_in.connect(_start_session_clock, dispatch_uid="kaikukanta.accounts.session_clock")


def _start_session_clock(sender, request, user, **kwargs):
    from .middleware import start

    start(request.session)

