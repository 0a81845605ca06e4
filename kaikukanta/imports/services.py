"""Bulk import of cards and visits from spreadsheets and earlier registers: all rows or none.

Every row is judged by the rule functions the API uses (cards.rules, visits.rules), so a row is
refused with the code the API would give for the same card or visit. Because the rows are history:
- a card's eligibility and validity are judged at its `issued_on` (age in that year, validity at most
  the national maximum from that day), and its number need not come from a batch: it joins the
  issuer's stock, unless another distributor holds it (`number_not_in_stock`);
- a visit's card rules are judged at its `used_on`; the 31-days-back limit does not apply (a future
  date is still `date_out_of_range`), and offering quotas are not applied to history.
A card with status `closed` is closed (reason `other`) on the earlier of its `valid_until` and today.

The file is streamed in chunks of CHUNK_SIZE rows: one query fetches what a chunk refers to, the
rules run per row, and the chunk is written at once (COPY on PostgreSQL) inside one transaction for
the whole file. After the first bad row nothing more is written, but every row is still judged so
that all bad rows are reported; at the end the transaction is rolled back if any row was bad.
"""

import bisect
import datetime
import logging
import operator
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import DataError, IntegrityError, transaction
from django.utils import timezone

from kaikukanta.accounts.caller import Caller, Channel
from kaikukanta.cards import rules as card_rules
from kaikukanta.cards import selectors as card_selectors
from kaikukanta.cards.models import GENDERS, Card, CardEvent, CardEventKind, CardType, StockNumber
from kaikukanta.core import audit, sql
from kaikukanta.core.bounds import check_date
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network import rules as network_rules
from kaikukanta.network import selectors as network
from kaikukanta.network.models import (
    AreaStatusPeriod,
    Membership,
    Offering,
    Organisation,
    OrganisationKind,
)
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.reference.models import PostalCode
from kaikukanta.stats import rollups
from kaikukanta.stats.bulk_cards import FIGURES_FIELDS, NewCards
from kaikukanta.stats.models import CardFigures, PendingChange
from kaikukanta.visits import rules as visit_rules
from kaikukanta.visits.models import Visit

from .bulk import TableWriter, peak_rss_mb, reserve_ids
from .source import CsvSource, FileRefused, RowError

logger = logging.getLogger(__name__)

CHUNK_SIZE = 5000
KEPT_ERRORS = 1000
CARD_COLUMNS = ("number", "card_type", "issuer_id", "issued_on", "valid_until", "birth_year", "postal_code",
                "children", "gender", "status")
# Optional: each child's birth year, separated by spaces (or commas, semicolons); without the column a card
# keeps its count with unknown years, as cards issued before the rules aged children.
CARD_OPTIONAL_COLUMNS = ("children_birth_years",)
HOLDER_COLUMNS = ("birth_year", "postal_code", "children", "gender", "children_birth_years")
# A row's holder texts as one tuple (a generator over the columns cost about 3 µs a row).
_holder_texts = operator.itemgetter(*HOLDER_COLUMNS)
VISIT_COLUMNS = ("card_number", "venue_id", "offering_id", "used_on", "children", "clients", "assistants")
CARD_STATUSES = ("active", "closed")
CARD_TYPES = tuple(CardType.values)
IMPORTED_CLOSE_REASON = "other"

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_INTEGER = re.compile(r"-?\d{1,9}")


@dataclass
class ImportResult:
    rows: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)  # the first KEPT_ERRORS; all go to on_error
    written: bool = False
    seconds: float = 0.0
    peak_rss_mb: float = 0.0
    sha256: str = ""

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds else 0.0


ProgressCallback = Callable[[int, float | None], None]
ErrorCallback = Callable[[RowError], None]


def _integer(text: str, column: str, *, required: bool = True) -> int | None:
    if not text and not required:
        return None
    if not _INTEGER.fullmatch(text):
        raise Refusal(Code.INVALID, field=column)
    return int(text)


def _date(text: str, column: str) -> datetime.date:
    if not _DATE.fullmatch(text):
        raise Refusal(Code.INVALID, field=column)
    try:
        day = datetime.date.fromisoformat(text)
    except ValueError:
        raise Refusal(Code.INVALID, field=column) from None
    return check_date(day, column)


def _birth_years(text: str, children: int, issued_on: datetime.date) -> tuple[int, ...] | None:
    """The children's birth years of a card row, each refusal with a reason (reasons.py translates them); the
    area's age limit on the day of issue is the card rules' (check_children)."""
    column = "children_birth_years"
    try:
        years = card_rules.parse_children_birth_years(text, field=column)
    except Refusal:
        raise Refusal(Code.INVALID, field=column, detail="birth years: four digits each") from None
    if years is None:
        return None
    if len(years) != children:
        raise Refusal(Code.INVALID, field=column, detail=f"{len(years)} birth years for {children} children")
    if not all(card_rules.BIRTH_YEAR_MIN <= year <= issued_on.year for year in years):
        raise Refusal(Code.INVALID, field=column, detail="a birth year before 1900 or after the year of issue")
    return years


def _sites(kind: str) -> dict[int, tuple[bool, datetime.date | None]]:
    """The sites of a kind, each with what tells on which days it was in the network."""
    return {pk: (active, inactive_from) for pk, active, inactive_from in
            Organisation.objects.filter(kind=kind).values_list("id", "active", "inactive_from")}


def _areas_of_sites() -> dict[int, int]:
    return dict(Organisation.objects.values_list("id", "area_id"))


def _column_of(refusal: Refusal) -> str | None:
    """The CSV column a rule's field names: the API's `holder.postal_code` is the file's `postal_code`."""
    return refusal.field.removeprefix("holder.") if refusal.field else None


class _Run:
    """One import: reads the file in chunks, reports bad rows, writes good chunks until the first bad row."""

    def __init__(self, path, columns, progress: ProgressCallback | None, on_error: ErrorCallback | None,
                 caller: Caller | None = None, *, source=CsvSource, dry_run: bool = False,
                 may_touch: Callable[[int], bool] | None = None, optional_columns: tuple[str, ...] = ()):
        # The operator running the command: policy allows the server's own operator everything, and there
        # is no address to count card-number guesses by (accounts.caller).
        self.caller = caller or Caller.for_console(channel=Channel.IMPORT)
        self.source = source(Path(path), columns, optional_columns)
        # A dry run judges every row and writes none; `may_touch(site id)` is the policy's word on each
        # row's site (imports.jobs: the browser's imports), None for the server's operator.
        self.dry_run = dry_run
        self.may_touch = may_touch
        self.progress = progress
        self.on_error = on_error
        self.result = ImportResult()
        self.chunk_errors: list[RowError] = []
        self.started = time.monotonic()

    def refuse(self, line: int, refusal: Refusal) -> None:
        self.chunk_errors.append(RowError(line, refusal.code, _column_of(refusal), refusal.detail))

    def report(self, error: RowError) -> None:
        self.result.error_count += 1
        if len(self.result.errors) < KEPT_ERRORS:
            self.result.errors.append(error)
        if self.on_error:
            self.on_error(error)

    @property
    def writing(self) -> bool:
        return self.result.error_count == 0 and not self.dry_run

    def check_site(self, site_id: int, column: str) -> None:
        if self.may_touch is not None and not self.may_touch(site_id):
            raise Refusal(Code.FORBIDDEN, field=column)

    def chunks(self) -> Iterator[list[tuple[int, dict[str, str] | RowError]]]:
        chunk = []
        for line, row in self.source.rows():
            self.result.rows += 1
            chunk.append((line, row))
            if len(chunk) == CHUNK_SIZE:
                yield chunk
                chunk = []
                if self.progress:
                    self.progress(self.result.rows, self.source.fraction)
        if chunk:
            yield chunk

    def run(self, importer: "_CardImport | _VisitImport", action: str, object_type: str) -> ImportResult:
        try:
            with transaction.atomic():
                for chunk in self.chunks():
                    self.chunk_errors = [row for _, row in chunk if isinstance(row, RowError)]
                    batch = importer.judge([item for item in chunk if not isinstance(item[1], RowError)])
                    for error in sorted(self.chunk_errors, key=lambda error: error.line):
                        self.report(error)
                    if self.writing:
                        importer.write(batch)
                if self.writing:
                    importer.finish()
                    audit.record(self.caller.user, action, object_type=object_type, rows=self.result.rows,
                                 sha256=self.source.digest.hexdigest())
                    self.result.written = True
                else:
                    transaction.set_rollback(True)
        except FileRefused as refused:
            self.report(refused.error)
        except (IntegrityError, DataError) as error:
            # Every rule and bound is checked before the database, so this would be a gap in them. The
            # database's own message quotes the whole row (holder data beside a card number): not repeated.
            logger.error("import refused by the database (%s); nothing written", type(error).__name__)
            self.report(RowError(self.result.rows + 1, Code.INVALID, detail="the database refused a row"))
        if self.result.written:
            # Imported visits were written down as pending changes (new cards are counted as they are written:
            # _CardImport.finish); folding them now makes the import, not the next reader of the statistics,
            # wait for it.
            rollups.fold()
        self.result.sha256 = self.source.digest.hexdigest()
        self.result.seconds = time.monotonic() - self.started
        self.result.peak_rss_mb = peak_rss_mb()
        return self.result


@dataclass(frozen=True)
class _CardRow:
    line: int
    number: str
    card_type: str
    issuer_id: int
    issued_on: datetime.date
    valid_until: datetime.date
    holder: card_rules.Holder | None
    closed: bool


class _CardImport:
    CARD_FIELDS = ("id", "number", "card_type", "issuer", "issued_on", "valid_until", "closed_on",
                   "close_reason", "birth_year", "postal_code", "home_municipality", "children",
                   "children_birth_years", "gender", "life_situation", "created_at")
    EVENT_FIELDS = ("card", "event", "date", "valid_until", "reason", "other_number", "created_at")

    def __init__(self, run: _Run):
        self.run = run
        self.today = today()
        # History is judged by the rules in force on each card's day of issue in its issuer's area.
        self.area_of = _areas_of_sites()
        self.distributors = _sites(OrganisationKind.DISTRIBUTOR)
        self.municipality_of = dict(PostalCode.objects.values_list("code", "municipality_id"))
        # The network changes only on the days an area's status or a membership changes: between two
        # such days its municipalities are the same, so they are read once per stretch, not once per day.
        self.network_changes = sorted(
            set(AreaStatusPeriod.objects.values_list("effective_from", flat=True))
            | set(Membership.objects.values_list("joined_on", flat=True))
            | set(Membership.objects.filter(left_on__isnull=False).values_list("left_on", flat=True)))
        self.network_since: dict[datetime.date, set[str]] = {}
        # Numbers of this file not yet in the database: written chunks are found by the query instead.
        self.unwritten_numbers: set[int] = set()
        self.cards = TableWriter(Card, self.CARD_FIELDS)
        self.events = TableWriter(CardEvent, self.EVENT_FIELDS)
        self.stock = TableWriter(StockNumber, ("number", "distributor", "batch"))
        # New cards have no visits yet: their statistics are counts added at the end, not a fold per card.
        self.statistics = NewCards()
        self.figures = TableWriter(CardFigures, FIGURES_FIELDS)

    def municipality_in_network(self, code: str, day: datetime.date) -> bool:
        position = bisect.bisect_right(self.network_changes, day)
        if position == 0:
            return False
        since = self.network_changes[position - 1]
        if since not in self.network_since:
            self.network_since[since] = network.network_municipalities_on(since)
        return code in self.network_since[since]

    def parse(self, line: int, row: dict[str, str]) -> _CardRow:
        number = card_rules.normalise_card_number(row["number"])
        card_type = row["card_type"]
        if card_type not in CARD_TYPES:
            raise Refusal(Code.INVALID, field="card_type")
        issuer_id = _integer(row["issuer_id"], "issuer_id")
        if issuer_id not in self.distributors:
            raise Refusal(Code.INVALID, field="issuer_id")
        self.run.check_site(issuer_id, "issuer_id")
        issued_on = _date(row["issued_on"], "issued_on")
        card_rules.check_issued_on(issued_on, self.today)
        if not network_rules.site_active_on(*self.distributors[issuer_id], issued_on):
            raise Refusal(Code.INVALID, field="issuer_id")
        valid_until = _date(row["valid_until"], "valid_until")
        holder = None
        if any(_holder_texts(row)):
            if row["gender"] and row["gender"] not in GENDERS:
                raise Refusal(Code.INVALID, field="gender")
            if not row["postal_code"]:
                raise Refusal(Code.INVALID, field="postal_code")
            children = _integer(row["children"], "children")
            holder = card_rules.Holder(birth_year=_integer(row["birth_year"], "birth_year"),
                                       postal_code=row["postal_code"], children=children, gender=row["gender"],
                                       children_birth_years=_birth_years(row["children_birth_years"], children,
                                                                         issued_on))
        if row["status"] not in CARD_STATUSES:
            raise Refusal(Code.INVALID, field="status")
        closed = row["status"] == "closed"
        return _CardRow(line, number, card_type, issuer_id, issued_on, valid_until, holder, closed)

    def judge(self, chunk: list[tuple[int, dict[str, str]]]) -> tuple[list, dict[str, int]]:
        parsed: list[_CardRow] = []
        for line, row in chunk:
            try:
                parsed.append(self.parse(line, row))
            except Refusal as refusal:
                self.run.refuse(line, refusal)
        taken, stock_owner = card_selectors.numbers_known([card.number for card in parsed])
        good: list[tuple[_CardRow, str | None]] = []
        # A file with the birth-year column is judged as a card issued that day: where the area's rules then
        # aged children, a card with children needs their years. Without it, by the count (cards.rules).
        history = "children_birth_years" not in self.run.source.header
        for card in parsed:
            try:
                owner = stock_owner.get(card.number)
                card_rules.check_number_free(
                    taken=card.number in taken or int(card.number) in self.unwritten_numbers,
                    in_stock=owner is None or owner == card.issuer_id)
                home = card_rules.check_new_card(
                    card_type=card.card_type, holder=card.holder, valid_until=card.valid_until,
                    day=card.issued_on, rules=rules_in_force(self.area_of[card.issuer_id], card.issued_on),
                    history=history,
                    municipality_of_postal_code=self.municipality_of.get,
                    municipality_in_network=self.municipality_in_network)
                good.append((card, home))
            except Refusal as refusal:
                self.run.refuse(card.line, refusal)
            finally:
                self.unwritten_numbers.add(int(card.number))
        return good, stock_owner

    def write(self, batch: tuple[list[tuple["_CardRow", str | None]], dict[str, int]]) -> None:
        good, stock_owner = batch
        now = timezone.now()
        ids = reserve_ids(Card, len(good))
        card_rows, event_rows, stock_rows, figure_rows = [], [], [], []
        for card_id, (card, home) in zip(ids, good, strict=True):
            holder = card.holder
            closed_on = min(card.valid_until, self.today) if card.closed else None
            card_rows.append((
                card_id, card.number, card.card_type, card.issuer_id, card.issued_on, card.valid_until,
                closed_on, IMPORTED_CLOSE_REASON if card.closed else "",
                holder.birth_year if holder else None, holder.postal_code if holder else None, home,
                holder.children if holder else 0,
                list(holder.children_birth_years) if holder and holder.children_birth_years is not None else None,
                holder.gender if holder else "", "", now))
            event_rows.append((card_id, CardEventKind.ISSUED.value, card.issued_on, card.valid_until, "", "",
                               now))
            if card.closed:
                event_rows.append((card_id, CardEventKind.CLOSED.value, closed_on, None,
                                   IMPORTED_CLOSE_REASON, "", now))
            if card.number not in stock_owner:
                stock_rows.append((card.number, card.issuer_id, None))
            figure_rows.append(self.statistics.figures(
                card_id, card_type=card.card_type, area_id=self.area_of[card.issuer_id], issued_on=card.issued_on,
                valid_until=card.valid_until, closed_on=closed_on, birth_year=holder.birth_year if holder else None,
                children=holder.children if holder else 0, gender=holder.gender if holder else "",
                home_municipality=home))
        self.stock.write(stock_rows)
        self.cards.write(card_rows)
        self.events.write(event_rows)
        self.figures.write(figure_rows)
        self.unwritten_numbers.difference_update(int(card.number) for card, _ in good)

    def finish(self) -> None:
        self.statistics.apply()


def import_cards(path, *, progress: ProgressCallback | None = None, on_error: ErrorCallback | None = None,
                 caller: Caller | None = None, **options) -> ImportResult:
    """Import a cards CSV (CARD_COLUMNS, and CARD_OPTIONAL_COLUMNS if given). Nothing is written unless every
    row is good. `options`: _Run's."""
    run = _Run(path, CARD_COLUMNS, progress, on_error, caller, optional_columns=CARD_OPTIONAL_COLUMNS, **options)
    return run.run(_CardImport(run), "import_cards", "card")


@dataclass(frozen=True)
class _VisitRow:
    line: int
    card_number: str
    venue_id: int
    offering_id: int | None
    used_on: datetime.date
    children: int
    clients: int
    assistants: int


class _VisitImport:
    VISIT_FIELDS = ("id", "card", "venue", "offering", "used_on", "children", "clients", "assistants", "uses",
                    "ticket_value_cents", "recorded_at")

    def __init__(self, run: _Run):
        self.run = run
        self.today = today()
        self.venues = _sites(OrganisationKind.VENUE)
        # Each visit is judged by the rules in force on its day in the venue's area.
        self.area_of = _areas_of_sites()
        # id: (venue id, kind, adult price, child price)
        self.offerings: dict[int, tuple[int, str, int | None, int | None]] = {}
        self.visits = TableWriter(Visit, self.VISIT_FIELDS)
        self.pending = TableWriter(PendingChange, ("card_id", "visit_id", "sign"))

    def load_offerings(self, ids: set[int]) -> None:
        missing = ids - self.offerings.keys()
        if missing:
            found = Offering.objects.filter(pk__in=missing).values_list("id", "venue_id", "kind", "adult_price_cents",
                                                                        "child_price_cents")
            self.offerings.update((pk, tuple(facts)) for pk, *facts in found)

    def parse(self, line: int, row: dict[str, str]) -> _VisitRow:
        card_number = card_rules.normalise_card_number(row["card_number"], field="card_number")
        venue_id = _integer(row["venue_id"], "venue_id")
        if venue_id not in self.venues:
            raise Refusal(Code.INVALID, field="venue_id")
        self.run.check_site(venue_id, "venue_id")
        offering_id = _integer(row["offering_id"], "offering_id", required=False)
        visit_rules.check_offering_id(offering_id)
        used_on = _date(row["used_on"], "used_on")
        visit_rules.check_imported_used_on(used_on, self.today)
        if not network_rules.site_active_on(*self.venues[venue_id], used_on):
            raise Refusal(Code.INVALID, field="venue_id")
        counts = {column: _integer(row[column], column, required=False) or 0
                  for column in ("children", "clients", "assistants")}
        return _VisitRow(line, card_number, venue_id, offering_id, used_on, **counts)

    def judge(self, chunk: list[tuple[int, dict[str, str]]]) -> list[tuple]:
        parsed: list[_VisitRow] = []
        for line, row in chunk:
            try:
                parsed.append(self.parse(line, row))
            except Refusal as refusal:
                self.run.refuse(line, refusal)
        self.load_offerings({visit.offering_id for visit in parsed if visit.offering_id is not None})
        found = Card.objects.filter(number__in={visit.card_number for visit in parsed}).values_list(
            "number", "id", "card_type", "issued_on", "valid_until", "closed_on", "children",
            "children_birth_years", "issuer__area_id")
        cards = {number: (card_id, visit_rules.CardFacts(*facts, children_birth_years=sql.as_int_tuple(years),
                                                         area_id=area_id))
                 for number, card_id, *facts, years, area_id in found}
        now = timezone.now()
        rows = []
        for visit in parsed:
            try:
                rows.append(self.judge_visit(visit, cards, now))
            except Refusal as refusal:
                self.run.refuse(visit.line, refusal)
        return rows

    def finish(self) -> None:
        """The visits' statistics are pending changes, folded after the commit (_Run.run)."""

    def write(self, rows: list[tuple]) -> None:
        ids = reserve_ids(Visit, len(rows))
        self.visits.write((visit_id, *row) for visit_id, row in zip(ids, rows, strict=True))
        self.pending.write((row[0], visit_id, 1) for visit_id, row in zip(ids, rows, strict=True))

    def judge_visit(self, visit: _VisitRow, cards: dict, now: datetime.datetime) -> tuple:
        if visit.offering_id is not None and visit.offering_id not in self.offerings:
            raise Refusal(Code.INVALID, field="offering_id")
        venue_area_id = self.area_of[visit.venue_id]
        rules = rules_in_force(venue_area_id, visit.used_on)
        visit_rules.check_ranges(children=visit.children, clients=visit.clients, assistants=visit.assistants,
                                 rules=rules)
        if visit.card_number not in cards:
            raise Refusal(Code.CARD_NOT_FOUND, field="card_number")
        card_id, card = cards[visit.card_number]
        visit_rules.check_card_usable(card, visit.used_on)
        visit_rules.check_card_area(card, venue_area_id, rules)
        offering_venue_id, offering_kind, adult_price, child_price = self.offerings.get(
            visit.offering_id, (None, None, None, None))
        visit_rules.check_party(card, offering_kind, children=visit.children, clients=visit.clients,
                                used_on=visit.used_on, rules=rules)
        visit_rules.check_offering_at_venue(offering_venue_id, visit.venue_id)
        # The value as the desk records it: the offering's prices when the visit is written (here, the import).
        value = (visit_rules.ticket_value_cents(adult_price, child_price, children=visit.children,
                                                clients=visit.clients) if visit.offering_id is not None else None)
        return (card_id, visit.venue_id, visit.offering_id, visit.used_on, visit.children, visit.clients,
                visit.assistants, visit_rules.uses_of(visit.children, visit.clients), value, now)


def import_visits(path, *, progress: ProgressCallback | None = None, on_error: ErrorCallback | None = None,
                  caller: Caller | None = None, **options) -> ImportResult:
    """Import a visits CSV (VISIT_COLUMNS). Nothing is written unless every row is good. `options`: _Run's."""
    run = _Run(path, VISIT_COLUMNS, progress, on_error, caller, **options)
    return run.run(_VisitImport(run), "import_visits", "visit")
