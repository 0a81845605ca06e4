"""Open data files: the datasets of `selectors.open_data` as CSV and JSON at stable addresses, with their
licence (CC BY 4.0). Only presentation and caching happen here: every figure comes from the selector, which
applies the disclosure control of the strictest scope.

The figures change only when a calendar month settles, history is imported or a site moves, so one
computation is kept in the shared cache for a day at most, keyed by the last settled day, the network's
rollups of the settled months (what an import folds changes them, a visit of today does not) and the
dashboard cache's inputs generation (sites, municipalities)."""

import csv
import datetime
import io
import json

from django.core.cache import cache
from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from kaikukanta.core.spreadsheet import safe_cell
from kaikukanta.network.models import SECTORS
from kaikukanta.reference.models import Municipality

from . import dashboard_cache, disclosure, rollups
from .models import Rollup
from .selectors.open_data import USE_GROUPS, open_data

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
ATTRIBUTION = "Kaikukanta"
CACHE_SECONDS = 24 * 60 * 60
HTTP_MAX_AGE = 60 * 60
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
_BY_SECTOR = tuple(f"{group}_{sector}" for group in USE_GROUPS for sector in SECTORS)
DATASETS = {
    "yearly": {"title": _("Cards and uses by year, whole network"),
               "fields": ("year", "cards_registered", "cards_activated", *_BY_SECTOR, "uses", "municipalities")},
    "yearly-by-municipality": {
        "title": _("Cards and uses by year and municipality"),
        "fields": ("year", "municipality", "municipality_name_fi", "municipality_name_sv", "cards_registered",
                   "cards_activated", *_BY_SECTOR, "uses")},
    "uses-by-sector": {"title": _("Uses by year and sector, whole network"),
                       "fields": ("year", "sector", *USE_GROUPS, "uses")},
}


def _fingerprint(settled: datetime.date) -> tuple:
    """What the settled months hold in the network's own rollup rows (visits, uses, cards by month): one
    indexed aggregate. Read as folded: imports fold their rows before they end, and the desk and a venue
    cannot reach a settled month any more."""
    sums = Rollup.objects.filter(family__in=("a", "c"), owner=rollups.NETWORK, grain="m",
                                 period__lte=settled).aggregate(
        rows=Count("id"), visits=Sum("visits"), uses=Sum("uses"), child_uses=Sum("child_uses"), cards=Sum("cards"))
    return tuple(sums[name] for name in ("rows", "visits", "uses", "child_uses", "cards"))


def _figures(today: datetime.date) -> dict:
    settled = disclosure.settled_through(today)
    fingerprint = (settled.isoformat(), *_fingerprint(settled), dashboard_cache.inputs_generation())
    return cache.get_or_set("open-data:" + "-".join(map(str, fingerprint)), lambda: open_data(today), CACHE_SECONDS)


def _flat(row: dict) -> dict:
    flat = {name: value for name, value in row.items() if name not in USE_GROUPS}
    for group in USE_GROUPS:
        for sector in SECTORS:
            flat[f"{group}_{sector}"] = row[group][sector]
    return flat


def rows(dataset: str, today: datetime.date) -> tuple[list[dict], datetime.date]:
    """The dataset's rows (dicts of its fields) and the last day its figures count."""
    figures = _figures(today)
    if dataset == "yearly":
        found = [{"year": year, **_flat(row)} for year, row in figures["network"].items()]
    elif dataset == "uses-by-sector":
        found = [{"year": year, "sector": sector, **row} for (year, sector), row in figures["sectors"].items()]
    else:
        names = {code: (fi, sv) for code, fi, sv in Municipality.objects.values_list("code", "name_fi", "name_sv")}
        found = [{"year": year, "municipality": code, "municipality_name_fi": names.get(code, ("", ""))[0],
                  "municipality_name_sv": names.get(code, ("", ""))[1], **_flat(row)}
                 for (year, code), row in figures["municipalities"].items()]
    return found, figures["settled_through"]


def licence_line(settled: datetime.date) -> str:
    return (f"Licence: {LICENCE} {LICENCE_URL} - {ATTRIBUTION}. Figures of calendar months up to "
            f"{settled.isoformat()}; groups of fewer than five cardholders in a month left out, the others "
            f"randomly rounded to multiples of five.")


def as_json(dataset: str, today: datetime.date) -> str:
    found, settled = rows(dataset, today)
    return json.dumps({"dataset": dataset, "licence": LICENCE, "licence_url": LICENCE_URL,
                       "attribution": ATTRIBUTION, "settled_through": settled.isoformat(),
                       "note": licence_line(settled), "fields": list(DATASETS[dataset]["fields"]), "rows": found},
                      ensure_ascii=False)


def as_csv(dataset: str, today: datetime.date) -> str:
    found, settled = rows(dataset, today)
    buffer = io.StringIO()
    buffer.write(f"# {licence_line(settled)}\n")
    fields = DATASETS[dataset]["fields"]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in found:
        writer.writerow([safe_cell(row[field]) for field in fields])
    return buffer.getvalue()


WRITERS = {"csv": as_csv, "json": as_json}
