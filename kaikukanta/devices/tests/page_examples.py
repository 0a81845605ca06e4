"""The desk devices' pages against every caller: a venue's own staff, its coordinator and the national admin."""

from kaikukanta.testing import PageExample

ALL_DEVICE_PAGES = {"admin", "coordinator", "other_coordinator", "venue", "other_venue"}
FIRST_VENUE = {"admin", "coordinator", "venue"}


def _venue(network):
    return {"venue_id": network.venue.pk}


def _device(network):
    from .support import enrol_device

    device, _ = enrol_device(network)
    return {"device_id": device.pk}


def _conflict(network):
    from kaikukanta.devices.models import Conflict

    from .support import enrol_device, queued

    _, client = enrol_device(network)
    client.post("/api/v1/offline/visits", {"visits": [queued("1234567890")]})
    return {"conflict_id": Conflict.objects.latest("pk").pk}


EXAMPLES = {
    # Venue staff are sent on to their own venue's page (a redirect); the others get the overview.
    "devices:index": PageExample(allowed=ALL_DEVICE_PAGES),
    "devices:venue": PageExample(allowed=FIRST_VENUE, kwargs=_venue),
    "devices:inbox": PageExample(allowed=FIRST_VENUE, kwargs=_venue),
    "devices:inbox#history": PageExample(allowed=FIRST_VENUE, kwargs=_venue, query=lambda network: {"show": "history"}),
    # Only the venue's own staff enrol a device: it will act in their name.
    "devices:enrolment_code": PageExample(allowed={"venue"}, kwargs=_venue, method="post"),
    "devices:revoke": PageExample(allowed=FIRST_VENUE, kwargs=_device),
    "devices:conflict": PageExample(allowed=FIRST_VENUE, kwargs=_conflict),
}
