"""Every account operation called by every role: the status each gets, written out by hand.

The target user is the distributor user of the first area (`dist`), so `coord` is its coordinator and
`dist` is the user itself; the `o_` columns are the other area's users. A change to who may do what
must change this table.
"""

import pytest

from kaikukanta.testing import parse_status_table, status_by_caller

pytestmark = pytest.mark.django_db


EXPECTED = """
operation             anon  admin  coord  o_coord  dist  o_dist  venue  o_venue
create_staff_user     401   201    201    403      403   403     403    403
create_coordinator    401   201    403    403      403   403     403    403
list_users            401   200    200    200      200   200     200    200
get_user              401   200    200    403      200   403     403    403
update_user           401   200    200    403      200   403     403    403
create_token          401   201    201    403      201   403     403    403
revoke_token          401   204    204    403      204   403     403    403
"""


TABLE = parse_status_table(EXPECTED)


def request_for(operation, network):
    target = network.users["distributor"]
    return {
        "create_staff_user": ("post", "users", {"username": "jakaja2", "role": "distributor",
                                                "organisation_id": network.distributor.pk}),
        "create_coordinator": ("post", "users", {"username": "koordinaattori2", "role": "area_coordinator",
                                                 "area_id": network.area.pk}),
        "list_users": ("get", "users", None),
        "get_user": ("get", f"users/{target.pk}", None),
        "update_user": ("patch", f"users/{target.pk}", {"language": "sv"}),
        "create_token": ("post", f"users/{target.pk}/tokens", {}),
        "revoke_token": ("delete", f"tokens/{network.tokens['distributor']}", None),
    }[operation]


@pytest.mark.parametrize("operation", list(TABLE))
def test_each_role_gets_the_expected_status(network, operation):
    method, path, body = request_for(operation, network)

    statuses, error_codes = status_by_caller(network, TABLE[operation], method, path, body)

    assert statuses == TABLE[operation]
    assert error_codes <= {(401, "unauthenticated"), (403, "forbidden")}
