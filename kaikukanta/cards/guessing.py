"""Card-number guessing: limits on card checks, and one audit alert per burst of unknown numbers.

A real desk checks a card every few seconds at most, an integration with a token somewhat more, and several
workers may share one address behind NAT; none of them types many numbers that do not exist. So there are
two limits, each per user and per address:

- a generous one on every check, which only bounds load and is never met by honest work;
- a strict one on *unknown* numbers (not found, or a wrong check digit), the one signal guessing gives.
  Reaching it writes one `card.guessing_suspected` audit record (user, site, address, count, window; never
  a card number or holder data) and refuses every further check from that user or address until the window
  ends, so that a guesser cannot go on by mixing in numbers it already knows.

Counts live in Django's default cache, which is Redis when REDIS_URL is set, so every server process sees
the same counts. Windows are fixed (the key names the window), so a count needs no read-modify-write and
the alert is written by the one request whose increment reaches the limit: once per burst window.

When the cache cannot be reached, checks go on uncounted (fail open) and a warning is logged: the desk must
keep letting holders in, and a card check tells a guesser only whether a number is valid, never anything
about its holder. The public "my card" page, which shows a holder's visits, fails closed instead (see
public.views).
"""

import dataclasses
import hashlib
import hmac
import logging
import math
import time
from contextlib import contextmanager

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

from kaikukanta.core import audit
from kaikukanta.core.errors import Code, Refusal

logger = logging.getLogger(__name__)

ALERT = "card.guessing_suspected"
# What the lookup answers for a number that is not a card: the guessing signal.
UNKNOWN_CODES = {Code.CARD_NOT_FOUND, Code.NUMBER_INVALID}
# Where a burst came from, as recorded in the alert and named on the alerts page.
CARD_CHECK = "card_check"
VISIT = "visit"
MY_CARD = "my_card"


@dataclasses.dataclass(frozen=True)
class Limits:
    check_window: int = 60                # seconds
    checks_per_user: int = 120            # two a second for a whole minute: an integration's burst
    checks_per_address: int = 300         # a desk of several workers behind one NAT address
    unknown_window: int = 600
    unknown_per_user: int = 20            # a typo now and then, not a number every few seconds
    unknown_per_address: int = 40
    my_card_unknown_per_address: int = 10  # failed "my card" look-ups (the page allows 10 failures in 10 min)
    # Failed "my card" look-ups of one number from this many different addresses within the window: someone
    # searching the holder's birth year from many addresses, each staying under the per-address limit.
    my_card_addresses_per_number: int = 5


def clock() -> float:
    """Seconds since the epoch; the windows are counted on it (tests set it to stay inside one window)."""
    return time.time()


def limits() -> Limits:
    """The defaults above, with whatever `settings.KAIKUKANTA_CARD_GUESSING` overrides."""
    return dataclasses.replace(Limits(), **getattr(settings, "KAIKUKANTA_CARD_GUESSING", {}))


def _seconds_left(now: float, window: int) -> int:
    return max(1, math.ceil(window - now % window))


def _key(kind: str, scope: str, who, window: int, now: float) -> str:
    return f"kk:guess:{kind}:{scope}:{who}:{int(now // window)}"


class Counters:
    """Fixed-window counters in a Django cache. On Redis each call is one round trip of as few commands as
    can be (a pipeline of INCRs and one MGET), because it sits on the desk's hot path; any other cache goes
    through the portable incr/add/get_many."""

    def __init__(self, cache=None):
        # The cache itself, not django.core.cache.cache: that is a proxy, which would hide that it is Redis.
        self.cache = cache or caches["default"]

    def count(self, increments: list[tuple[str, int]], reads: list[str] = ()) -> tuple[list[int], list[int]] | None:
        """Adds one to each `(key, lifetime)` and reads `reads`; their values, or None if the cache failed."""
        try:
            if isinstance(self.cache, RedisCache):
                return self._count_on_redis(increments, reads)
            return self._count_portably(increments, reads)
        except (RedisError, OSError):
            logger.warning("card-check limits not counted: the cache is unreachable", exc_info=True)
            return None

    def _count_on_redis(self, increments, reads):
        # INCR creates a missing key at 1; only then is its lifetime set, in a second round trip once per key
        # and window. A key whose EXPIRE was lost (a process killed in between) names a past window and is
        # never read again.
        client = self.cache._cache.get_client(write=True)
        keys = [self.cache.make_and_validate_key(key) for key, _lifetime in increments]
        pipeline = client.pipeline(transaction=False)
        for key in keys:
            pipeline.incr(key)
        if reads:
            pipeline.mget([self.cache.make_and_validate_key(key) for key in reads])
        results = pipeline.execute()
        counted = results[:len(keys)]
        new_keys = [(key, lifetime) for key, (_name, lifetime), count in zip(keys, increments, counted, strict=True)
                    if count == 1]
        if new_keys:
            pipeline = client.pipeline(transaction=False)
            for key, lifetime in new_keys:
                pipeline.expire(key, lifetime)
            pipeline.execute()
        read = [int(value) if value is not None else 0 for value in results[len(keys)]] if reads else []
        return counted, read

    def _count_portably(self, increments, reads):
        counted = []
        for key, lifetime in increments:
            try:
                counted.append(self.cache.incr(key))
            except ValueError:
                # The first count of this window (or, rarely, a second process's add came first).
                counted.append(1 if self.cache.add(key, 1, lifetime) else self.cache.incr(key))
        found = self.cache.get_many(list(reads)) if reads else {}
        return counted, [int(found.get(key, 0)) for key in reads]


def _scopes(caller) -> list[tuple[str, object]]:
    """What a caller (accounts.caller.Caller: a user, or None on the public page, and an address) is counted by."""
    scopes = [("address", caller.address)]
    if caller.user is not None and caller.user.pk is not None:
        scopes.insert(0, ("user", caller.user.pk))
    return scopes


def _throttled(seconds: int) -> Refusal:
    return Refusal(Code.THROTTLED, detail=str(seconds))


def admit_check(caller, *, counters: Counters | None = None) -> None:
    """Counts a card check; refuses it (`throttled`, detail = seconds to wait) when the caller has made too
    many checks this window, or has reached the unknown-number limit in this burst window."""
    settings_ = limits()
    now = clock()
    check_life = settings_.check_window + 1
    increments = [(_key("check", scope, who, settings_.check_window, now), check_life)
                  for scope, who in _scopes(caller)]
    reads = [_key("unknown", scope, who, settings_.unknown_window, now) for scope, who in _scopes(caller)]
    counted = (counters or Counters()).count(increments, reads)
    if counted is None:
        return
    checks, unknowns = counted
    check_limits = {"user": settings_.checks_per_user, "address": settings_.checks_per_address}
    unknown_limits = {"user": settings_.unknown_per_user, "address": settings_.unknown_per_address}
    waits = []
    for (scope, _who), made, unknown in zip(_scopes(caller), checks, unknowns, strict=True):
        if made > check_limits[scope]:
            waits.append(_seconds_left(now, settings_.check_window))
        if unknown >= unknown_limits[scope]:
            waits.append(_seconds_left(now, settings_.unknown_window))
    if waits:
        raise _throttled(max(waits))


def admit_registration(caller, *, counters: Counters | None = None) -> None:
    """A visit registration names a card too, so a caller stopped for guessing is stopped there as well;
    registrations themselves are not counted as checks (the desk checked the card just before)."""
    settings_ = limits()
    now = clock()
    reads = [_key("unknown", scope, who, settings_.unknown_window, now) for scope, who in _scopes(caller)]
    counted = (counters or Counters()).count([], reads)
    if counted is None:
        return
    unknown_limits = {"user": settings_.unknown_per_user, "address": settings_.unknown_per_address}
    if any(unknown >= unknown_limits[scope] for (scope, _who), unknown in zip(_scopes(caller), counted[1],
                                                                             strict=True)):
        raise _throttled(_seconds_left(now, settings_.unknown_window))


def unknown_number(caller, source: str, *, counters: Counters | None = None) -> None:
    """Counts a number that was not a card; the request that brings a count to its limit writes the alert."""
    settings_ = limits()
    now = clock()
    if source == MY_CARD:
        scopes = [("address", caller.address)]
        unknown_limits = {"address": settings_.my_card_unknown_per_address}
    else:
        scopes = _scopes(caller)
        unknown_limits = {"user": settings_.unknown_per_user, "address": settings_.unknown_per_address}
    window = settings_.unknown_window
    counted = (counters or Counters()).count(
        [(_key("unknown" if source != MY_CARD else "my_card", scope, who, window, now), window + 1)
         for scope, who in scopes])
    if counted is None:
        return
    for (scope, _who), count in zip(scopes, counted[0], strict=True):
        if count == unknown_limits[scope]:
            _write_alert(caller, source, scope=scope, count=count, window=window, now=now)


def _write_alert(caller, source: str, *, scope: str, count: int, window: int, now: float) -> None:
    user = caller.user if source != MY_CARD else None
    site = getattr(user, "organisation", None) if user is not None else None
    # The area is kept as it was at the time, so the alert stays with the coordinator who should have seen it.
    area_id = site.area_id if site is not None else getattr(user, "area_id", None)
    audit.record(user, ALERT, object_type="card_check", object_id="", source=source, scope=scope,
                 user=user.pk if user is not None else None, site=site.pk if site is not None else None,
                 area=area_id, address=caller.address, count=count, window=window,
                 window_start=int(now // window * window))


def number_fingerprint(number: str) -> str:
    """A keyed digest of a card number: one number's alerts can be told apart, the number is not kept."""
    return hmac.new(settings.SECRET_KEY.encode(), f"card:{number}".encode(), hashlib.sha256).hexdigest()[:16]


def my_card_number_failed(address: str, number: str, *, counters: Counters | None = None) -> None:
    """A failed "my card" look-up of `number` from `address`. The request that brings the number's count of
    different failing addresses in this window to `my_card_addresses_per_number` writes one alert (scope
    "number"): a birth-year search spread over many addresses. The alert and the cache keys hold a keyed
    fingerprint of the number, never the number."""
    settings_ = limits()
    now = clock()
    window = settings_.unknown_window
    fingerprint = number_fingerprint(number)
    counters = counters or Counters()
    counted = counters.count([(_key("my_card_pair", fingerprint, address, window, now), window + 1),
                              (_key("my_card_number", "number", fingerprint, window, now), window + 1)])
    if counted is None:
        return
    from_this_address, failures = counted[0]
    if from_this_address != 1:
        return
    addresses = counters.count([(_key("my_card_addresses", "number", fingerprint, window, now), window + 1)])
    if addresses is None or addresses[0][0] != settings_.my_card_addresses_per_number:
        return
    audit.record(None, ALERT, object_type="card_check", object_id="", source=MY_CARD, scope="number",
                 user=None, site=None, area=None, address="", number=fingerprint, addresses=addresses[0][0],
                 count=failures, window=window, window_start=int(now // window * window))


@contextmanager
def watching(caller, source: str):
    """Around a card look-up: an unknown number refused inside is counted (and the refusal goes on)."""
    try:
        yield
    except Refusal as refusal:
        if refusal.code in UNKNOWN_CODES:
            unknown_number(caller, source)
        raise


@contextmanager
def guarding_check(caller, source: str = CARD_CHECK):
    """Around a service's card check: counted against the limits, refused over them, an unknown number counted.
    Only for callers typing at an address (accounts.caller); an import or a console has neither."""
    if not caller.counts_guessing:
        yield
        return
    admit_check(caller)
    with watching(caller, source):
        yield


@contextmanager
def guarding_registration(caller, source: str = VISIT):
    """Around a service's write that names a card (a visit, a card issued from a typed number): a caller
    stopped for guessing is stopped here too, and an unknown number counts as in a card check."""
    if not caller.counts_guessing:
        yield
        return
    admit_registration(caller)
    with watching(caller, source):
        yield
