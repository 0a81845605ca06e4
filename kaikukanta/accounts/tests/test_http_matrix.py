"""Every account operation called by every role: the status each gets, written out by hand.

The target user is the distributor user of the first area (`dist`), so `coord` is its coordinator and
`dist` is the user itself; the `o_` columns are the other area's users. A change to who may do what
must change this table.
"""

import pytest
from django.db import transaction

from kaikukanta.core.testing import ApiClient

pytestmark = pytest.mark.django_db

CALLERS = {"anon": "anonymous", "admin": "admin", "coord": "coordinator", "o_coord": "other_coordinator",
           "dist": "distributor", "o_dist": "other_distributor", "venue": "venue", "o_venue": "other_venue"}

EXPECTED = """
operation             anon  admin  coord  o_coord  dist  o_dist  venue  o_venue
create_staff_user     401   201    201    403      403   403     403    403
create_coordinator    401   201    403    403      403   403     403    403
list_users            401   200    200    200      200   200     200    200
get_user              401   200    200    403      200   403     403    403
update_user           401   200    200    403      403   403     403    403
create_token          401   201    201    403      201   403     403    403
revoke_token          401   204    204    403      204   403     403    403
"""


def _table():
    header, *rows = [line.split() for line in EXPECTED.strip().splitlines()]
    assert header[1:] == list(CALLERS)
    callers = list(CALLERS.values())
    return {row[0]: dict(zip(callers, map(int, row[1:]), strict=True)) for row in rows}


TABLE = _table()


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
