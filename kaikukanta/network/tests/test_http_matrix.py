"""Every network operation called by every role: the status each gets, written out by hand.

The targets all lie in the first area ("own" for coordinator, distributor and venue; "other" for the
users of the second area). A change to who may do what must change this table.
"""

import pytest
from django.db import transaction

from kaikukanta.core.testing import ApiClient, make_offering

pytestmark = pytest.mark.django_db

# Column headings are short for the callers of `build_network()` ("o_" is the other area's), plus none.
CALLERS = {"anon": "anonymous", "admin": "admin", "coord": "coordinator", "o_coord": "other_coordinator",
           "dist": "distributor", "o_dist": "other_distributor", "venue": "venue", "o_venue": "other_venue"}

EXPECTED = """
operation             anon  admin  coord  o_coord  dist  o_dist  venue  o_venue
create_area           401   201    403    403      403   403     403    403
list_areas            401   200    200    200      200   200     200    200
get_area              401   200    200    403      403   403     403    403
update_area           401   200    403    403      403   403     403    403
create_organisation   401   201    201    403      403   403     403    403
list_organisations    401   200    200    200      200   200     200    200
get_distributor       401   200    200    403      200   403     403    403
get_venue             401   200    200    403      403   403     200    403
update_organisation   401   200    200    403      403   403     403    403
create_offering       401   201    201    403      403   403     201    403
list_offerings        401   200    200    200      200   200     200    200
get_offering          401   200    200    403      403   403     200    403
update_offering       401   200    200    403      403   403     200    403
get_settings          401   200    200    200      200   200     200    200
update_settings       401   200    403    403      403   403     403    403
"""


def _table():
    header, *rows = [line.split() for line in EXPECTED.strip().splitlines()]
    assert header[1:] == list(CALLERS)
    callers = list(CALLERS.values())
    return {row[0]: dict(zip(callers, map(int, row[1:]), strict=True)) for row in rows}


TABLE = _table()


def request_for(operation, network, offering):
    area, venue, distributor = network.area, network.venue, network.distributor
    return {
        "create_area": ("post", "areas", {"name": "Varsinais-Suomi", "status": "pilot",
                                          "municipalities": [{"code": "853"}]}),
        "list_areas": ("get", "areas", None),
        "get_area": ("get", f"areas/{area.pk}", None),
        "update_area": ("patch", f"areas/{area.pk}", {"name": "Uusimaa"}),
        "create_organisation": ("post", "organisations", {
            "name": "Kirjasto", "kind": "venue", "area_id": area.pk, "municipality": "091",
            "category": "library", "sector": "culture"}),
        "list_organisations": ("get", "organisations", None),
        "get_distributor": ("get", f"organisations/{distributor.pk}", None),
        "get_venue": ("get", f"organisations/{venue.pk}", None),
        "update_organisation": ("patch", f"organisations/{venue.pk}", {"contact_name": "Toimisto"}),
        "create_offering": ("post", "offerings", {"venue_id": venue.pk, "name": "Hamlet", "kind": "event"}),
        "list_offerings": ("get", "offerings", None),
        "get_offering": ("get", f"offerings/{offering.pk}", None),
        "update_offering": ("patch", f"offerings/{offering.pk}", {"ticket_quota": 3}),
        "get_settings": ("get", "settings", None),
        "update_settings": ("patch", "settings", {"max_validity_months": 6}),
    }[operation]


@pytest.mark.parametrize("operation", list(TABLE))
def test_each_role_gets_the_expected_status(network, operation):
    offering = make_offering(network.venue)
    method, path, body = request_for(operation, network, offering)

    statuses, error_codes = {}, set()
    for caller in TABLE[operation]:
        # Each caller meets the same state: whatever one call writes is undone before the next.
        with transaction.atomic():
            client = ApiClient() if caller == "anonymous" else network.client(caller)
            call = getattr(client, method)
            response = call(path) if body is None else call(path, body)
            statuses[caller] = response.status_code
            if response.status_code >= 400:
                error_codes.add((response.status_code, response.json()["error"]["code"]))
            transaction.set_rollback(True)

    assert statuses == TABLE[operation]
    assert error_codes <= {(401, "unauthenticated"), (403, "forbidden")}
