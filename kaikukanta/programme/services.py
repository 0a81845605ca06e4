"""Changing the programme's rules: a new version, never an edit (every change audited, one transaction each).

A version starts today or later, so what was judged stays judged by the rules it was judged by: the past is
never rewritten. On one day the later-made version wins, so a mistake made for tomorrow is corrected by making
another version for tomorrow.
"""

import datetime

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.policy import Action, require, require_caller
from kaikukanta.core import audit
from kaikukanta.core.bounds import check_date
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.network.models import Area, NationalSettings

from . import selectors
from .models import RuleVersion
from .ruleset import BOOLEAN_FIELDS, BOUNDS, RULE_FIELDS, AgeCounting, RuleSet


def _check_value(name: str, value, *, nullable: bool) -> None:
    if value is None:
        if nullable:
            return
        raise Refusal(Code.INVALID, field=name)
    if name == "holder_age_counting":
        if value not in AgeCounting.CHOICES:
            raise Refusal(Code.INVALID, field=name)
    elif name in BOOLEAN_FIELDS:
        if not isinstance(value, bool):
            raise Refusal(Code.INVALID, field=name)
    else:
        low, high = BOUNDS[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise Refusal(Code.INVALID, field=name)


def _check_effective_from(effective_from: datetime.date) -> None:
    check_date(effective_from, "effective_from")
    if effective_from < today():
        raise Refusal(Code.RULES_DATE_IN_PAST, field="effective_from")


def _changed() -> None:
    selectors.changed()
    transaction.on_commit(selectors.changed)


def _area(area_id) -> Area:
    area = Area.objects.filter(pk=area_id).first() if isinstance(area_id, int) else None
    if area is None:
        raise Refusal(Code.NOT_FOUND)
    return area


@transaction.atomic
def set_national_rules(caller: Caller, *, effective_from: datetime.date, values: dict, overridable) -> RuleVersion:
    """A new national version from `effective_from` (today or later): every rule, and which areas may set."""
    require_caller(caller, Action.MANAGE_NATIONAL_RULES)
    _check_effective_from(effective_from)
    unknown = set(values) - set(RULE_FIELDS)
    if unknown:
        raise Refusal(Code.INVALID, field=sorted(unknown)[0])
    for name in RULE_FIELDS:
        _check_value(name, values.get(name), nullable=name == "children_max_age")
    overridable = sorted(set(overridable))
    if any(name not in RULE_FIELDS for name in overridable):
        raise Refusal(Code.INVALID, field="overridable")
    version = RuleVersion.objects.create(area=None, effective_from=effective_from, overridable=overridable,
                                         created_by=caller.user, **{name: values.get(name) for name in RULE_FIELDS})
    if effective_from == today():
        # The old release, and GET /api/v1/settings, read the longest validity from here.
        NationalSettings.current()
        NationalSettings.objects.filter(pk=1).update(max_validity_months=values["max_validity_months"])
    audit.record(caller.user, "rules.national_changed", version, effective_from=effective_from.isoformat(),
                 overridable=overridable, **{name: values.get(name) for name in RULE_FIELDS})
    _changed()
    return version


@transaction.atomic
def set_area_rules(caller: Caller, area_id: int, *, effective_from: datetime.date, overrides: dict) -> RuleVersion:
    """A new version of an area's overrides from `effective_from`: a rule left out (or None) follows the
    national rules. Only rules the national version in force on that day lets areas set may be given."""
    area = _area(area_id)
    require_caller(caller, Action.MANAGE_AREA_RULES, area)
    _check_effective_from(effective_from)
    national = selectors.national_version_in_force(effective_from)
    allowed = national.overridable if national is not None else frozenset()
    given = {name: value for name, value in overrides.items() if value is not None}
    for name, value in given.items():
        if name not in RULE_FIELDS:
            raise Refusal(Code.INVALID, field=name)
        if name not in allowed:
            raise Refusal(Code.RULE_NOT_OVERRIDABLE, field=name)
        _check_value(name, value, nullable=False)
    version = RuleVersion.objects.create(area=area, effective_from=effective_from, created_by=caller.user, **given)
    audit.record(caller.user, "rules.area_changed", version, area_id=area.pk, effective_from=effective_from.isoformat(),
                 **given)
    _changed()
    return version


def rules_for(user, *, area_id: int | None, on: datetime.date | None) -> RuleSet:
    """The rules in force as a caller may read them (any signed-in user; an unknown area is 404)."""
    area = _area(area_id) if area_id is not None else None
    require(user, Action.VIEW_RULES, area)
    day = on or today()
    check_date(day, "on")
    return selectors.rules_in_force(area, day)


def rules_body(user, *, area_id: int | None, on: datetime.date | None) -> dict:
    rules = rules_for(user, area_id=area_id, on=on)
    national = selectors.national_version_in_force(on or today())
    return {**rules.values(), "area_id": rules.area_id, "on": on or today(), "effective_from": rules.effective_from,
            "overridable": sorted(national.overridable) if national is not None else []}


@receiver(post_save, sender=NationalSettings, dispatch_uid="programme.validity_follows_settings")
def _validity_follows_settings(sender, instance, created, update_fields=None, **kwargs):
    """The national settings page and PATCH /api/v1/settings still set the longest validity (network's own,
    audited there): from today it is the national rule, as a new national version like any other."""
    if update_fields is not None and "max_validity_months" not in update_fields:
        return
    day = today()
    current = selectors.rules_in_force(None, day)
    if current.max_validity_months == instance.max_validity_months:
        return
    national = selectors.national_version_in_force(day)
    RuleVersion.objects.create(area=None, effective_from=day, overridable=sorted(national.overridable)
                               if national is not None else [],
                               **{**current.values(), "max_validity_months": instance.max_validity_months})
    _changed()
