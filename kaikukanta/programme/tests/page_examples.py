"""The rule pages against every caller: the national admin's and each coordinator's own area."""

from kaikukanta.testing import PageExample


def _area(network):
    return {"area_id": network.area.pk}


EXAMPLES = {
    # The admin gets the national rules, each coordinator its own area's.
    "programme:rules": PageExample(allowed={"admin", "coordinator", "other_coordinator"}),
    "programme:area_rules": PageExample(allowed={"admin", "coordinator"}, kwargs=_area),
}
