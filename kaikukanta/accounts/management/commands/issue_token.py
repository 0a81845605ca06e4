"""Bootstrap access: create a user if asked and print a new API token for it as the last line of output.

This is the only step outside the API: `manage.py issue_token --username NAME --role national_admin --create`
gives the first national admin a token, with which everything else is done through the API.
"""

from django.core.management.base import BaseCommand, CommandError

from kaikukanta.accounts import services
from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role, User
from kaikukanta.core.errors import Refusal


def _refused(refusal: Refusal) -> CommandError:
    where = f" ({refusal.field})" if refusal.field else ""
    return CommandError(f"{refusal.code.value}{where}: {refusal.message('en')}")


class Command(BaseCommand):
    help = "Print a new API token for a user (the last line of output), creating the user with --create."

    def add_arguments(self, parser):
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", choices=Role.values,
                            help="The user's role; required with --create, else checked against the user's.")
        parser.add_argument("--area-id", type=int, help="The area of an area_coordinator.")
        parser.add_argument("--organisation-id", type=int, help="The site of a distributor or venue user.")
        parser.add_argument("--language", choices=("fi", "sv", "en"), default="fi")
        parser.add_argument("--create", action="store_true", help="Create the user (it must not exist yet).")

    def handle(self, *args, username, role, area_id, organisation_id, language, create, **options):
        try:
            if create:
                user = self._create(username, role, area_id, organisation_id, language)
            else:
                user = self._existing(username, role, area_id, organisation_id)
            issued = services.issue_token_from_console(Caller.for_console(), user)
        except Refusal as refusal:
            raise _refused(refusal) from None
        until = issued.token.expires_at.date().isoformat()
        self.stdout.write(f"API token for {user.username} ({user.role}), valid until {until}; "
                          "it is shown only this once:")
        self.stdout.write(issued.secret)

    def _create(self, username, role, area_id, organisation_id, language) -> User:
        if role is None:
            raise CommandError("--create needs --role.")
        user = services.create_user_from_console(Caller.for_console(), username=username, role=role,
                                                 area_id=area_id, organisation_id=organisation_id,
                                                 language=language)
        self.stdout.write(f"Created user {user.username} ({user.role}).")
        return user

    def _existing(self, username, role, area_id, organisation_id) -> User:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user {username}; add --create (and --role) to create one.")
        if not user.is_active:
            raise CommandError(f"The user {username} is deactivated.")
        checks = (("--role", role, user.role), ("--area-id", area_id, user.area_id),
                  ("--organisation-id", organisation_id, user.organisation_id))
        mismatches = [name for name, given, actual in checks if given is not None and given != actual]
        if mismatches:
            raise CommandError(f"The user {username} has another {' and '.join(mismatches)}.")
        return user
