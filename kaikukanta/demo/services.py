"""A realistic demo network, from a few thousand cards for `make run` to a million for benchmarks.

What it builds, deterministically for a given seed (and day):
- areas, one per welfare area picked, with real municipalities joining on various dates since 2015,
  each area a pilot first and active later; distributors of every category and venues of every
  category (so every sector) in the member municipalities, active from the day their municipality joined;
- offerings at every venue: running ones (some with a daily ticket quota, some courses) and dated
  events with quotas;
- card stock in batches, and cards issued from it in time order, more as the network grows: personal
  cards (holders 16..90, children mostly none, home in a member municipality of the issuer's area)
  and about 3% community cards; some renewed, some closed, some replaced (the new card carries the
  holder data and validity over, as the cards service does);
- visits month by month, more in autumn and spring than in July and more on Fridays to Sundays, each
  obeying the visit rules (card valid that day, children within the card's, none on courses or community
  cards, clients only on community cards, quotas kept), a few cancelled;
- one demo login per role, with a known password and a fresh API token;
- the statistics rollups, rebuilt from all of it at the end.

Cards, events, stock and visits are streamed to the database in chunks (COPY on PostgreSQL), so memory
stays small: per card only a few numbers are kept, to draw its visits from. The world it draws from (sizes,
chances, mixes, names) is `world.py`; the writing of the stock and the cards is `cards.py`.
"""

import bisect
import datetime
import itertools
import random
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role, User
from kaikukanta.accounts.services import issue_token_from_console
from kaikukanta.cards.models import Card, CardBatch, CardEvent, StockNumber
from kaikukanta.core import audit
from kaikukanta.core.clock import add_months, today
from kaikukanta.imports.bulk import (
    Progress,
    TableWriter,
    loading_into_empty_tables,
    peak_rss_mb,
    settle_after_bulk_write,
)
from kaikukanta.network.models import (
    DISTRIBUTOR_CATEGORIES,
    VENUE_CATEGORIES,
    Area,
    AreaStatus,
    AreaStatusPeriod,
    Membership,
    NationalSettings,
    Offering,
    OfferingKind,
    Organisation,
    OrganisationKind,
)
from kaikukanta.reference.models import Municipality, PostalCode, WelfareArea
from kaikukanta.stats import rollups
from kaikukanta.visits import rules as visit_rules
from kaikukanta.visits.models import Visit

from .cards import CardWriting
from .world import (
    CANCELLED_SHARE,
    CLIENTS_MIX,
    DEMO_LOGINS,
    DISTRIBUTOR_NAMES,
    FIRST_YEAR,
    HELSINKI,
    RUNNING_OFFERINGS,
    TICKET_PRICES,
    VENUE_NAMES,
    VENUE_SECTOR,
    _Area,
    _day_weight,
    _Municipality,
    _Offering,
)


def demo_password(username: str) -> str:
    return f"kaikukanta-demo-{username}"


class DemoRefused(Exception):
    """The database already holds a network; the demo is only built into an empty one."""


@dataclass
class DemoLogin:
    username: str
    role: str
    password: str
    token: str
    scope: str


@dataclass
class DemoResult:
    areas: int = 0
    distributors: int = 0
    venues: int = 0
    offerings: int = 0
    stock_numbers: int = 0
    cards: int = 0
    card_events: int = 0
    visits: int = 0
    logins: list[DemoLogin] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss_mb: float = 0.0


def existing_demo_logins() -> list[str]:
    return list(User.objects.filter(username__in=[name for name, _ in DEMO_LOGINS])
                .order_by("id").values_list("username", flat=True))


class _Builder(CardWriting):
    def __init__(self, *, cards: int, visits: int, seed: int, areas: int, on: datetime.date,
                 progress_stream=None):
        self.card_target = cards
        self.visit_target = visits
        self.area_count = areas
        self.rng = random.Random(seed)
        self.today = on
        end_of_day = self._midnight(on + datetime.timedelta(days=1))
        self.now = min(timezone.now(), end_of_day).astimezone(datetime.UTC)
        self.progress_stream = progress_stream
        self.result = DemoResult()
        self.max_months = min(12, NationalSettings.current().max_validity_months)
        self._midnights: dict[int, datetime.datetime] = {}
        self.first_batch_id = CardBatch.objects.order_by("-id").values_list("id", flat=True).first() or 0

    # ---- time helpers -------------------------------------------------------------------------------

    def _midnight(self, day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(day, datetime.time(), HELSINKI)

    def moment(self, ordinal: int, seconds: int) -> datetime.datetime:
        """`seconds` after midnight of the day, Helsinki time (held in UTC), never later than now."""
        midnight = self._midnights.get(ordinal)
        if midnight is None:
            midnight = self._midnights[ordinal] = self._midnight(
                datetime.date.fromordinal(ordinal)).astimezone(datetime.UTC)
        moment = midnight + datetime.timedelta(seconds=seconds)
        return moment if moment < self.now else self.now

    # ---- the network ---------------------------------------------------------------------------------

    def build_network(self) -> None:
        rng = self.rng
        postal_codes = defaultdict(list)
        current = PostalCode.objects.filter(in_current_file=True).order_by("code")
        for code, municipality in current.values_list("code", "municipality_id"):
            postal_codes[municipality].append(code)
        welfare_areas = [w for w in WelfareArea.objects.order_by("name_fi")
                         if Municipality.objects.filter(welfare_area=w, in_current_file=True).exists()]
        chosen = rng.sample(welfare_areas, min(self.area_count, len(welfare_areas)))
        last_start = self.today - datetime.timedelta(days=120)
        self.areas: list[_Area] = []
        for index, welfare_area in enumerate(chosen):
            year = FIRST_YEAR if index == 0 else rng.randint(FIRST_YEAR, max(FIRST_YEAR, last_start.year))
            start = min(datetime.date(year, rng.randint(1, 12), 1), last_start)
            area = Area.objects.create(name=f"Kaikukortti – {welfare_area.name_fi}")
            AreaStatusPeriod.objects.create(area=area, status=AreaStatus.PILOT, effective_from=start)
            active_from = add_months(start, rng.randint(6, 24))
            if index % 5 != 4 and active_from <= self.today:
                AreaStatusPeriod.objects.create(area=area, status=AreaStatus.ACTIVE,
                                                effective_from=active_from)
            municipalities = sorted(
                (m for m in Municipality.objects.filter(welfare_area=welfare_area, in_current_file=True)
                 .order_by("code") if postal_codes.get(m.code)),
                key=lambda m: (-len(postal_codes[m.code]), m.code))
            members = []
            for position, municipality in enumerate(municipalities):
                chance = rng.random()
                if position == 0 or chance < 0.6:
                    joined = start
                elif chance < 0.85:
                    joined = start + datetime.timedelta(days=rng.randrange((self.today - start).days + 1))
                else:
                    continue
                Membership.objects.create(area=area, municipality=municipality, joined_on=joined)
                residential = [c for c in postal_codes[municipality.code] if c.endswith("0")]
                members.append(_Municipality(municipality.code, joined.toordinal(),
                                             residential or postal_codes[municipality.code]))
            self.areas.append(_Area(index, area, start.toordinal(), members))
        self.first_day = min(area.start for area in self.areas)
        self.result.areas = len(self.areas)
        self._build_organisations()
        self._build_offerings()

    def _build_organisations(self) -> None:
        rng = self.rng
        distributor_kinds = itertools.cycle(DISTRIBUTOR_CATEGORIES)
        venue_kinds = itertools.cycle(VENUE_CATEGORIES)
        distributors, venues = [], []
        for area in self.areas:
            for member in area.members:
                name = Municipality.objects.get(code=member.code).name_fi
                joined = datetime.date.fromordinal(member.joined)
                size = len(member.postal_codes)
                for number in range(1 + min(size // 12, 5)):
                    category = next(distributor_kinds)
                    distributors.append(Organisation(
                        name=f"{DISTRIBUTOR_NAMES[category]} {name} {number + 1}",
                        kind=OrganisationKind.DISTRIBUTOR, area=area.area, municipality_id=member.code,
                        category=category, active_from=joined))
                for number in range(2 + min(size // 5, 20)):
                    category = next(venue_kinds)
                    venues.append(Organisation(
                        name=f"{VENUE_NAMES[category]} {name} {number + 1}", kind=OrganisationKind.VENUE,
                        area=area.area, municipality_id=member.code, category=category,
                        sector=VENUE_SECTOR.get(category, "culture"), active_from=joined))
        Organisation.objects.bulk_create(distributors + venues)
        rng.shuffle(distributors)
        distributors.sort(key=lambda o: o.active_from)
        self.distributors_from = [o.active_from.toordinal() for o in distributors]
        self.distributors = [(o.pk, o.area_id, o.municipality_id) for o in distributors]
        self.area_of = {area.area.pk: area for area in self.areas}
        venues.sort(key=lambda o: (o.active_from, o.pk))
        self.venues_from = [o.active_from.toordinal() for o in venues]
        self.venue_ids = [o.pk for o in venues]
        for venue in venues:
            area = self.area_of[venue.area_id]
            area.venues_from.append(venue.active_from.toordinal())
            area.venue_ids.append(venue.pk)
        self.venues = venues
        self.result.distributors, self.result.venues = len(distributors), len(venues)

    def _build_offerings(self) -> None:
        rng = self.rng
        offerings = []
        last_day = self.today + datetime.timedelta(days=90)
        for venue in self.venues:
            name, kind = RUNNING_OFFERINGS.get(venue.category, ("Kaikukortti-liput", "event"))
            adult, child = TICKET_PRICES.get(venue.category, (None, None))
            prices = {"adult_price_cents": adult, "child_price_cents": child}
            offerings.append(Offering(venue=venue, name=name, kind=kind,
                                      **(prices if kind != OfferingKind.COURSE else {})))
            offerings.append(Offering(venue=venue, name="Päivän liput", kind=OfferingKind.OTHER,
                                      ticket_quota=rng.randint(5, 40), **prices))
            if rng.random() < 0.3 and kind != OfferingKind.COURSE:
                offerings.append(Offering(venue=venue, name="Kurssi", kind=OfferingKind.COURSE))
            span = (last_day - venue.active_from).days
            for _ in range(max(1, span // 120)):
                day = venue.active_from + datetime.timedelta(days=rng.randrange(span + 1))
                offerings.append(Offering(venue=venue, name=f"Esitys {day:%d.%m.%Y}", kind=OfferingKind.EVENT,
                                          date=day, ticket_quota=rng.randint(4, 30), **prices))
        Offering.objects.bulk_create(offerings, batch_size=2000)
        self.running: dict[int, list[_Offering]] = defaultdict(list)
        self.events_on: dict[tuple[int, int], list[_Offering]] = defaultdict(list)
        for offering in offerings:
            entry = _Offering(offering.pk, offering.venue_id, offering.kind, offering.ticket_quota,
                              offering.adult_price_cents, offering.child_price_cents)
            if offering.date is None:
                self.running[offering.venue_id].append(entry)
            else:
                area = self.area_of[offering.venue.area_id]
                self.events_on[(area.index, offering.date.toordinal())].append(entry)
        self.result.offerings = len(offerings)

    def create_logins(self) -> None:
        area = self.areas[0]
        distributor = Organisation.objects.filter(area=area.area, kind=OrganisationKind.DISTRIBUTOR).order_by(
            "active_from", "id").first()
        venue = Organisation.objects.get(pk=area.venue_ids[0])
        scopes = {Role.NATIONAL_ADMIN: {}, Role.AREA_COORDINATOR: {"area": area.area},
                  Role.DISTRIBUTOR: {"organisation": distributor}, Role.VENUE: {"organisation": venue}}
        for username, role in DEMO_LOGINS:
            password = demo_password(username)
            user = User(username=username, role=role, language="fi", **scopes[role])
            validate_password(password, user)
            user.set_password(password)
            user.save()
            scope = scopes[role]
            where = str(scope.get("area") or scope.get("organisation") or "the whole network")
            token = issue_token_from_console(Caller.for_console(), user).secret
            self.result.logins.append(DemoLogin(username, role.value, password, token, where))

    # ---- visits --------------------------------------------------------------------------------------

    def _months(self) -> Iterator[tuple[int, int]]:
        day = datetime.date.fromordinal(self.first_day).replace(day=1)
        while day <= self.today:
            following = add_months(day, 1)
            yield day.toordinal(), min(following.toordinal() - 1, self.today.toordinal())
            day = following

    def _active_cards(self) -> Iterator[tuple[int, int, list[int]]]:
        """Each month with the cards usable on some day of it."""
        active: list[int] = []
        next_card = 0
        total = len(self.card_start)
        for first, last in self._months():
            while next_card < total and self.card_key[next_card] <= last:
                active.append(next_card)
                next_card += 1
            active = [c for c in active if self.card_end[c] >= first]
            yield first, last, [c for c in active if self.card_start[c] <= last and self.card_weight[c] > 0]

    def write_visits(self) -> None:
        if self.visit_target == 0:
            return
        days = self.today.toordinal() - self.first_day + 1
        # Cumulative day weights: a card's share of a month is its weight times the weight of its days in it.
        self.day_mass = [0.0, *itertools.accumulate(
            _day_weight(datetime.date.fromordinal(self.first_day + i)) for i in range(days))]
        month_mass = [sum(self._mass(c, first, last) for c in cards)
                      for first, last, cards in self._active_cards()]
        if not sum(month_mass):
            raise DemoRefused("no card is usable on any day, so there can be no visits: ask for more cards")
        plan = self._share(self.visit_target, month_mass)
        writer = TableWriter(Visit, ("card", "venue", "offering", "used_on", "children", "clients",
                                     "assistants", "uses", "ticket_value_cents", "recorded_at", "cancelled_at"))
        progress = Progress("visits", self.progress_stream)
        done = 0
        for (first, last, cards), wanted in zip(self._active_cards(), plan, strict=True):
            if wanted:
                done += writer.write(self._month_visits(first, last, cards, wanted))
                progress.update(done, done / self.visit_target)
        self.result.visits = done

    def _mass(self, card: int, first: int, last: int) -> float:
        low = max(self.card_start[card], first) - self.first_day
        high = min(self.card_end[card], last) - self.first_day
        return self.card_weight[card] * (self.day_mass[high + 1] - self.day_mass[low]) if high >= low else 0.0

    @staticmethod
    def _share(total: int, masses: list[float]) -> list[int]:
        """`total` split in proportion to `masses`, largest remainders first, so the parts add up exactly."""
        whole = sum(masses)
        exact = [total * mass / whole for mass in masses]
        parts = [int(x) for x in exact]
        by_remainder = sorted(range(len(masses)), key=lambda i: (parts[i] - exact[i], i))
        for i in by_remainder[:total - sum(parts)]:
            parts[i] += 1
        return parts

    def _month_visits(self, first: int, last: int, cards: list[int], wanted: int) -> list[tuple]:
        random = self.rng.random
        cumulative = list(itertools.accumulate(self._mass(c, first, last) for c in cards))
        total, top = cumulative[-1], len(cards) - 1
        starts, ends, weights, day_mass, first_day = (self.card_start, self.card_end, self.card_weight,
                                                      self.day_mass, self.first_day)
        drawn = []
        for _ in range(wanted):
            x = random() * total
            position = min(bisect.bisect_right(cumulative, x), top)
            card = cards[position]
            # The rest of the draw, scaled to the card's days, picks the day by the day weights.
            below = cumulative[position - 1] if position else 0.0
            low = (starts[card] if starts[card] > first else first) - first_day
            high = (ends[card] if ends[card] < last else last) - first_day
            offset = bisect.bisect_right(day_mass, day_mass[low] + (x - below) / weights[card]) - 1
            drawn.append((min(max(offset, low), high) + first_day, card))
        drawn.sort()
        quota_used: dict[tuple[int, int], int] = defaultdict(int)
        return [self._visit(day, card, quota_used) for day, card in drawn]

    def _visit(self, day: int, card: int, quota_used: dict) -> tuple:
        random = self.rng.random
        area = self.areas[self.card_area[card]]
        registered_children = self.card_children[card]
        community = registered_children < 0
        children = 0
        if registered_children > 0 and random() < 0.45:
            children = 1 + int(random() * registered_children)
        clients = self._pick(CLIENTS_MIX) if community else 0
        uses = 1 + children + clients
        offering = venue_id = None
        if random() < 0.25:
            events = self.events_on.get((area.index, day))
            if events:
                candidate = events[int(random() * len(events))]
                if quota_used[(candidate.id, day)] + uses <= candidate.quota:
                    offering, venue_id = candidate, candidate.venue_id
        if venue_id is None:
            # Mostly at the venues of the card's own area, sometimes anywhere in the network.
            venues_from, venue_ids = ((area.venues_from, area.venue_ids) if random() < 0.8
                                      else (self.venues_from, self.venue_ids))
            venue_id = venue_ids[int(random() * bisect.bisect_right(venues_from, day))]
            if random() < 0.75:
                running = self.running[venue_id]
                candidate = running[int(random() * len(running))]
                if candidate.quota is None or quota_used[(candidate.id, day)] + uses <= candidate.quota:
                    offering = candidate
        if offering is not None:
            if offering.kind == OfferingKind.COURSE and children:
                uses -= children
                children = 0
            if offering.quota is not None:
                quota_used[(offering.id, day)] += uses
        assistant_draw = random()
        assistants = 2 if assistant_draw < 0.005 else 1 if assistant_draw < 0.035 else 0
        delay = 0 if random() < 0.85 else 1 + int(random() * 14)
        recorded_at = self.moment(day + delay, 9 * 3600 + int(random() * 11 * 3600))
        cancelled_at = None
        if random() < CANCELLED_SHARE:
            cancelled_at = min(recorded_at + datetime.timedelta(minutes=1 + int(random() * 2880)), self.now)
        # The value as the desk records it (visits.rules, the one rule): the offering's prices, or unknown.
        value = (visit_rules.ticket_value_cents(offering.adult_price_cents, offering.child_price_cents,
                                                children=children, clients=clients) if offering else None)
        return (self.first_card_id + card, venue_id, offering.id if offering else None,
                datetime.date.fromordinal(day), children, clients, assistants, uses, value, recorded_at,
                cancelled_at)


def generate_demo(*, cards: int, visits: int, seed: int = 1, areas: int = 6, on: datetime.date | None = None,
                  progress_stream=None) -> DemoResult:
    """Build the demo network into an empty database, in one transaction (an interruption leaves nothing)."""
    started = time.monotonic()
    if Area.objects.exists() or Card.objects.exists() or existing_demo_logins():
        raise DemoRefused("the database already has a network or demo logins; the demo needs an empty one")
    builder = _Builder(cards=cards, visits=visits, seed=seed, areas=areas, on=on or today(),
                       progress_stream=progress_stream)
    with transaction.atomic():
        builder.build_network()
        builder.create_logins()
        bulk_tables = [Card, CardEvent, CardBatch, StockNumber, Visit]
        with loading_into_empty_tables(bulk_tables):
            builder.write_cards()
            builder.write_visits()
        settle_after_bulk_write(bulk_tables)
        # Rows streamed in bulk are counted once, set-based, rather than written down one by one as pending.
        rollups.rebuild()
        audit.record(None, "demo.generate", object_type="demo", seed=seed, cards=builder.result.cards,
                     visits=builder.result.visits)
    result = builder.result
    result.seconds = time.monotonic() - started
    result.peak_rss_mb = peak_rss_mb()
    return result

