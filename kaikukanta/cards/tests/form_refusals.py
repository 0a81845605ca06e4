"""The card pages' forms, each with the refusals the server gives them (core/tests/test_form_refusals.py)."""

import datetime

from kaikukanta.core.clock import today
from kaikukanta.network.models import NationalSettings
from kaikukanta.testing import FormRefusal, make_card, stock_numbers


def _in_days(days: int) -> str:
    return (today() + datetime.timedelta(days=days)).isoformat()


def _issue(**changes):
    def data(network):
        form = {"number": stock_numbers(network.distributor, 1)[0], "card_type": "personal",
                "valid_until": _in_days(200), "birth_year": "1975", "postal_code": "02100", "children": "2",
                "gender": "female", "life_situation": "student"}
        form.update({name: value(network) if callable(value) else value for name, value in changes.items()})
        return form
    return data


def _renew(**changes):
    def data(network):
        form = {"valid_until": _in_days(200), "birth_year": "1975", "postal_code": "02100", "children": "1",
                "gender": "female", "life_situation": "student"}
        form.update(changes)
        return form
    return data


def _card(network) -> dict:
    return {"number": make_card(network.distributor).number}


def _a_number_of_another_site(network) -> str:
    return stock_numbers(network.other_distributor, 1)[0]


def _longest() -> str:
    return _in_days(31 * (NationalSettings.current().max_validity_months + 1))


REFUSALS = {
    "cards:issue": [
        FormRefusal("distributor", _issue(number=_a_number_of_another_site), "number"),
        FormRefusal("distributor", _issue(number="1234567890"), "number"),
        FormRefusal("distributor", _issue(number="12345"), "number"),
        FormRefusal("distributor", _issue(postal_code="99999"), "postal_code"),
        FormRefusal("distributor", _issue(postal_code="96100"), "postal_code"),
        FormRefusal("distributor", _issue(valid_until=_in_days(-1)), "valid_until"),
        FormRefusal("distributor", _issue(valid_until=lambda network: _longest()), "valid_until"),
        FormRefusal("distributor", _issue(children="99"), "children"),
        FormRefusal("distributor", _issue(birth_year=str(today().year)), "birth_year"),
        FormRefusal("distributor", _issue(gender="robot"), "gender"),
        FormRefusal("distributor", _issue(card_type="family"), "card_type"),
    ],
    "cards:renew": [
        FormRefusal("distributor", _renew(valid_until=_in_days(-1)), "valid_until", kwargs=_card),
        FormRefusal("distributor", _renew(postal_code="99999"), "postal_code", kwargs=_card),
        FormRefusal("distributor", _renew(children="99"), "children", kwargs=_card),
    ],
    "cards:close": [
        FormRefusal("distributor", lambda network: {"reason": "bored"}, "reason", kwargs=_card),
    ],
    "cards:replace": [
        FormRefusal("distributor", lambda network: {"new_number": _a_number_of_another_site(network)}, "new_number",
                    kwargs=_card),
        FormRefusal("distributor", lambda network: {"new_number": "12"}, "new_number", kwargs=_card),
    ],
}
WITHOUT_REFUSALS = {}
