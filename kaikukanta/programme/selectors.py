"""The rules in force in an area on a day (reads only).

Every version is read into one process-wide snapshot (the table holds a handful of rows per area); the
snapshot is rebuilt when a change is made in this process, and otherwise when another process has made one:
each change bumps a generation number in the shared cache, which this process asks at most once every
`KAIKUKANTA_RULES_RECHECK_SECONDS` (1 s). A change takes effect on today's date at the earliest, so the
only cost of that second is that another server may judge by the rules of a second ago.
"""

import bisect
import datetime
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache

from kaikukanta.accounts.policy import Action, require
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Area

from .ruleset import NATIONAL_DEFAULTS, RULE_FIELDS, RuleSet, combine

GENERATION_KEY = "programme:rules:generation"
_MEMO_LIMIT = 4096


@dataclass(frozen=True)
class Version:
    id: int
    area_id: int | None
    effective_from: datetime.date
    values: dict
    overridable: frozenset[str]


@dataclass
class _Snapshot:
    generation: object
    checked_at: float
    national: list[Version]
    areas: dict[int, list[Version]]
    memo: dict = field(default_factory=dict)


_lock = threading.Lock()
_snapshot: _Snapshot | None = None


def _recheck_seconds() -> float:
    return float(getattr(settings, "KAIKUKANTA_RULES_RECHECK_SECONDS", 1.0))


def _shared_generation():
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
            generation = cache.get(GENERATION_KEY)
        return generation
    except Exception:  # the shared cache is down: read the table again at each recheck
        return object()


def changed() -> None:
    """A version was added: every process reads the table again (this one at once, others within a recheck)."""
    forget()
    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
    except Exception:  # the shared cache is down: the others read the table at each recheck anyway
        pass


def _load(generation) -> _Snapshot:
    from .models import RuleVersion

    national, areas = [], {}
    for row in RuleVersion.objects.order_by("effective_from", "id").values("id", "area_id", "effective_from",
                                                                           "overridable", *RULE_FIELDS):
        version = Version(id=row["id"], area_id=row["area_id"], effective_from=row["effective_from"],
                          values={name: row[name] for name in RULE_FIELDS},
                          overridable=frozenset(row["overridable"] or ()))
        (national if version.area_id is None else areas.setdefault(version.area_id, [])).append(version)
    return _Snapshot(generation=generation, checked_at=time.monotonic(), national=national, areas=areas)


def _current() -> _Snapshot:
    global _snapshot
    snapshot = _snapshot
    now = time.monotonic()
    if snapshot is not None and now - snapshot.checked_at < _recheck_seconds():
        return snapshot
    generation = _shared_generation()
    if snapshot is not None and generation is not None and generation == snapshot.generation:
        snapshot.checked_at = now
        return snapshot
    with _lock:
        _snapshot = _load(generation)
        return _snapshot


def forget() -> None:
    """Drop this process's snapshot (after a change here, and between tests)."""
    global _snapshot
    _snapshot = None


def _in_force(versions: list[Version], on_date: datetime.date) -> Version | None:
    """The version with the latest `effective_from` on or before the day (the later-made one on a tie)."""
    index = bisect.bisect_right([v.effective_from for v in versions], on_date)
    return versions[index - 1] if index else None


def _area_id(area) -> int | None:
    return getattr(area, "pk", area)


def rules_in_force(area, on_date: datetime.date) -> RuleSet:
    """The rules of `area` (an Area, its id, or None for the national rules) in force on `on_date`."""
    area_id = _area_id(area)
    snapshot = _current()
    key = (area_id, on_date)
    found = snapshot.memo.get(key)
    if found is not None:
        return found
    national = _in_force(snapshot.national, on_date)
    local = _in_force(snapshot.areas.get(area_id, []), on_date) if area_id is not None else None
    if national is None:
        national_values, overridable, since = NATIONAL_DEFAULTS.values(), frozenset(), NATIONAL_DEFAULTS.effective_from
    else:
        national_values, overridable, since = national.values, national.overridable, national.effective_from
    if local is not None:
        since = max(since, local.effective_from)
    result = combine(national_values, overridable, local.values if local else None, area_id=area_id,
                     effective_from=since)
    if len(snapshot.memo) < _MEMO_LIMIT:
        snapshot.memo[key] = result
    return result


def national_version_in_force(on_date: datetime.date) -> Version | None:
    return _in_force(_current().national, on_date)


def area_version_in_force(area, on_date: datetime.date) -> Version | None:
    return _in_force(_current().areas.get(_area_id(area), []), on_date)


def versions(area) -> list[Version]:
    """Every version of the area (None: the national ones), oldest first."""
    snapshot = _current()
    area_id = _area_id(area)
    return list(snapshot.national if area_id is None else snapshot.areas.get(area_id, []))


def area_to_manage(user, area_id: int) -> Area:
    """An area as its rules page shows it: refused as `services.set_area_rules` would refuse the change."""
    area = Area.objects.filter(pk=area_id).first()
    if area is None:
        raise Refusal(Code.NOT_FOUND)
    require(user, Action.MANAGE_AREA_RULES, area)
    return area
