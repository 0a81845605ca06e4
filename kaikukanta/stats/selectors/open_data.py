"""Open data: the yearly table of the network and of each municipality, and uses by sector, for anyone.

The public gets the strictest scope there is: the rule a venue's breakdowns by holder attributes follow
(`disclosure`), applied to every figure. Each figure is made of monthly cells (a municipality, a month and,
for uses, the venue's sector and the card's type): only calendar months that ended at least
`disclosure.SETTLING_DAYS` ago count, a cell of fewer than five distinct holders (cards) is left out
altogether, and every other cell's numbers are randomly rounded to a multiple of five, keyed by the server's
secret and the cell's exact contents. A municipality's year is the sum of its released cells, and the
network's year the sum of the municipalities', so no difference between two published figures isolates a
hidden cell. Uses count at the venue's municipality, cards at their issuing distributor's.
"""

import datetime
from collections import defaultdict

from django.db.models import Count, DateField, F, Min, OuterRef, Subquery, Sum
from django.db.models.functions import ExtractMonth, ExtractYear

from kaikukanta.cards.models import Card, CardType
from kaikukanta.core.clock import today as current_day
from kaikukanta.network.models import SECTORS
from kaikukanta.network.selectors import network_municipalities_on
from kaikukanta.visits.models import Visit

from .. import disclosure
from ..rollups import COMMUNITY
from .common import _year_end

USE_GROUPS = ("adult_uses", "child_uses", "community_uses")
OTHER_SECTOR = "none"


def _month(group: dict) -> str:
    return f"{group['year']:04d}-{group['month']:02d}"


def _use_cells(last: datetime.date) -> list[tuple]:
    grouped = (Visit.objects.filter(cancelled_at__isnull=True, used_on__lte=last).order_by()
               .values(year=ExtractYear("used_on"), month=ExtractMonth("used_on"),
                       municipality=F("venue__municipality_id"), sector=F("venue__sector"),
                       card_type=F("card__card_type"))
               .annotate(holders=Count("card_id", distinct=True), visits=Count("id"), children=Sum("children"),
                         uses=Sum("uses")))
    cells = []
    for group in grouped:
        sector = group["sector"] if group["sector"] in SECTORS else OTHER_SECTOR
        if group["card_type"] == COMMUNITY:
            figures = {"community_uses": group["uses"], "uses": group["uses"]}
        else:
            figures = {"adult_uses": group["visits"], "child_uses": group["children"], "uses": group["uses"]}
        cells.append(((group["year"], group["municipality"], sector, group["card_type"]), _month(group),
                      {"holders": group["holders"], **figures}))
    return cells


def _card_cells(last: datetime.date) -> list[tuple]:
    personal = Card.objects.filter(card_type=CardType.PERSONAL).order_by()
    registered = (personal.filter(issued_on__lte=last)
                  .values(year=ExtractYear("issued_on"), month=ExtractMonth("issued_on"),
                          municipality=F("issuer__municipality_id"))
                  .annotate(holders=Count("id")))
    first_use = (Visit.objects.filter(card=OuterRef("pk"), cancelled_at__isnull=True).order_by()
                 .values("card").annotate(first=Min("used_on")).values("first"))
    activated = (personal.annotate(first_use=Subquery(first_use, output_field=DateField()))
                 .filter(first_use__lte=last)
                 .values(year=ExtractYear("first_use"), month=ExtractMonth("first_use"),
                         municipality=F("issuer__municipality_id"))
                 .annotate(holders=Count("id")))
    cells = []
    for name, grouped in (("cards_registered", registered), ("cards_activated", activated)):
        cells += [((group["year"], group["municipality"], name), _month(group),
                   {"holders": group["holders"], name: group["holders"]}) for group in grouped]
    return cells


def _released(cells: list[tuple], context: str) -> dict:
    """Released figures per key; the counted names differ between kinds of cells, so each is released with
    its own names (a name a cell lacks would be a zero)."""
    by_names = defaultdict(list)
    for cell in cells:
        by_names[tuple(sorted(name for name in cell[2] if name != "holders"))].append(cell)
    shown = {}
    for names, group in by_names.items():
        shown.update(disclosure.released(group, names, ("open-data", context)))
    return shown


def _empty_row() -> dict:
    return {"cards_registered": 0, "cards_activated": 0, **{group: dict.fromkeys(SECTORS, 0) for group in USE_GROUPS},
            "uses": 0}


def open_data(today: datetime.date | None = None) -> dict:
    """`municipalities`: {(year, municipality code): row}; `network`: {year: row}; `sectors`:
    {(year, sector): {adult_uses, child_uses, community_uses, uses}}; `settled_through`: the last day counted.
    A row: cards registered and activated, adult, child and community uses by sector, and all uses."""
    today = today or current_day()
    last = disclosure.settled_through(today)
    municipalities = defaultdict(_empty_row)
    sectors = defaultdict(lambda: dict.fromkeys((*USE_GROUPS, "uses"), 0))
    for (year, code, sector, _card_type), figures in _released(_use_cells(last), "uses").items():
        row = municipalities[(year, code)]
        row["uses"] += figures["uses"]
        for group in USE_GROUPS:
            if group in figures:
                sectors[(year, sector)][group] += figures[group]
                if sector != OTHER_SECTOR:
                    row[group][sector] += figures[group]
        sectors[(year, sector)]["uses"] += figures["uses"]
    for (year, code, name), figures in _released(_card_cells(last), "cards").items():
        municipalities[(year, code)][name] += figures[name]
    network = {}
    for (year, _code), row in sorted(municipalities.items()):
        total = network.setdefault(year, {**_empty_row(), "municipalities": len(
            network_municipalities_on(min(_year_end(year, today), last)))})
        for name in ("cards_registered", "cards_activated", "uses"):
            total[name] += row[name]
        for group in USE_GROUPS:
            for sector in SECTORS:
                total[group][sector] += row[group][sector]
    return {"settled_through": last, "municipalities": dict(sorted(municipalities.items())),
            "network": dict(sorted(network.items())), "sectors": dict(sorted(sectors.items()))}
