import datetime

import pytest

from kaikukanta.accounts.models import Role
from kaikukanta.testing import ApiClient, make_token, make_user

from .world import World

d = datetime.date


class Cast:
    """The rich world's extra sites and areas, and who can see what."""

    def __init__(self, world: World):
        self.world = world
        self.tokens = {}

    def add_user(self, who, role, **scope):
        self.tokens[who] = make_token(make_user(who, role, **scope))

    def client(self, viewer, language=None) -> ApiClient:
        """A client for a viewer name such as "admin/c" (the part before the slash names the user)."""
        who = viewer.split("/")[0]
        return ApiClient(self.tokens.get(who) or self.world.network.tokens[who], language)

    def get(self, viewer, path, **params):
        query, _ = self.viewers[viewer]
        return self.client(viewer).get(path, **query, **params)


@pytest.fixture
def rich(network):
    """Three areas in the network at different times and one that never joins; municipalities joining
    and leaving; sites opening and closing; personal cards of every age group, a replacement, closed,
    expired and never-used cards, community cards; visits at the edges of validity, cancelled ones,
    visits with children and clients; low-income figures of several years (small, so that coverage is far
    from 0); wellbeing answers."""
    w = World.around(network)
    n = network
    area_a, area_b = n.area, n.other_area
    w.join(area_a, "092", d(2024, 3, 15))
    w.leave(area_a, "049", d(2024, 9, 1))
    w.status(area_b, "ended", d(2025, 1, 1))
    area_c = w.area("Varsinais-Suomi", ["853"], status="pilot", joined_on=d(2023, 7, 1))
    w.status(area_c, "active", d(2024, 1, 1))
    w.status(area_c, "ended", d(2025, 9, 1))
    w.join(area_c, "478", d(2024, 5, 1))
    area_e = w.area("Lappi", ["698"], status="preparing", joined_on=d(2024, 1, 1))

    v1, v2, d1, d2 = n.venue, n.other_venue, n.distributor, n.other_distributor
    v3 = w.organisation("Vantaan uimahalli", "venue", area_a, "092", category="sport", sector="sport",
                        active_from=d(2024, 3, 15), inactive_from=d(2024, 11, 1))
    d3 = w.organisation("Turun sosiaalitoimi", "distributor", area_c, "853", active_from=d(2023, 7, 1))
    v4 = w.organisation("Turun kansalaisopisto", "venue", area_c, "853", category="adult_education",
                        sector="education", active_from=d(2023, 7, 1))
    v5 = w.organisation("Ålands sjöfartsmuseum", "venue", area_c, "478", category="science_centre",
                        sector="science", active_from=d(2024, 5, 1))
    v6 = w.organisation("Tampereen kulttuuritalo", "venue", area_b, "837", category="other", sector="",
                        active_from=d(2022, 1, 1))

    c1 = w.card(d1, d(2023, 2, 1), valid_until=d(2024, 1, 31), children=2, birth_year=1960, gender="female")
    c2 = w.card(d1, d(2023, 9, 10), valid_until=d(2024, 9, 9), birth_year=2007, postal_code="02100",
                gender="male")
    c3 = w.card(d1, d(2024, 4, 1), valid_until=d(2025, 3, 31), children=1, birth_year=1990,
                postal_code="01300", gender="female")
    c4 = w.card(d1, d(2024, 2, 1), valid_until=d(2025, 1, 31), children=1, birth_year=1985)
    c5 = w.card(d1, d(2024, 6, 30), valid_until=d(2025, 1, 31), children=1, birth_year=1985, replaces=c4)
    w.close(c4, d(2024, 6, 30))
    c6 = w.card(d1, d(2024, 3, 1), valid_until=d(2025, 2, 28), card_type="community")
    c7 = w.card(d1, d(2025, 1, 10), valid_until=d(2025, 12, 31), birth_year=1950)
    c8 = w.card(d1, d(2024, 12, 31), valid_until=d(2025, 6, 30), birth_year=2000, postal_code="02100")
    e1 = w.card(d2, d(2022, 5, 1), valid_until=d(2023, 4, 30), children=3, birth_year=1970,
                postal_code="33100", gender="other")
    e2 = w.card(d2, d(2023, 5, 1), valid_until=d(2024, 4, 30), birth_year=1999, postal_code="33100")
    e3 = w.card(d2, d(2023, 1, 1), valid_until=d(2023, 12, 31), card_type="community")
    e4 = w.card(d2, d(2024, 10, 1), valid_until=d(2025, 9, 30), birth_year=1940, postal_code="33100",
                closed_on=d(2025, 3, 1))
    f1 = w.card(d3, d(2023, 8, 1), valid_until=d(2024, 7, 31), children=4, birth_year=1980,
                postal_code="20100", gender="female")
    f2 = w.card(d3, d(2024, 6, 1), valid_until=d(2025, 5, 31), birth_year=1975, postal_code="22100")
    g1 = w.card(d3, d(2023, 7, 1), valid_until=d(2024, 6, 30), birth_year=1988, postal_code="20100")
    w.card(d3, d(2024, 7, 1), valid_until=d(2025, 6, 30), birth_year=1995, postal_code="20100")

    for card, venue, day, extra in [
        (c1, v1, d(2023, 3, 1), {"children": 2}), (c1, v2, d(2023, 6, 15), {"children": 1}),
        (c1, v1, d(2024, 1, 31), {}), (c1, v1, d(2023, 2, 1), {"cancelled": True}),
        (c2, v1, d(2023, 10, 1), {}), (c2, v4, d(2024, 2, 2), {}), (c2, v1, d(2024, 9, 5), {}),
        (c2, v1, d(2024, 9, 1), {}),                       # the day Espoo left area A
        (g1, v4, d(2023, 7, 1), {}),                       # the day Turku joined area C
        (c3, v3, d(2024, 4, 10), {"children": 1}), (c3, v3, d(2024, 10, 31), {}),
        (c3, v1, d(2025, 1, 5), {"children": 1, "cancelled": True}), (c3, v5, d(2024, 8, 8), {}),
        (c4, v1, d(2024, 3, 3), {"cancelled": True}),
        (c5, v1, d(2024, 7, 1), {"children": 1}), (c5, v6, d(2024, 12, 24), {}),
        (c6, v1, d(2024, 3, 5), {"clients": 10}), (c6, v3, d(2024, 5, 5), {"clients": 3}),
        (c7, v2, d(2025, 2, 2), {}), (c7, v1, d(2025, 3, 3), {}),
        (c8, v1, d(2024, 12, 31), {}), (c8, v4, d(2025, 1, 1), {}),
        (e1, v2, d(2022, 6, 1), {"children": 3}), (e1, v2, d(2022, 12, 31), {"children": 2}),
        (e1, v1, d(2023, 1, 1), {}),
        (e2, v2, d(2023, 5, 1), {}), (e2, v6, d(2024, 4, 30), {}),
        (e3, v2, d(2023, 2, 2), {"clients": 5}), (e3, v6, d(2023, 12, 31), {}),
        (e4, v2, d(2024, 10, 2), {}), (e4, v2, d(2025, 1, 15), {}),
        (f1, v4, d(2023, 8, 1), {"children": 4}), (f1, v5, d(2024, 5, 1), {"children": 2}),
        (f1, v4, d(2024, 7, 31), {}),
        (f2, v5, d(2024, 6, 1), {}), (f2, v5, d(2024, 6, 1), {"cancelled": True}),
    ]:
        w.visit(card, venue, day, **extra)

    for code, year, persons in [("091", 2022, 40), ("091", 2024, 52), ("049", 2023, 20), ("092", 2025, 30),
                                ("853", 2023, 15), ("478", 2024, 10)]:
        w.low_income_figure(code, year, persons)

    w.question("mood", 1)
    w.question("loneliness", 2)
    w.question("old", 0, current=False)
    for card, issue, renewals in [
        (c1, 2, [(d(2024, 1, 20), 3), (d(2024, 1, 25), 4)]), (c2, 3, [(d(2024, 9, 1), 4)]),
        (c3, 1, [(d(2025, 3, 20), 2)]), (c5, 4, [(d(2025, 1, 20), 3)]), (c7, 2, [(d(2025, 6, 1), 5)]),
        (e1, 1, [(d(2023, 4, 1), 5)]),
    ]:
        w.answer_at_issue(card, "mood", issue)
        for day, value in renewals:
            w.renewal(card, day, {"mood": value, "loneliness": value})
    for card in (c1, c2, c3, c8):
        w.answer_at_issue(card, "loneliness", 3)
    w.answer_at_issue(f1, "mood", 5)
    w.answer_at_issue(f2, "old", 1)

    cast = Cast(w)
    cast.add_user("turku_distributor", Role.DISTRIBUTOR, organisation=d3)
    cast.add_user("aland_venue", Role.VENUE, organisation=v5)
    cast.add_user("lappi_coordinator", Role.AREA_COORDINATOR, area=area_e)
    cast.area_c, cast.area_e = area_c, area_e
    cast.d3, cast.v3, cast.v4, cast.v5, cast.v6 = d3, v3, v4, v5, v6
    cast.viewers = {
        # who → (the query parameters they send, the scope the oracle computes)
        "admin": ({}, ("network", None)),
        "admin/a": ({"area_id": area_a.pk}, ("area", area_a.pk)),
        "admin/b": ({"area_id": area_b.pk}, ("area", area_b.pk)),
        "admin/c": ({"area_id": area_c.pk}, ("area", area_c.pk)),
        "admin/e": ({"area_id": area_e.pk}, ("area", area_e.pk)),
        "coordinator": ({}, ("area", area_a.pk)),
        "coordinator/own": ({"area_id": area_a.pk}, ("area", area_a.pk)),
        "other_coordinator": ({}, ("area", area_b.pk)),
        "lappi_coordinator": ({}, ("area", area_e.pk)),
        "distributor": ({}, ("distributor", d1.pk)),
        "other_distributor": ({}, ("distributor", d2.pk)),
        "turku_distributor": ({}, ("distributor", d3.pk)),
        "venue": ({}, ("venue", v1.pk)),
        "other_venue": ({}, ("venue", v2.pk)),
        "aland_venue": ({}, ("venue", v5.pk)),
    }
    return cast
