from kaikukanta.testing import EVERYONE, SIGNED_IN, PageExample

ADMIN = {"admin"}
CARD_SCOPES = {"admin", "coordinator", "other_coordinator", "distributor", "other_distributor"}
# Which callers' scopes have each table: the area bars and milestones are the whole network's, and a
# venue's scope has no cards to count.
TABLE_CALLERS = {
    "summary": SIGNED_IN, "yearly": SIGNED_IN, "month": SIGNED_IN, "sector": SIGNED_IN,
    "age_group": SIGNED_IN, "breakdown": SIGNED_IN, "travel": SIGNED_IN,
    "value_sector": SIGNED_IN, "value_place": SIGNED_IN,
    "area": ADMIN, "milestones": ADMIN,
    "activation": CARD_SCOPES, "uses_per_card": CARD_SCOPES, "wellbeing": CARD_SCOPES,
}


def _export(table: str, fmt: str, **query) -> PageExample:
    return PageExample(allowed=TABLE_CALLERS[table], kwargs=lambda network: {"table": table, "fmt": fmt},
                       query=lambda network: {key: make(network) for key, make in query.items()})


EXAMPLES = {
    # Everyone signed in has statistics: the network, an area, or their own site.
    "stats:dashboard": PageExample(allowed=SIGNED_IN),
    # An area named in the query is only for who may read that area: another area's id is refused.
    "stats:dashboard#first-area": PageExample(allowed={"admin", "coordinator"},
                                              query=lambda network: {"area_id": network.area.pk}),
    "stats:dashboard#other-area": PageExample(allowed={"admin", "other_coordinator"},
                                              query=lambda network: {"area_id": network.other_area.pk}),
    "stats:export": PageExample(allowed=SIGNED_IN, kwargs=lambda network: {"table": "month", "fmt": "csv"}),
    **{f"stats:export#{table}.{fmt}": _export(table, fmt) for table in TABLE_CALLERS for fmt in ("csv", "xlsx")},
    "stats:export#first-area": PageExample(
        allowed={"admin", "coordinator"}, kwargs=lambda network: {"table": "summary", "fmt": "xlsx"},
        query=lambda network: {"area_id": network.area.pk}),
    "stats:export#other-area": PageExample(
        allowed={"admin", "other_coordinator"}, kwargs=lambda network: {"table": "breakdown", "fmt": "csv"},
        query=lambda network: {"area_id": network.other_area.pk}),
    # The annual report is an area's (or the network's): coordinators and the national admin.
    "stats:report": PageExample(allowed={"admin", "coordinator", "other_coordinator"}),
    "stats:report#first-area": PageExample(allowed={"admin", "coordinator"},
                                           query=lambda network: {"area_id": network.area.pk}),
    "stats:report#other-area": PageExample(allowed={"admin", "other_coordinator"},
                                           query=lambda network: {"area_id": network.other_area.pk}),
}

# Open data is for anyone, signed in or not: each dataset in each format.
EXAMPLES.update({
    "open_data:index": PageExample(allowed=EVERYONE),
    **{f"open_data:dataset#{dataset}.{fmt}": PageExample(
        allowed=EVERYONE, kwargs=lambda network, dataset=dataset, fmt=fmt: {"dataset": dataset, "fmt": fmt})
       for dataset in ("yearly", "yearly-by-municipality", "uses-by-sector") for fmt in ("csv", "json")},
})
