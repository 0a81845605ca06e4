"""Who is acting, and through which door: the first argument of every service that acts for someone (cards,
visits, devices, imports, the network, the accounts, the programme's rules).

Entry points build a `Caller` and hand it on; the services do every check a rule needs with it (policy,
an account that may act, the guessing limits, bounds), so that an entry point cannot skip one by
forgetting it. The channel says which checks make sense:

- `api`, `page`, `device`: a person (or a scanner) typing numbers from a client address, so the card-number
  guessing limits apply (`counts_guessing`);
- `import`, `console`, `admin`: an operator with a file or a shell on the server. There is no client address
  to count and nobody to stop between tries: an import is all-or-nothing and reports every bad row, and whoever
  can run it can read the database already. Policy and bounds still apply.
"""

from dataclasses import dataclass
from enum import StrEnum

from kaikukanta.core.client_address import client_address


class Channel(StrEnum):
    API = "api"
    PAGE = "page"
    DEVICE = "device"
    IMPORT = "import"
    ADMIN = "admin"
    CONSOLE = "console"


TYPING_CHANNELS = frozenset({Channel.API, Channel.PAGE, Channel.DEVICE})


@dataclass(frozen=True)
class Caller:
    """`user` is None only for the public pages; `site` is the user's organisation (or None). On the channel
    `device`, `device` is the enrolled desk device (devices.models.Device) acting for `user`."""

    user: object | None
    site: object | None
    address: str | None
    channel: Channel
    device: object | None = None

    @classmethod
    def from_request(cls, request, channel: Channel) -> "Caller":
        """The signed-in user (or a token's owner) of `request`. The site is the one the authentication step
        read with the user (no query for a token; one, cached on the user, for a session)."""
        user = request.user if getattr(request.user, "is_authenticated", False) else None
        site = user.organisation if user is not None and user.organisation_id is not None else None
        return cls(user=user, site=site, address=client_address(request), channel=channel)

    @classmethod
    def api(cls, request) -> "Caller":
        return cls.from_request(request, Channel.API)

    @classmethod
    def page(cls, request) -> "Caller":
        return cls.from_request(request, Channel.PAGE)

    @classmethod
    def public(cls, request) -> "Caller":
        """A visitor of the public pages: counted by the client address alone, signed in or not."""
        return cls(user=None, site=None, address=client_address(request), channel=Channel.PAGE)

    @classmethod
    def for_console(cls, user=None, channel: Channel = Channel.CONSOLE) -> "Caller":
        """A management command, an import or a test acting as `user` (None: the operator of the server)."""
        if channel in TYPING_CHANNELS:
            raise ValueError("a console caller has no client address")
        site = user.organisation if user is not None and user.organisation_id is not None else None
        return cls(user=user, site=site, address=None, channel=channel)

    @property
    def counts_guessing(self) -> bool:
        return self.channel in TYPING_CHANNELS and self.address is not None

    @property
    def pk(self):
        return getattr(self.user, "pk", None)
