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
stays small: per card only a few numbers are kept, to draw its visits from.
"""

import bisect
import datetime
import functools
import itertools
import random
import time
from array import array
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils import timezone

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role, User
from kaikukanta.accounts.services import issue_token_from_console
from kaikukanta.cards.models import (
    REPLACED,
    Card,
    CardBatch,
    CardEvent,
    CardEventKind,
    StockNumber,
)
from kaikukanta.core import audit, damm
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
from kaikukanta.visits.models import Visit

FIRST_YEAR = 2015
CHUNK = 5000
BATCH_SIZE = 5000
COMMUNITY_SHARE = 0.03
RENEWAL_CHANCE = 0.45
CLOSE_CHANCE = 0.06
REPLACE_CHANCE = 0.025
NEVER_USED_SHARE = 0.25
CANCELLED_SHARE = 0.008
HELSINKI = ZoneInfo("Europe/Helsinki")

# Seasons and weekdays of culture and sport visits: quiet in July, busy in autumn and spring, at weekends.
MONTH_FACTOR = {1: 1.0, 2: 1.1, 3: 1.15, 4: 1.1, 5: 0.95, 6: 0.7, 7: 0.45, 8: 0.75, 9: 1.15, 10: 1.2,
                11: 1.2, 12: 0.9}
WEEKDAY_FACTOR = (0.75, 0.75, 0.8, 0.9, 1.25, 1.45, 1.2)

AGE_GROUPS = (((16, 17), 0.04), ((18, 29), 0.2), ((30, 49), 0.3), ((50, 64), 0.25), ((65, 90), 0.21))
CHILDREN = ((0, 0.66), (1, 0.14), (2, 0.1), (3, 0.06), (4, 0.04))
GENDER_MIX = (("female", 0.57), ("male", 0.38), ("other", 0.01), ("unspecified", 0.04))
WORKING_AGE_SITUATIONS = (("unemployed", 0.35), ("employed", 0.15), ("disability_or_sick_leave", 0.2),
                          ("family_leave", 0.08), ("retired", 0.05), ("other", 0.07), ("unspecified", 0.1))
WORKING_AGE_SITUATIONS_CHILDLESS = tuple(mix for mix in WORKING_AGE_SITUATIONS if mix[0] != "family_leave")
CLOSE_REASON_MIX = (("lost", 0.3), ("withdrawn", 0.2), ("moved", 0.25), ("deceased", 0.1), ("other", 0.15))
CLIENTS_MIX = ((0, 0.1), (1, 0.1), (2, 0.15), (3, 0.15), (4, 0.15), (5, 0.12), (6, 0.1), (8, 0.08),
               (10, 0.05))

VENUE_SECTOR = {"adult_education": "education", "science_centre": "science", "sport": "sport"}
VENUE_NAMES = {"theatre": "Teatteri", "museum": "Museo", "music": "Konserttitalo",
               "cinema": "Elokuvateatteri", "dance": "Tanssiteatteri", "festival": "Festivaali",
               "library": "Kirjasto",
               "visual_arts": "Taidekeskus", "adult_education": "Kansalaisopisto",
               "science_centre": "Tiedekeskus", "sport": "Liikuntakeskus", "other": "Kulttuuritalo"}
DISTRIBUTOR_NAMES = {"social_services": "Sosiaalipalvelut", "health_services": "Terveysasema",
                     "wellbeing": "Hyvinvointikeskus", "youth_services": "Nuorisopalvelut",
                     "ngo": "Mielenterveysyhdistys ry", "other": "Seurakunnan diakoniatyö"}
RUNNING_OFFERINGS = {"museum": ("Näyttelyt", "exhibition"), "visual_arts": ("Näyttelyt", "exhibition"),
                     "sport": ("Uinti ja kuntosali", "sport"), "adult_education": ("Kurssit", "course"),
                     "science_centre": ("Tiedekeskuksen näyttelyt", "exhibition"),
                     "library": ("Tapahtumat", "event")}

DEMO_LOGINS = (("admin", Role.NATIONAL_ADMIN), ("coordinator", Role.AREA_COORDINATOR),
               ("distributor", Role.DISTRIBUTOR), ("venue", Role.VENUE))


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


@functools.cache
def _weighted(mix) -> tuple[list, list[float]]:
    values = [value for value, _ in mix]
    cumulative = list(itertools.accumulate(weight for _, weight in mix))
    return values, cumulative


def _day_weight(day: datetime.date) -> float:
    return MONTH_FACTOR[day.month] * WEEKDAY_FACTOR[day.weekday()]


@dataclass
class _Municipality:
    code: str
    joined: int  # ordinal day
    postal_codes: list[str]


@dataclass
class _Area:
    index: int
    area: Area
    start: int
    members: list[_Municipality]
    venues_from: list[int] = field(default_factory=list)  # venues' active_from, ascending
    venue_ids: list[int] = field(default_factory=list)    # in the same order


@dataclass(frozen=True)
class _Story:
    """What the cards of one holder (or community worker) share: a replacement and the card it replaced."""

    issuer_id: int
    area: _Area
    holder: tuple  # birth year, postal code, home municipality, children, gender, life situation
    children: int  # -1 for a community card
    weight: float  # how much the holder uses the card, relative to others
    key: int       # the day the first card was issued: stories come in this order
    community: bool


@dataclass
class _Offering:
    id: int
    venue_id: int
    kind: str
    quota: int | None


class _Builder:
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
            offerings.append(Offering(venue=venue, name=name, kind=kind))
            offerings.append(Offering(venue=venue, name="Päivän liput", kind=OfferingKind.OTHER,
                                      ticket_quota=rng.randint(5, 40)))
            if rng.random() < 0.3 and kind != OfferingKind.COURSE:
                offerings.append(Offering(venue=venue, name="Kurssi", kind=OfferingKind.COURSE))
            span = (last_day - venue.active_from).days
            for _ in range(max(1, span // 120)):
                day = venue.active_from + datetime.timedelta(days=rng.randrange(span + 1))
                offerings.append(Offering(venue=venue, name=f"Esitys {day:%d.%m.%Y}", kind=OfferingKind.EVENT,
                                          date=day, ticket_quota=rng.randint(4, 30)))
        Offering.objects.bulk_create(offerings, batch_size=2000)
        self.running: dict[int, list[_Offering]] = defaultdict(list)
        self.events_on: dict[tuple[int, int], list[_Offering]] = defaultdict(list)
        for offering in offerings:
            entry = _Offering(offering.pk, offering.venue_id, offering.kind, offering.ticket_quota)
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

    # ---- cards ---------------------------------------------------------------------------------------

    def write_cards(self) -> None:
        """Cards in the order they were issued, with their events and the stock they came from."""
        rng = self.rng
        count = self.card_target
        self.card_start = array("i")
        self.card_end = array("i")
        self.card_key = array("i")
        self.card_children = array("b")  # -1 marks a community card
        self.card_area = array("h")
        self.card_weight = array("d")
        multiplier = rng.randrange(10**8, 10**9) | 1
        if multiplier % 5 == 0:
            multiplier += 2
        offset = rng.randrange(10**9)
        self._number_of = lambda k: f"{(multiplier * k + offset) % 10**9:09d}"
        self.next_stock = 0
        self.stock_used: dict[int, int] = defaultdict(int)
        self.batches: dict[int, list[int]] = defaultdict(list)   # distributor → its batch ids
        self.batch_rows: dict[int, list] = {}                     # batch id → [distributor, count, created]
        card_writer = TableWriter(Card, ("id", "number", "card_type", "issuer", "issued_on", "valid_until",
                                         "closed_on", "close_reason", "replaces", "birth_year", "postal_code",
                                         "home_municipality", "children", "gender", "life_situation",
                                         "created_at"))
        event_writer = TableWriter(CardEvent, ("card", "event", "date", "valid_until", "reason",
                                               "other_number", "created_at"))
        stock_writer = TableWriter(StockNumber, ("number", "distributor", "batch"))
        progress = Progress("cards", self.progress_stream)
        self.first_card_id = (Card.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        made = 0
        while made < count:
            cards, events, stock = [], [], []
            while made < count and len(cards) < CHUNK:
                made += self._holder(made / count, count - made, cards, events, stock)
            card_writer.write(cards)
            event_writer.write(events)
            stock_writer.write(stock)
            self.result.card_events += len(events)
            progress.update(made, made / count)
        self.result.cards = made
        self._write_spare_stock(stock_writer)

    def _take_number(self, distributor_id: int, stock: list) -> str:
        used = self.stock_used[distributor_id]
        if used % BATCH_SIZE == 0:
            batch_id = len(self.batch_rows) + 1 + self.first_batch_id
            self.batches[distributor_id].append(batch_id)
            self.batch_rows[batch_id] = [distributor_id, 0]
        batch_id = self.batches[distributor_id][-1]
        self.batch_rows[batch_id][1] += 1
        self.stock_used[distributor_id] = used + 1
        body = self._number_of(self.next_stock)
        self.next_stock += 1
        number = body + damm.check_digit(body)
        stock.append((number, distributor_id, batch_id))
        return number

    def _write_spare_stock(self, stock_writer: TableWriter) -> None:
        """Every distributor keeps some numbers not yet issued, as after a real batch order."""
        stock = []
        for distributor_id, _, _ in self.distributors:
            for _ in range(10 + self.stock_used[distributor_id] // 10):
                self._take_number(distributor_id, stock)
        stock_writer.write(stock)
        batch_created = {distributor_id: self.moment(self.distributors_from[i], 9 * 3600)
                         for i, (distributor_id, _, _) in enumerate(self.distributors)}
        TableWriter(CardBatch, ("id", "distributor", "count", "created_at")).write(
            (batch_id, distributor_id, size, batch_created[distributor_id])
            for batch_id, (distributor_id, size) in self.batch_rows.items())
        self.result.stock_numbers = self.next_stock

    def _issue_day(self, position: float) -> int:
        """More cards as the network grows: the issue day's quantile rises with the square root."""
        span = self.today.toordinal() - self.first_day
        day = self.first_day + int(span * position ** 0.5)
        weekday = datetime.date.fromordinal(day).weekday()
        shift = {5: -1, 6: 1}.get(weekday, 0)
        return max(self.first_day, min(day + shift, self.today.toordinal()))

    def _holder(self, position: float, room: int, cards: list, events: list, stock: list) -> int:
        """One holder's card(s): issued, maybe renewed, then maybe closed or replaced. Returns cards made."""
        rng = self.rng
        issued = self._issue_day(position)
        available = bisect.bisect_right(self.distributors_from, issued)
        issuer_id, area_id, issuer_municipality = self.distributors[rng.randrange(available)]
        area = self.area_of[area_id]
        community = rng.random() < COMMUNITY_SHARE
        if community:
            holder = (None, None, None, 0, "", "")
            children = -1
        else:
            holder = self._holder_data(area, issuer_municipality, issued)
            children = holder[3]
        months = self.max_months if rng.random() < 0.8 else min(6, self.max_months)
        periods = [(issued, add_months(datetime.date.fromordinal(issued), months).toordinal())]
        while periods[-1][1] < self.today.toordinal() and rng.random() < RENEWAL_CHANCE:
            renewed = max(periods[-1][1] - rng.randrange(21), periods[-1][0] + 1)
            if renewed > self.today.toordinal():
                break
            until = add_months(datetime.date.fromordinal(renewed), self.max_months)
            periods.append((renewed, until.toordinal()))
        ending = None
        chance = rng.random()
        last_possible = min(periods[-1][1], self.today.toordinal())
        if chance < CLOSE_CHANCE + REPLACE_CHANCE and last_possible > issued:
            ending = (rng.randint(issued + 1, last_possible),
                      REPLACED if chance < REPLACE_CHANCE and room > 1 else self._pick(CLOSE_REASON_MIX))
        story = _Story(issuer_id, area, holder, children, self._activity(community), issued, community)
        card_id = self.first_card_id + len(self.card_start)
        number = self._take_number(issuer_id, stock)
        if ending is None:
            self._add_card(cards, events, story, card_id, number, periods)
            return 1
        day, reason = ending
        before = [p for p in periods if p[0] < day]
        if reason != REPLACED:
            self._add_card(cards, events, story, card_id, number, before, ending=(day, reason, ""))
            return 1
        new_number = self._take_number(issuer_id, stock)
        self._add_card(cards, events, story, card_id, number, before, ending=(day, REPLACED, new_number))
        after = [(day, before[-1][1])] + [p for p in periods if p[0] >= day]
        self._add_card(cards, events, story, card_id + 1, new_number, after, replaces=(card_id, number))
        return 2

    def _pick(self, mix):
        values, cumulative = _weighted(mix)
        return values[bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])]

    def _holder_data(self, area: _Area, issuer_municipality: str, issued: int) -> tuple:
        rng = self.rng
        members = [m for m in area.members if m.joined <= issued]
        home = next((m for m in members if m.code == issuer_municipality), None)
        if home is None or rng.random() < 0.2:
            home = rng.choice(members)
        low, high = self._pick(AGE_GROUPS)
        age = rng.randint(low, high)
        issued_year = datetime.date.fromordinal(issued).year
        children = self._pick(CHILDREN) if age < 75 else 0
        if age >= 65:
            situation = "retired" if rng.random() < 0.9 else "other"
        elif age < 25 and rng.random() < 0.5:
            situation = "student"
        else:
            situation = self._pick(WORKING_AGE_SITUATIONS if children else WORKING_AGE_SITUATIONS_CHILDLESS)
        return (issued_year - age, rng.choice(home.postal_codes), home.code, children, self._pick(GENDER_MIX),
                situation)

    def _activity(self, community: bool) -> float:
        """How much a card gets used, relative to others: many never, most a little, a few a lot."""
        rng = self.rng
        if not community and rng.random() < NEVER_USED_SHARE:
            return 0.0
        weight = min(rng.paretovariate(1.4), 30.0)
        return weight * 3 if community else weight

    def _add_card(self, cards: list, events: list, story: _Story, card_id: int, number: str,
                  periods: list[tuple[int, int]], ending: tuple | None = None,
                  replaces: tuple[int, str] | None = None) -> None:
        """One card of the story, valid over `periods` (issue and renewals), maybe ended (closed or replaced),
        maybe replacing the story's previous card; and what its visits will be drawn from."""
        birth_year, postal_code, home, children_count, gender, situation = story.holder
        issued, valid_until = periods[0][0], periods[-1][1]
        closed_on = ending[0] if ending else None
        issued_date = datetime.date.fromordinal(issued)
        cards.append((
            card_id, number, "community" if story.community else "personal", story.issuer_id, issued_date,
            datetime.date.fromordinal(valid_until),
            datetime.date.fromordinal(closed_on) if closed_on else None, ending[1] if ending else "",
            replaces[0] if replaces else None, birth_year, postal_code, home, children_count, gender,
            situation, self.moment(issued, 10 * 3600)))
        events.append((card_id, CardEventKind.ISSUED.value, issued_date,
                       datetime.date.fromordinal(periods[0][1]), "", replaces[1] if replaces else "",
                       self.moment(issued, 10 * 3600)))
        for renewed, until in periods[1:]:
            events.append((card_id, CardEventKind.RENEWED.value, datetime.date.fromordinal(renewed),
                           datetime.date.fromordinal(until), "", "", self.moment(renewed, 11 * 3600)))
        if ending:
            day, reason, other_number = ending
            kind = CardEventKind.REPLACED if reason == REPLACED else CardEventKind.CLOSED
            events.append((card_id, kind.value, datetime.date.fromordinal(day), None, reason, other_number,
                           self.moment(day, 12 * 3600)))
        last_usable = min(valid_until, closed_on - 1 if closed_on else valid_until, self.today.toordinal())
        self.card_start.append(issued)
        self.card_end.append(last_usable)
        self.card_key.append(story.key)
        self.card_children.append(story.children)
        self.card_area.append(story.area.index)
        self.card_weight.append(story.weight if last_usable >= issued else 0.0)

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
                                     "assistants", "uses", "recorded_at", "cancelled_at"))
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
        return (self.first_card_id + card, venue_id, offering.id if offering else None,
                datetime.date.fromordinal(day), children, clients, assistants, uses, recorded_at,
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

