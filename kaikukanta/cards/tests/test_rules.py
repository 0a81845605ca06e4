"""The validity rule with fixed dates: "12 months from today" is the same day a year later, and
29 February gives 28 February."""

import datetime

import pytest

from kaikukanta.cards import rules
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.programme.ruleset import NATIONAL_DEFAULTS

LEAP_DAY = datetime.date(2024, 2, 29)


@pytest.mark.parametrize(("day", "months", "latest"), [
    (datetime.date(2025, 3, 15), 12, datetime.date(2026, 3, 15)),
    (LEAP_DAY, 12, datetime.date(2025, 2, 28)),
    (datetime.date(2025, 1, 31), 1, datetime.date(2025, 2, 28)),
    (datetime.date(2025, 8, 31), 6, datetime.date(2026, 2, 28)),
    (datetime.date(2025, 12, 31), 24, datetime.date(2027, 12, 31)),
])
def test_latest_end_of_validity(day, months, latest):
    assert rules.latest_valid_until(day, months) == latest


def test_twelve_months_from_leap_day_ends_on_28_february():
    rules.check_validity(datetime.date(2025, 2, 28), LEAP_DAY, NATIONAL_DEFAULTS)
    with pytest.raises(Refusal) as refused:
        rules.check_validity(datetime.date(2025, 3, 1), LEAP_DAY, NATIONAL_DEFAULTS)
    assert refused.value.code == Code.VALIDITY_TOO_LONG


def test_validity_may_end_today_but_not_yesterday():
    day = datetime.date(2025, 6, 10)
    rules.check_validity(day, day, NATIONAL_DEFAULTS)
    with pytest.raises(Refusal) as refused:
        rules.check_validity(day - datetime.timedelta(days=1), day, NATIONAL_DEFAULTS)
    assert refused.value.code == Code.VALIDITY_IN_PAST


@pytest.mark.parametrize(("birth_year", "eligible"), [(2009, True), (2010, False), (1930, True)])
def test_holder_must_turn_16_this_calendar_year(birth_year, eligible):
    holder = rules.Holder(birth_year=birth_year, postal_code="00100", children=0)

    def check():
        rules.check_holder_eligible(holder, datetime.date(2025, 1, 1), NATIONAL_DEFAULTS,
                                    municipality_of_postal_code=lambda code: "091",
                                    municipality_in_network=lambda code, day: True)

    if eligible:
        check()
    else:
        with pytest.raises(Refusal) as refused:
            check()
        assert refused.value.code == Code.HOLDER_TOO_YOUNG


def test_status_follows_closing_and_validity():
    day = datetime.date(2025, 6, 10)
    assert rules.status_on(valid_until=day, closed_on=None, day=day) == "valid"
    assert rules.status_on(valid_until=day, closed_on=None, day=day + datetime.timedelta(days=1)) == "expired"
    assert rules.status_on(valid_until=day, closed_on=day, day=day) == "closed"
