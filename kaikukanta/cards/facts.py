"""What a card's holder data and dates mean for counting: the age groups and the day a card stops being
valid. The statistics count by these (stats/rollups.py); the retention rule (cards.services) keeps them
unchanged when it coarsens a birth year, so both read them here."""

import datetime

NO_KEY = "none"
AGE_GROUPS = ((18, "16-17"), (30, "18-29"), (50, "30-49"), (65, "50-64"))
OLDEST_AGE_GROUP = "65+"


def age_group(birth_year: int | None, year: int) -> str:
    if birth_year is None:
        return NO_KEY
    age = year - birth_year
    for below, label in AGE_GROUPS:
        if age < below:
            return label
    return OLDEST_AGE_GROUP


def ends_on(issued_on: datetime.date, valid_until: datetime.date, closed_on: datetime.date | None) -> datetime.date:
    """The first day a card is no longer valid (never before its issue day, so that cardholders on a day
    = cards issued by then − cards ended by then)."""
    end = valid_until + datetime.timedelta(days=1)
    if closed_on is not None:
        end = min(end, closed_on)
    return max(end, issued_on)
