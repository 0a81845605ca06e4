"""What one card adds to the rollups (`contribution`), and the definitions the fold, the rebuild and the
readers share: the keys, grains and periods of the rows (`rollups` says what the rows mean).

`contribution_change` is the fold's usual case: a card whose facts did not change and whose visits did. The
whole contribution is a loop over every visit of the card, and a card in use for years has hundreds; its
change is the sums of the few visits added or cancelled, and whether the card is still counted in the few
holder rows those visits fall in.
"""

import calendar
import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection

from kaikukanta.cards.facts import NO_KEY, age_group
from kaikukanta.core import sql

from .models import CardFigures

PERSONAL, COMMUNITY = "personal", "community"
CHILDREN_KEYS = ("0", "1", "2", "3", "4+")
USE_BUCKETS = ((0, "0"), (1, "1"), (2, "2-4"), (5, "5-9"), (10, "10-19"), (20, "20+"))
BASE_DIM = "card_type"
HOLDER_DIMS = ("age_group", "children", "gender", "home_municipality", "home_area")
GRAINS = ("d", "m", "y")
VISIT_GRAINS = ("t", *GRAINS)
ALL_TIME = datetime.date(1, 1, 1)
# The owner of the whole network's rows (no area has id 0): the national counts without adding up areas.
NETWORK = 0
WITNESSES = 4
RENEWED, ISSUED, ENDED, ACTIVATED, BUCKET = "renewed", "issued", "ended", "activated", "bucket"
CARD_DIMS = (ISSUED, ENDED, ACTIVATED, RENEWED, BUCKET)

# ---- definitions shared by the fold, the rebuild and the readers -------------------------------------

def period_of(day: datetime.date, grain: str) -> datetime.date:
    if grain == "t":
        return ALL_TIME
    if grain == "d":
        return day
    if grain == "m":
        return day.replace(day=1)
    return day.replace(month=1, day=1)


def period_end(period: datetime.date, grain: str) -> datetime.date:
    if grain == "t":
        return datetime.date.max
    if grain == "d":
        return period
    if grain == "m":
        return period.replace(day=calendar.monthrange(period.year, period.month)[1])
    return period.replace(month=12, day=31)


def children_key(children: int) -> str:
    return CHILDREN_KEYS[min(children, len(CHILDREN_KEYS) - 1)]


def bucket_of(uses: int) -> str:
    label = USE_BUCKETS[0][1]
    for lowest, name in USE_BUCKETS:
        if uses >= lowest:
            label = name
    return label


class Memberships:
    """Which area each municipality belonged to, day by day (memberships of one municipality never
    overlap)."""

    def __init__(self, rows):
        self.rows = sorted(rows)
        self.by_code: dict[str, list] = defaultdict(list)
        for _, area_id, code, joined, left in self.rows:
            self.by_code[code].append((joined, left, area_id))

    @classmethod
    def load(cls) -> "Memberships":
        with connection.cursor() as cursor:
            cursor.execute("SELECT id, area_id, municipality_id, joined_on, left_on FROM network_membership")
            return cls([(pk, area, code, sql.as_date(joined), sql.as_date(left))
                        for pk, area, code, joined, left in cursor.fetchall()])

    def fingerprint(self) -> str:
        return json.dumps([[pk, area, code, str(joined), str(left)] for pk, area, code, joined, left in self.rows])

    def area_on(self, code: str | None, day: datetime.date) -> int | None:
        for joined, left, area_id in self.by_code.get(code, ()):
            if joined <= day and (left is None or left > day):
                return area_id
        return None


@dataclass(frozen=True)
class CardFacts:
    """What a card's figures depend on."""

    card_type: str
    area_id: int
    issued_on: datetime.date
    ends_on: datetime.date
    birth_year: int | None
    children: int
    gender: str
    home_municipality: str
    renewed: bool
    wellbeing: tuple = ()  # ((question key, answer at issue, answer at the latest renewal), ...)

    @classmethod
    def of_figures(cls, figures: CardFigures) -> "CardFacts":
        pairs = []
        for item in filter(None, figures.wellbeing.split(";")):
            key, values = item.split("=")
            then, now = values.split(":")
            pairs.append((key, int(then), int(now)))
        return cls(figures.card_type, figures.area_id, figures.issued_on, figures.ends_on, figures.birth_year,
                   figures.children, figures.gender, figures.home_municipality, figures.renewed, tuple(pairs))

    def figures(self, card_id: int, visits: list["VisitFacts"]) -> CardFigures:
        return CardFigures(card_id=card_id, card_type=self.card_type, area_id=self.area_id,
                           issued_on=self.issued_on, ends_on=self.ends_on, birth_year=self.birth_year,
                           children=self.children, gender=self.gender, home_municipality=self.home_municipality,
                           renewed=self.renewed, first_used_on=min((v.used_on for v in visits), default=None),
                           uses=sum(v.uses for v in visits),
                           wellbeing=";".join(f"{key}={then}:{now}" for key, then, now in self.wellbeing))

    def holder_keys(self, day: datetime.date, memberships: Memberships) -> tuple[str, ...]:
        """The keys of HOLDER_DIMS for a visit on `day`."""
        if self.card_type == COMMUNITY:
            return (COMMUNITY,) * len(HOLDER_DIMS)
        home_area = memberships.area_on(self.home_municipality, day)
        return (age_group(self.birth_year, day.year), children_key(self.children), self.gender or NO_KEY,
                self.home_municipality or NO_KEY, NO_KEY if home_area is None else str(home_area))


@dataclass(frozen=True)
class VisitFacts:
    id: int
    venue_id: int
    area_id: int
    used_on: datetime.date
    uses: int
    children: int
    cancelled: bool
    value_cents: int | None = None   # the value of its tickets as recorded; None: not known


@dataclass
class Contribution:
    """What one card adds to the rollups."""

    # row key → visits, uses, child uses, value (cents), priced uses
    sums: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0, 0, 0, 0]))
    present: set = field(default_factory=set)     # holder rows counting the card among their distinct cards
    cards: dict = field(default_factory=lambda: defaultdict(int))                # card rows → cards
    wellbeing: dict = field(default_factory=dict)  # (area, question) → (at issue, now)


def contribution(card: CardFacts | None, visits: list[VisitFacts], memberships: Memberships) -> Contribution:
    result = Contribution()
    if card is None:
        return result
    _add_visits(result, card, visits, memberships)
    _add_card(result, card, visits)
    return result


def contribution_change(card: CardFacts, then: list[VisitFacts], now: list[VisitFacts],
                        memberships: Memberships) -> tuple[Contribution, Contribution]:
    """Parts of `contribution(card, then)` and `contribution(card, now)` that differ by what the whole ones
    differ by, for a card whose facts are the same in both: a visit in both adds the same to each, so the
    sums are those of the visits in only one of them; the holder rows where the card may have started or
    stopped counting are those such a visit falls in; the card rows and wellbeing are taken whole."""
    then_ids = {visit.id for visit in then}
    now_ids = {visit.id for visit in now}
    before, after = Contribution(), Contribution()
    _add_visits(before, card, [visit for visit in then if visit.id not in now_ids], memberships)
    _add_visits(after, card, [visit for visit in now if visit.id not in then_ids], memberships)
    touched = before.present | after.present
    before.present = _present_in(touched, card, then, memberships)
    after.present = _present_in(touched, card, now, memberships)
    _add_card(before, card, then)
    _add_card(after, card, now)
    return before, after


def _add_visits(result: Contribution, card: CardFacts, visits: list[VisitFacts], memberships: Memberships) -> None:
    personal = card.card_type == PERSONAL
    for visit in visits:
        measures = (1, visit.uses, visit.children if personal else 0)
        priced = visit.value_cents is not None
        valued = (*measures, visit.value_cents or 0, visit.uses if priced else 0)
        keys = card.holder_keys(visit.used_on, memberships)
        for grain in VISIT_GRAINS:
            period = period_of(visit.used_on, grain)
            rows = [("v", visit.venue_id, BASE_DIM, grain, period, card.card_type),
                    ("a", visit.area_id, BASE_DIM, grain, period, card.card_type),
                    ("a", NETWORK, BASE_DIM, grain, period, card.card_type)]
            holder_rows = [("a", visit.area_id, dim, grain, period, key) for dim, key in zip(HOLDER_DIMS, keys,
                                                                                             strict=True)]
            result.present.update(holder_rows)
            # The value only on the card-type rows: the holder rows offer no value figures.
            for row, amounts in [(row, valued) for row in rows] + [(row, measures) for row in holder_rows]:
                sums = result.sums[row]
                for position, amount in enumerate(amounts):
                    sums[position] += amount


def _present_in(rows: set, card: CardFacts, visits: list[VisitFacts], memberships: Memberships) -> set:
    """Which of the holder `rows` count the card, given its `visits`: a row counts it once one visit falls
    in it, so the search stops for a row, and for all of them, as soon as that is known."""
    missing = defaultdict(set)  # (area, grain, period) → the rows there not yet known to count the card
    for row in rows:
        missing[(row[1], row[3], row[4])].add(row)
    areas = {area for area, _, _ in missing}
    present = set()
    for visit in visits:
        if not missing:
            break
        if visit.area_id not in areas:
            continue
        keys = None
        for grain in VISIT_GRAINS:
            cell = (visit.area_id, grain, period_of(visit.used_on, grain))
            wanted = missing.get(cell)
            if wanted is None:
                continue
            keys = keys or card.holder_keys(visit.used_on, memberships)
            for dim, key in zip(HOLDER_DIMS, keys, strict=True):
                row = ("a", visit.area_id, dim, grain, cell[2], key)
                if row in wanted:
                    wanted.discard(row)
                    present.add(row)
            if not wanted:
                del missing[cell]
    return present


def _add_card(result: Contribution, card: CardFacts, visits: list[VisitFacts]) -> None:
    first_use = min((visit.used_on for visit in visits), default=None)
    for row in card_rows(card, first_use, sum(visit.uses for visit in visits)):
        result.cards[row] += 1
    for key, then, now in card.wellbeing:
        result.wellbeing[(card.area_id, key)] = (then, now)


def card_rows(card: CardFacts, first_use: datetime.date | None, uses: int) -> list[tuple]:
    """The card rows (family `c`, at the day grain) counting this card once each."""
    area = card.area_id
    rows = [("c", area, ISSUED, "d", card.issued_on, card.card_type)]
    if card.card_type == PERSONAL:
        rows.append(("c", area, ENDED, "d", card.ends_on, ""))
        if first_use is not None:
            rows.append(("c", area, ACTIVATED, "d", first_use, ""))
        if card.renewed:
            rows.append(("c", area, RENEWED, "d", card.issued_on, ""))
        rows.append(("c", area, BUCKET, "d", card.issued_on, bucket_of(uses)))
    return [(family, owner, dim, grain, period_of(day, grain), key)
            for family, area_owner, dim, _, day, key in rows for owner in (area_owner, NETWORK) for grain in GRAINS]


def wellbeing_pairs(answers) -> tuple:
    """(key, at issue, at the latest renewal) for the questions answered both at issue and at a renewal;
    `answers` are (question key, value, event kind, event date, event id)."""
    at_issue, latest = {}, {}
    for key, value, kind, *_ in sorted(answers, key=lambda a: (a[3], a[4])):
        if kind == ISSUED:
            at_issue.setdefault(key, value)
        elif kind == RENEWED:
            latest[key] = value
    return tuple((key, at_issue[key], latest[key]) for key in sorted(at_issue) if key in latest)
