"""Every network operation called by every role: the status each gets, written out by hand.

The targets all lie in the first area ("own" for coordinator, distributor and venue; "other" for the
users of the second area). A change to who may do what must change this table.
"""

import pytest

from kaikukanta.testing import make_offering, parse_status_table, status_by_caller

pytestmark = pytest.mark.django_db

# Column headings are short for the callers of `build_network()` ("o_" is the other area's), plus none.

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


TABLE = parse_status_table(EXPECTED)


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

    statuses, error_codes = status_by_caller(network, TABLE[operation], method, path, body)

    assert statuses == TABLE[operation]
    assert error_codes <= {(401, "unauthenticated"), (403, "forbidden")}
