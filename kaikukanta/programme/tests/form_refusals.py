"""The rule pages' forms, each with the refusals the server gives them (core/tests/test_form_refusals.py)."""

import datetime

from kaikukanta.core.clock import today
from kaikukanta.testing import FormRefusal

from .page_examples import _area


def _area_rules(**changes):
    day = (today() + datetime.timedelta(days=30)).isoformat()
    return lambda network: {"effective_from": day, "action": "save", "children_max_age": "17", "max_children": "",
                            "courses_admit_children": "", "other_area_cards": "", **changes}


def _national(**changes):
    return lambda network: {
        "effective_from": today().isoformat(), "action": "save", "holder_min_age": "17",
        "holder_age_counting": "calendar_year", "children_max_age": "", "max_children": "20",
        "courses_admit_children": "no", "max_clients": "10", "max_assistants": "2", "max_validity_months": "12",
        "cancel_window_days": "7", "paper_list_days": "31", "other_area_cards": "yes", **changes}


YESTERDAY = (today() - datetime.timedelta(days=1)).isoformat()

REFUSALS = {
    "programme:area_rules": [
        FormRefusal("coordinator", _area_rules(effective_from=YESTERDAY), "effective_from", kwargs=_area),
        FormRefusal("coordinator", _area_rules(max_children="1000"), "max_children", kwargs=_area),
    ],
    "programme:rules": [
        FormRefusal("admin", _national(effective_from=YESTERDAY), "effective_from"),
        FormRefusal("admin", _national(max_validity_months="0"), "max_validity_months"),
        FormRefusal("admin", _national(holder_age_counting="moon"), "holder_age_counting"),
    ],
}
WITHOUT_REFUSALS = {}
