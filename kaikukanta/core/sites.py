"""A site (organisation) taken out of the network takes no new staff, offerings or card stock.

Its history stays readable and its past visits and cards keep counting (network.services dates the
leaving), but nothing new is attached to it: every service that is given a site by its id asks this
before writing, so the API, the pages, the importers and the console all refuse the same way, with
`invalid` naming the field and saying why.
"""

from django.utils.translation import gettext_lazy as _

from .errors import Code, Refusal

OUT_OF_NETWORK = _("the site has been taken out of the network")


def check_in_network(site, field: str) -> None:
    """Refuse a site (any object with `active`) that has left the network, naming `field`."""
    if site is not None and not site.active:
        raise Refusal(Code.INVALID, field=field, detail=OUT_OF_NETWORK)
