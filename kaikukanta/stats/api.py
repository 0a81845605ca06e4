"""Statistics (API.md "Statistics"): counts as of a date, breakdowns of uses, the yearly table, wellbeing."""

import csv
import datetime
import io
from typing import Annotated, Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema

from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.spreadsheet import safe_cell

from . import selectors
from .services import scope_for

router = Router(tags=["statistics"])
MILESTONE_LIMIT = 1000

SCOPE_DOC = """
**Scope** (permission `view_stats`): the national admin sees the whole network, or one area with
`area_id`; an area coordinator sees its own area (`area_id` of another area: `403 forbidden`); a
distributor sees the cards it issued and the visits made with them; a venue sees the visits at it
(a distributor or venue giving `area_id`: `403 forbidden`). Figures that mean nothing in the
caller's scope are `null`. Cancelled visits count nowhere.

**Errors:** `401 unauthenticated`; `403 forbidden`; `400 invalid` (a malformed parameter, or an
`area_id` that names no area; `field` names the parameter).
"""

GroupBy = Literal["month", "year", "area", "municipality", "welfare_area", "venue", "sector",
                  "venue_category", "age_group", "card_type", "home_area", "children", "gender",
                  "home_municipality"]
# `from` is a Python keyword, so the parameters carry their names as aliases.
FROM_PARAMETER = Query(None, alias="from")
TO_PARAMETER = Query(None, alias="to")


class ErrorDetail(Schema):
    code: str
    message: str
    field: str | None = None


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut}


class SummaryOut(Schema):
    areas: int | None
    municipalities: int | None
    distributors: int | None
    venues: int | None
    cardholders: int | None
    cards_issued: int | None
    cards_activated: int | None
    visits: int
    uses: int
    child_uses: int
    low_income_coverage: float | None
    ticket_value_cents: int
    priced_uses: int
    value_known_share: float | None


class UsesRow(Schema):
    key: str
    visits: int | None
    uses: int | None
    child_uses: int | None
    suppressed: bool


class UsesTotal(Schema):
    visits: int
    uses: int
    child_uses: int


class UsesOut(Schema):
    rows: list[UsesRow]
    total: UsesTotal


class BySector(Schema):
    culture: int
    education: int
    science: int
    sport: int


class YearRow(Schema):
    year: int
    cards_registered: int | None
    cards_activated: int | None
    adult_uses: BySector
    child_uses: BySector
    community_uses: BySector
    uses: int
    municipalities: int | None
    ticket_value_cents: int
    priced_uses: int
    value_known_share: float | None


class YearlyOut(Schema):
    rows: list[YearRow]


class QuestionText(Schema):
    fi: str
    sv: str
    en: str


class WellbeingRow(Schema):
    key: str
    current: bool
    text: QuestionText
    respondents: int | None
    mean_at_issue: float | None
    mean_now: float | None
    change: float | None
    suppressed: bool


class WellbeingOut(Schema):
    results: list[WellbeingRow]


class BucketRow(Schema):
    bucket: str
    cards: int | None
    suppressed: bool


class ActivationOut(Schema):
    issued: int | None
    activated: int | None
    activation_share: float | None
    renewed: int | None
    renewal_share: float | None
    uses_per_card: list[BucketRow]


class TravelRow(Schema):
    home: str
    venue: str
    visits: int | None
    uses: int | None
    holders: int | None
    suppressed: bool


class TravelOut(Schema):
    rows: list[TravelRow]


class Milestone(Schema):
    kind: Literal["municipality", "uses", "cards"]
    number: int
    date: datetime.date


class MilestonesOut(Schema):
    results: list[Milestone]


@router.get("/stats/summary", response={200: SummaryOut, **ERRORS}, summary="Counts as of a date",
            description="""Counts as of `on` (default today, Europe/Helsinki).

- `areas`: areas `pilot` or `active` on `on`; `municipalities`: their municipalities on `on`.
- `distributors`, `venues`: organisations active on `on` (`active_from` ≤ `on` < `inactive_from`).
- `cardholders`: personal cards valid on `on` (issued, not past `valid_until`, not closed);
  `cards_issued`: personal cards issued on or before `on` (a replacement is a new card, a renewal is not);
  `cards_activated`: personal cards used at least once by `on`. In an area these are the cards its
  distributors issued.
- `visits`, `uses`, `child_uses`: visits dated up to `on`; `uses` = holder's or worker's own ticket +
  children + clients; `child_uses` = children who came with a personal cardholder. In an area these are
  the visits at its venues.
- `low_income_coverage`: `cardholders` / the low-income persons of the municipalities counted in
  `municipalities` (each municipality's newest figure of `on`'s year or earlier, else its newest), rounded
  to 4 decimals; `null` unless figures are loaded for all of them. `null` for a distributor or venue.
- `ticket_value_cents`: the value of the tickets of those visits at their regular prices, in cents (exact),
  each visit priced when it was recorded; `priced_uses`: the uses whose value is known (a visit without an
  offering price is counted apart, never guessed); `value_known_share` = `priced_uses` / `uses`, 4
  decimals, `null` without uses.
""" + SCOPE_DOC)
def summary(request, area_id: int | None = None, on: datetime.date | None = None):
    scope = scope_for(request.user, area_id)
    on = on or today()
    return selectors.summary(scope, on)


@router.get("/stats/uses", response={200: UsesOut, **ERRORS}, summary="Uses broken down by a key",
            openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
            description="""Visits, uses and child uses of visits dated `from`..`to` (both included, each
optional), one row per key of `group_by`, rows sorted by key, with their total.

Keys: `month` (default, `2024-01`), `year` (`2024`), `area` (the venue's area id), `municipality` (the
venue's municipality code), `welfare_area` (the venue municipality's welfare area, Finnish name; Åland
`none`), `venue` (id), `sector`, `venue_category`, `age_group` (`16-17`, `18-29`, `30-49`, `50-64`,
`65+`, age in the visit's year), `card_type`, `home_area` (the area of the holder's home municipality on
the visit's day, `none` if it belonged to none), `children` (children registered on the card: `0`, `1`,
`2`, `3`, `4+`), `gender` (`none` when not given), `home_municipality` (the holder's home municipality
code). Community cards have the key `community` in every breakdown by holder attributes.

Breakdowns by holder attributes (`age_group`, `home_area`, `children`, `gender`, `home_municipality`)
suppress any row counting 1–4 distinct cards: `"suppressed": true` and its numbers `null`. For a venue
(which reads no holder data on a card) they count only calendar months that ended at least 39 days ago
and lie wholly in the period; in each month a cell of 1–4 cards is left out with its key, the others'
numbers are randomly rounded to a multiple of 5, and the total is the sum of the rows shown (README
"Security and privacy").

`format=csv` returns `text/csv` with the header `key,visits,uses,child_uses` and the same rows
(suppressed numbers empty), without the total. An unknown `group_by` or `format`, or `to` before `from`:
`400 invalid`.
""" + SCOPE_DOC)
def uses(request, area_id: int | None = None,
         start: datetime.date | None = FROM_PARAMETER, end: datetime.date | None = TO_PARAMETER,
         group_by: GroupBy = "month", format: Literal["json", "csv"] = "json"):
    scope = scope_for(request.user, area_id)
    _check_period(start, end)
    result = selectors.uses(scope, group_by, start, end)
    if format == "csv":
        return _csv(result["rows"], f"uses-by-{group_by}")
    return result


def _check_period(start: datetime.date | None, end: datetime.date | None) -> None:
    if start is not None and end is not None and end < start:
        raise Refusal(Code.INVALID, field="to")


USES_FIELDS = ("key", "visits", "uses", "child_uses")


def _csv(rows: list[dict], name: str, fields: tuple[str, ...] = USES_FIELDS) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow(tuple("" if row[field] is None else safe_cell(row[field]) for field in fields))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@router.get("/stats/yearly", response={200: YearlyOut, **ERRORS}, summary="The yearly table",
            description="""One row a year, from the first year with cards or visits in scope to the current
year (Europe/Helsinki).

- `cards_registered`: personal cards issued that year (a replacement is a new card, a renewal is not).
- `cards_activated`: personal cards whose first use fell in that year.
- `adult_uses`: personal cardholders' own tickets; `child_uses`: their children's; `community_uses`:
  workers' and clients' tickets on community cards; each by the sector of the venue (culture, education,
  science, sport).
- `uses`: all tickets of the year (also at venues without a sector).
- `municipalities`: municipalities in the network (or the area) at the year's end, today for the
  current year; `null` for a distributor or venue, as are the card counts for a venue.
- `ticket_value_cents`, `priced_uses`, `value_known_share`: the value of the year's tickets, as in
  `/stats/summary`.
""" + SCOPE_DOC)
def yearly(request, area_id: int | None = None):
    scope = scope_for(request.user, area_id)
    return selectors.yearly(scope, today())


class ValueFigures(Schema):
    ticket_value_cents: int
    priced_uses: int
    uses: int
    value_known_share: float | None


class ValueRow(ValueFigures):
    key: str


class ValueOut(Schema):
    rows: list[ValueRow]
    total: ValueFigures


@router.get("/stats/value", response={200: ValueOut, **ERRORS}, summary="Value of tickets given",
            openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
            description="""The value of the tickets the venues gave, at their regular prices, of visits dated
`from`..`to` (both included, each optional), one row per key of `group_by`, rows sorted by key, with their
total: `ticket_value_cents` (exact, in cents), `uses`, `priced_uses` (the uses whose value is known) and
`value_known_share` = `priced_uses` / `uses` (4 decimals, `null` without uses).

A visit keeps the value it was recorded with: the offering's `adult_price_cents` × (1 + clients) +
`child_price_cents` × children at that moment. A visit without an offering, or whose offering lacks a price
it needs, has no value and is counted apart, never guessed.

Keys: `year` (default), `area`, `municipality`, `venue`, `sector`, as in `/stats/uses`. These groupings'
figures are exact for every caller, as the visit counts by venue, sector and period are; there is no value
by holder attributes. `format=csv` returns `text/csv` with the header
`key,ticket_value_cents,priced_uses,uses`. `to` before `from`: `400 invalid`.
""" + SCOPE_DOC)
def value(request, area_id: int | None = None,
          start: datetime.date | None = FROM_PARAMETER, end: datetime.date | None = TO_PARAMETER,
          group_by: Literal["year", "area", "municipality", "venue", "sector"] = "year",
          format: Literal["json", "csv"] = "json"):
    scope = scope_for(request.user, area_id)
    _check_period(start, end)
    result = selectors.ticket_value(scope, group_by, start, end)
    if format == "csv":
        return _csv(result["rows"], f"value-by-{group_by}", ("key", "ticket_value_cents", "priced_uses", "uses"))
    return result


@router.get("/stats/wellbeing", response={200: WellbeingOut, **ERRORS}, summary="Wellbeing change",
            description="""For each wellbeing question (current ones first): the holders (cards in scope)
who answered it both at issue and at a later renewal, the mean of their answers at issue
(`mean_at_issue`) and at their latest renewal (`mean_now`), and `change` = `mean_now` − `mean_at_issue`,
each rounded to 2 decimals. 1–4 respondents: `"suppressed": true` and the numbers `null`. A venue has no
cards in its scope, so its numbers are `null`.
""" + SCOPE_DOC)
def wellbeing(request, area_id: int | None = None):
    scope = scope_for(request.user, area_id)
    return {"results": selectors.wellbeing(scope)}


@router.get("/stats/activation", response={200: ActivationOut, **ERRORS}, summary="Activation and renewal",
            description="""Personal cards issued in scope with `issued_on` from `from` to `to` (both included,
each optional):

- `issued`; `activated`: those used at least once (to date); `renewed`: those renewed at least once;
  `activation_share` = `activated` / `issued` and `renewal_share` = `renewed` / `issued`, rounded to 4
  decimals (`null` when nothing was issued).
- `uses_per_card`: how many of those cards have had 0, 1, 2–4, 5–9, 10–19 or 20 or more uses to date
  (every ticket of the card: own, children's, clients'; cancelled visits count nowhere), always the six
  buckets in that order. A bucket of 1–4 cards is suppressed (`"suppressed": true`, `cards` `null`).

A venue has no cards in its scope: its numbers are `null` and `uses_per_card` is empty. `to` before
`from`: `400 invalid`.
""" + SCOPE_DOC)
def activation(request, area_id: int | None = None,
               start: datetime.date | None = FROM_PARAMETER, end: datetime.date | None = TO_PARAMETER):
    scope = scope_for(request.user, area_id)
    _check_period(start, end)
    return selectors.activation(scope, start, end)


@router.get("/stats/travel", response={200: TravelOut, **ERRORS}, summary="Where holders come from",
            description="""Visits dated `from`..`to` (both included, each optional) per pair of the holder's
home area (`home`: the area of the holder's home municipality on the visit's day, `none` if it belonged
to none, `community` for community cards) and the venue's area (`venue`), as area ids in strings, sorted
by `home` then `venue`: `visits`, `uses` and `holders` (distinct cards). A pair of 1–4 holders is
suppressed (`"suppressed": true`, numbers `null`). For a venue the rule of `/stats/uses` for holder
breakdowns applies (settled months, small pairs left out, base-5 random rounding; `holders` summed over
the months). `to` before `from`: `400 invalid`.
""" + SCOPE_DOC)
def travel(request, area_id: int | None = None,
           start: datetime.date | None = FROM_PARAMETER, end: datetime.date | None = TO_PARAMETER):
    scope = scope_for(request.user, area_id)
    _check_period(start, end)
    return selectors.travel(scope, start, end)


@router.get("/stats/milestones", response={200: MilestonesOut, **ERRORS}, summary="Milestones",
            description="""Milestones the network celebrates, ordered by date (then kind, then number):

- `municipality`: every municipality joining the network, numbered in the order of its first day in the
  network (a member of an area that is `pilot` or `active` that day; a municipality joining again
  later keeps its number); `date` is that first day.
- `uses`: every 10,000th use, on the day the running total of uses reached it.
- `cards`: every 5,000th personal card issued, on the day the running total reached it.

For an area: its municipalities, the uses at its venues and the cards its distributors issued; for a
distributor: the uses and cards of its cards; for a venue: the uses at it.

`latest=true`: only the latest milestone of each kind (the last of each kind in the full answer), in the
same order. For the network and an area its cost does not grow with the history: use it where only the
newest milestones matter. `limit` (1..1000): only the `limit` newest of the answer, still ordered by date.
""" + SCOPE_DOC)
def milestones(request, area_id: int | None = None, latest: bool = False,
               limit: Annotated[int, Field(ge=1, le=MILESTONE_LIMIT)] | None = None):
    scope = scope_for(request.user, area_id)
    found = selectors.latest_milestones(scope) if latest else selectors.milestones(scope)
    return {"results": found[-limit:] if limit else found}
