"""Every date input of every page form offers only the days the server takes (core/date_inputs.py): `type="date"`
with `min` and `max` of core/bounds.py, or of the field's own narrower rule.

The forms are found by introspection: every form class of the project whose fields, or whose code, hold a date
field. A form that cannot be built without arguments needs an entry in ARGUMENTS, so a new one fails here until
it is listed (and is then checked like the others).
"""

import datetime
import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.utils.html import escape

import kaikukanta
from kaikukanta.core.bounds import DATE_MAX, DATE_MIN
from kaikukanta.core.clock import today
from kaikukanta.programme.selectors import rules_in_force

pytestmark = pytest.mark.django_db


def _import_everything() -> None:
    for info in pkgutil.walk_packages(kaikukanta.__path__, "kaikukanta."):
        if ".tests" not in info.name and ".migrations" not in info.name:
            importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _has_dates(form_class) -> bool:
    if any(isinstance(field, forms.DateField) for field in form_class.base_fields.values()):
        return True
    source = inspect.getsource(form_class)
    return "DateField" in source or "date_field(" in source


def date_forms() -> list[type]:
    _import_everything()
    found = {cls for cls in _subclasses(forms.BaseForm)
             if cls.__module__.startswith("kaikukanta.") and ".tests" not in cls.__module__ and _has_dates(cls)}
    return sorted(found, key=lambda cls: f"{cls.__module__}.{cls.__qualname__}")


def _name(form_class) -> str:
    return f"{form_class.__module__.removeprefix('kaikukanta.')}.{form_class.__qualname__}"


# What a form needs to be built, for those that take arguments.
ARGUMENTS = {
    "cards.forms.RenewForm": lambda: {"personal": True},
    "programme.forms.RulesForm": lambda: {"national": True},
    "stats.forms.DashboardForm": lambda: {"query": {}, "areas": []},
    "visits.forms.PaperListForm": lambda: {"day": today(), "offerings": (), "area_id": None},
}

# Fields with a narrower rule than core/bounds.py: (first day, last day) offered.
NARROWER = {
    ("cards.forms.IssueForm", "valid_until"): lambda: (today(), DATE_MAX),
    ("cards.forms.RenewForm", "valid_until"): lambda: (today(), DATE_MAX),
    ("network.forms.CommitmentForm", "committed_on"): lambda: (DATE_MIN, today()),
    ("network.forms.StatementsForm", "statements_reviewed_on"): lambda: (DATE_MIN, today()),
    ("programme.forms.RulesForm", "effective_from"): lambda: (today(), DATE_MAX),
    ("visits.forms.PaperListForm", "used_on"): lambda: (
        today() - datetime.timedelta(days=rules_in_force(None, today()).paper_list_days), today()),
}


def test_the_forms_with_dates_are_found():
    names = {_name(cls) for cls in date_forms()}
    assert {"visits.forms.OfferingForm", "visits.forms.PaperListForm", "stats.forms.DashboardForm",
            "network.forms.StatementsForm", "cards.forms.IssueForm", "programme.forms.RulesForm"} <= names


def _attribute(html: str, name: str) -> str | None:
    match = re.search(rf'\s{name}="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.mark.parametrize("form_class", date_forms(), ids=_name)
def test_every_date_input_offers_only_what_the_server_takes(network, form_class):
    name = _name(form_class)
    assert name in ARGUMENTS or _buildable(form_class), f"{name} needs arguments: list them in ARGUMENTS"
    form = form_class(**ARGUMENTS.get(name, dict)())

    dates = [bound for bound in form if isinstance(bound.field, forms.DateField)]
    assert dates, f"{name} has no date field once built"
    for bound in dates:
        html = str(bound)
        low, high = NARROWER.get((name, bound.name), lambda: (DATE_MIN, DATE_MAX))()
        assert _attribute(html, "type") == "date", (name, bound.name, html)
        assert (_attribute(html, "min"), _attribute(html, "max")) == (escape(low.isoformat()),
                                                                      escape(high.isoformat())), (name, bound.name)


def _buildable(form_class) -> bool:
    try:
        form_class()
    except TypeError:
        return False
    return True


def test_a_bound_set_by_a_form_stays_narrower_and_never_wider(network):
    from kaikukanta.core.date_inputs import DateInput

    wide = DateInput(attrs={"min": "1000-01-01", "max": "9999-12-31"}).render("day", None)
    narrow = DateInput(attrs={"min": "2026-01-01"}, high=datetime.date(2026, 12, 31)).render("day", None)

    assert (_attribute(wide, "min"), _attribute(wide, "max")) == ("1900-01-01", "9000-12-31")
    assert (_attribute(narrow, "min"), _attribute(narrow, "max")) == ("2026-01-01", "2026-12-31")
