"""The made-up world the demo draws from (demo/services.py): its sizes and chances, seasons, mixes and
names, and the small records the builder keeps of areas, holders' stories and offerings."""

import datetime
import functools
import itertools
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from kaikukanta.accounts.models import Role
from kaikukanta.network.models import Area

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

# Regular ticket prices in cents (adult, child) by venue category, for the value of tickets given; courses and
# library events have none, so the demo also shows the share of uses whose value is unknown.
TICKET_PRICES = {"theatre": (3200, 1600), "museum": (1500, 0), "music": (2800, 1400), "cinema": (1200, 900),
                 "dance": (2600, 1300), "festival": (4500, 2000), "visual_arts": (1200, 0),
                 "science_centre": (2200, 1500), "sport": (800, 400), "other": (1500, 800)}

DEMO_LOGINS = (("admin", Role.NATIONAL_ADMIN), ("coordinator", Role.AREA_COORDINATOR),
               ("distributor", Role.DISTRIBUTOR), ("venue", Role.VENUE))


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
    adult_price_cents: int | None = None
    child_price_cents: int | None = None
