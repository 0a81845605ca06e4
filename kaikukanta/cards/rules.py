"""The card rules, as pure functions: the API services and the importer both call these.

Each function raises `Refusal` with API.md's code, and the order of the calls in
`check_new_card` is the order in which API.md says the rules are checked.
"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from kaikukanta.core import damm
from kaikukanta.core.bounds import check_date, check_integer
from kaikukanta.core.clock import add_months
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.programme.ruleset import BOUNDS, AgeCounting, RuleSet, describe_min_age

from .models import CardType

# The minimum age, the children's limits and the longest validity are the programme's rules
# (programme/ruleset.py), in force in the issuing site's area on the day of issue; these are bounds.
BIRTH_YEAR_MIN, BIRTH_YEAR_MAX = 1900, 9999
# Imported history: no card is older than the register's predecessors, none issued after today.
ISSUED_ON_EARLIEST = datetime.date(2000, 1, 1)
# The most children any area's rules allow on one card (a form's top; the area's own is RuleSet.max_children).
MAX_CHILDREN = BOUNDS["max_children"][1]
# Children's birth years as text (a form's field, an import's cell): four-digit years separated by commas,
# semicolons or spaces, one per child.
BIRTH_YEARS_TEXT_MAX = 200
_BIRTH_YEARS_SEPARATORS = re.compile(r"[,;\s]+")
MIN_WELLBEING_ANSWER = 1
MAX_WELLBEING_ANSWER = 5
WELLBEING_KEY = re.compile(r"[a-z0-9_]{1,40}")


class CardStatus:
    VALID = "valid"
    EXPIRED = "expired"
    CLOSED = "closed"


@dataclass(frozen=True)
class Holder:
    birth_year: int
    postal_code: str
    children: int
    gender: str = ""
    life_situation: str = ""
    # Each child's birth year (no names), where the area's rules age children; None: only the count is known.
    children_birth_years: tuple[int, ...] | None = None


def normalise_card_number(raw: str, field: str = "number") -> str:
    """10 bare digits from input that may carry spaces or dashes; refuses anything else."""
    number = damm.strip_separators(raw)
    if len(number) != 10 or not number.isascii() or not number.isdigit():
        raise Refusal(Code.INVALID, field=field)
    if not damm.is_valid(number):
        raise Refusal(Code.NUMBER_INVALID, field=field)
    return number


def parse_children_birth_years(text: str, field: str = "holder.children_birth_years") -> tuple[int, ...] | None:
    """Each child's birth year from text ("2014, 2019"), bounded before anything else reads it; empty: None
    (only the count is known). `invalid` for anything but at most MAX_CHILDREN four-digit years; their range,
    count and age are the rules' (check_holder_presence, check_children)."""
    if len(text) > BIRTH_YEARS_TEXT_MAX:
        raise Refusal(Code.INVALID, field=field)
    parts = [part for part in _BIRTH_YEARS_SEPARATORS.split(text) if part]
    if not parts:
        return None
    if len(parts) > MAX_CHILDREN or not all(len(part) == 4 and part.isascii() and part.isdigit() for part in parts):
        raise Refusal(Code.INVALID, field=field)
    return tuple(int(part) for part in parts)


def status_on(*, valid_until: datetime.date, closed_on: datetime.date | None, day: datetime.date) -> str:
    if closed_on is not None and closed_on <= day:
        return CardStatus.CLOSED
    if valid_until < day:
        return CardStatus.EXPIRED
    return CardStatus.VALID


def check_number_free(*, taken: bool, in_stock: bool, field: str = "number") -> None:
    if taken:
        raise Refusal(Code.NUMBER_TAKEN, field=field)
    if not in_stock:
        raise Refusal(Code.NUMBER_NOT_IN_STOCK, field=field)


def check_holder_presence(card_type: str, holder: Holder | None) -> None:
    """A personal card needs holder data; a community card has none (it is a worker's card for clients)."""
    if card_type == CardType.PERSONAL and holder is None:
        raise Refusal(Code.INVALID, field="holder")
    if card_type == CardType.COMMUNITY and holder is not None:
        raise Refusal(Code.INVALID, field="holder")
    if holder is not None:
        check_integer(holder.birth_year, "holder.birth_year", BIRTH_YEAR_MIN, BIRTH_YEAR_MAX)
        check_integer(holder.children, "holder.children")
        if holder.children_birth_years is not None:
            for year in holder.children_birth_years:
                check_integer(year, "holder.children_birth_years", BIRTH_YEAR_MIN, BIRTH_YEAR_MAX)
            if len(holder.children_birth_years) != holder.children:
                raise Refusal(Code.INVALID, field="holder.children_birth_years")


def check_issued_on(issued_on: datetime.date, day: datetime.date) -> None:
    """An imported card's day of issue: history, so not after `day`, and not before the register's predecessors."""
    check_date(issued_on, "issued_on")
    if not ISSUED_ON_EARLIEST <= issued_on <= day:
        raise Refusal(Code.DATE_OUT_OF_RANGE, field="issued_on")


def is_wellbeing_key(key: str) -> bool:
    return WELLBEING_KEY.fullmatch(key) is not None


def check_wellbeing_answers(card_type: str, answers: dict[str, int], current_keys: set[str]) -> None:
    """Answers are the holder's own, to the questions in use now, each 1..5."""
    if answers and card_type != CardType.PERSONAL:
        raise Refusal(Code.INVALID, field="wellbeing")
    for key, value in answers.items():
        if key not in current_keys or not MIN_WELLBEING_ANSWER <= value <= MAX_WELLBEING_ANSWER:
            raise Refusal(Code.INVALID, field=f"wellbeing.{key}")


def check_open(closed_on: datetime.date | None) -> None:
    """Renewing, closing or replacing needs a card that has not been closed."""
    if closed_on is not None:
        raise Refusal(Code.CARD_CLOSED)


def old_enough(birth_year: int, day: datetime.date, rules: RuleSet) -> bool:
    """The holder's minimum age from a birth year alone: turning N this calendar year, or (`on_the_day`)
    certainly N on the day whatever the birthday, i.e. born at least N + 1 calendar years before."""
    age = day.year - birth_year
    if rules.holder_age_counting == AgeCounting.ON_THE_DAY:
        age -= 1
    return age >= rules.holder_min_age


def check_holder_eligible(holder: Holder, day: datetime.date, rules: RuleSet, *,
                          municipality_of_postal_code: Callable[[str], str | None],
                          municipality_in_network: Callable[[str, datetime.date], bool]) -> str:
    """Age, postal code and home municipality; returns the home municipality's code."""
    if not old_enough(holder.birth_year, day, rules):
        raise Refusal(Code.HOLDER_TOO_YOUNG, field="holder.birth_year", detail=describe_min_age(rules))
    municipality = municipality_of_postal_code(holder.postal_code)
    if municipality is None:
        raise Refusal(Code.POSTAL_CODE_UNKNOWN, field="holder.postal_code")
    if not municipality_in_network(municipality, day):
        raise Refusal(Code.MUNICIPALITY_NOT_IN_NETWORK, field="holder.postal_code")
    return municipality


def latest_valid_until(day: datetime.date, max_validity_months: int) -> datetime.date:
    return add_months(day, max_validity_months)


def check_validity(valid_until: datetime.date, day: datetime.date, rules: RuleSet) -> None:
    if valid_until > latest_valid_until(day, rules.max_validity_months):
        raise Refusal(Code.VALIDITY_TOO_LONG, field="valid_until")
    if valid_until < day:
        raise Refusal(Code.VALIDITY_IN_PAST, field="valid_until")


def check_children(holder: Holder, day: datetime.date, rules: RuleSet, *, history: bool = False) -> None:
    """At most the area's children per card; where the area's rules age children, each child's birth year,
    none of them born after `day` or over the age limit on it. Imported history (`history`) carries a count
    only, like the cards issued before the rules aged children, and is judged as they are: by the count."""
    if not 0 <= holder.children <= rules.max_children:
        raise Refusal(Code.TOO_MANY_CHILDREN, field="holder.children")
    years = holder.children_birth_years
    if rules.children_need_birth_years and holder.children and years is None and not history:
        raise Refusal(Code.CHILD_BIRTH_YEARS_NEEDED, field="holder.children_birth_years")
    for year in years or ():
        if year > day.year:
            raise Refusal(Code.INVALID, field="holder.children_birth_years")
        if rules.children_max_age is not None and day.year - year > rules.children_max_age:
            raise Refusal(Code.CHILD_OVER_AGE_LIMIT, field="holder.children_birth_years")


def children_free(children: int, birth_years: tuple[int, ...] | None, day: datetime.date, rules: RuleSet) -> int:
    """How many of a card's children come free on `day` by `rules`: where the rules age children and the card
    records each child's birth year, those up to the age limit that calendar year; otherwise the card's count,
    as before years were recorded."""
    if rules.children_max_age is None or birth_years is None or len(birth_years) != children:
        return children
    return sum(1 for year in birth_years if 0 <= day.year - year <= rules.children_max_age)


def check_new_card(*, card_type: str, holder: Holder | None, valid_until: datetime.date, day: datetime.date,
                   rules: RuleSet, history: bool = False,
                   municipality_of_postal_code: Callable[[str], str | None],
                   municipality_in_network: Callable[[str, datetime.date], bool]) -> str | None:
    """Eligibility and validity of a card issued (or renewed with new holder data) on `day`, by `rules`: those
    in force that day in the issuing site's area.

    Returns the holder's home municipality code, or None for a community card.
    """
    check_holder_presence(card_type, holder)
    home = None
    if holder is not None:
        home = check_holder_eligible(holder, day, rules, municipality_of_postal_code=municipality_of_postal_code,
                                     municipality_in_network=municipality_in_network)
    check_validity(valid_until, day, rules)
    if holder is not None:
        check_children(holder, day, rules, history=history)
    return home
