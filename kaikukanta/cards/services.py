"""Card stock, cards and wellbeing questions: every write and every rule about them.

Each write is one transaction: permission, the rules of `rules.py` in API.md's order, the write, the
audit row. A refusal raised anywhere inside rolls the whole of it back. Audit rows name cards by
number and never carry holder data.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import Action, account_usable, allowed, require_caller
from kaikukanta.core import audit, changes, damm
from kaikukanta.core.clock import add_months, today
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.personal_data import check_free_text
from kaikukanta.core.sites import check_in_network
from kaikukanta.network.models import Organisation, OrganisationKind
from kaikukanta.network.selectors import municipality_in_network
from kaikukanta.programme.selectors import rules_in_force

from . import facts, guessing, rules, selectors
from .models import (
    CLOSE_REASONS,
    REPLACED,
    Card,
    CardBatch,
    CardEvent,
    CardEventKind,
    CardType,
    StockNumber,
    WellbeingAnswer,
    WellbeingQuestion,
)

MAX_BATCH_SIZE = 5000


@transaction.atomic
def create_card_batch(caller: Caller, *, distributor_id: int, count: int) -> tuple[CardBatch, list[str]]:
    """A batch of fresh random numbers for a distributor's stock; returns it with its numbers."""
    actor = caller.user
    distributor = Organisation.objects.filter(pk=distributor_id, kind=OrganisationKind.DISTRIBUTOR).first()
    if distributor is None:
        raise Refusal(Code.INVALID, field="distributor_id")
    require_caller(caller, Action.CREATE_CARD_BATCH, distributor)
    check_in_network(distributor, "distributor_id")
    if not 1 <= count <= MAX_BATCH_SIZE:
        raise Refusal(Code.INVALID, field="count")
    batch = CardBatch.objects.create(distributor=distributor, count=count, created_by=actor)
    numbers: set[str] = set()
    while len(numbers) < count:
        candidates = {damm.random_number() for _ in range(count - len(numbers))}
        used = set(StockNumber.objects.filter(number__in=candidates).values_list("number", flat=True))
        # ignore_conflicts covers a number another batch took between the look-up and the insert;
        # reading the batch back tells which numbers really became ours.
        StockNumber.objects.bulk_create(
            [StockNumber(number=number, distributor=distributor, batch=batch)
             for number in candidates - used],
            ignore_conflicts=True)
        numbers = set(StockNumber.objects.filter(batch=batch).values_list("number", flat=True))
    audit.record(actor, "card_batch.create", batch, distributor_id=distributor.pk, count=count)
    return batch, sorted(numbers)


def _check_new_card(card_type: str, holder: rules.Holder | None, valid_until: datetime.date,
                    day: datetime.date, area_id: int) -> str | None:
    """Judged by the rules in force on `day` in the issuing site's area."""
    return rules.check_new_card(
        card_type=card_type, holder=holder, valid_until=valid_until, day=day,
        rules=rules_in_force(area_id, day),
        municipality_of_postal_code=selectors.municipality_of_postal_code,
        municipality_in_network=municipality_in_network)


def _check_number_usable(number: str, issuer_id: int, field: str) -> None:
    rules.check_number_free(taken=selectors.number_taken(number),
                            in_stock=selectors.number_in_stock_of(number, issuer_id), field=field)


def _holder_fields(holder: rules.Holder, home_municipality: str) -> dict:
    return {"birth_year": holder.birth_year, "postal_code_id": holder.postal_code,
            "home_municipality_id": home_municipality, "children": holder.children,
            "children_birth_years": (list(holder.children_birth_years)
                                     if holder.children_birth_years is not None else None),
            "gender": holder.gender, "life_situation": holder.life_situation}


def _insert_card(number: str, field: str, **fields) -> Card:
    """Inserts in a savepoint: a concurrent issue of the same number becomes `number_taken`, not a 500."""
    try:
        with transaction.atomic():
            return Card.objects.create(number=number, **fields)
    except IntegrityError:
        raise Refusal(Code.NUMBER_TAKEN, field=field) from None


def _record_wellbeing(card: Card, event: CardEvent, answers: dict[str, int]) -> None:
    WellbeingAnswer.objects.bulk_create(
        [WellbeingAnswer(card=card, event=event, question_key=key, value=value)
         for key, value in answers.items()])


def check_card(caller: Caller, raw_number: str, *, field: str | None = None) -> Card:
    """A card looked up by its number for a check (API and desk): counted against the card-number guessing
    limits for a caller typing at an address. An unknown number is `card_not_found`; a malformed one too when
    no `field` is named (a number in a URL), otherwise `invalid`/`number_invalid` naming the field."""
    with guessing.guarding_check(caller):
        if not account_usable(caller.user):
            raise Refusal(Code.FORBIDDEN)
        number = (selectors.card_number_from_path(raw_number) if field is None
                  else rules.normalise_card_number(raw_number, field=field))
        return selectors.card_for_check(number)


def issue_card(caller: Caller, **card) -> Card:
    """A new card from the caller's own stock, checked in API.md's order. A typed number is a card number
    like any other: a caller stopped for guessing is stopped here too, and a malformed one counts."""
    with guessing.guarding_registration(caller, guessing.CARD_CHECK):
        return _issue_card(caller, **card)


@transaction.atomic
def _issue_card(caller: Caller, *, number: str, card_type: str, valid_until: datetime.date,
                holder: rules.Holder | None, wellbeing: dict[str, int] | None = None) -> Card:
    actor = caller.user
    require_caller(caller, Action.ISSUE_CARD, caller.site)
    issuer = caller.site
    number = rules.normalise_card_number(number)
    rules.check_holder_presence(card_type, holder)
    answers = wellbeing or {}
    rules.check_wellbeing_answers(card_type, answers, selectors.current_wellbeing_keys())
    _check_number_usable(number, issuer.pk, "number")
    day = today()
    home = _check_new_card(card_type, holder, valid_until, day, issuer.area_id)
    card = _insert_card(number, "number", card_type=card_type, issuer=issuer, issued_on=day,
                        valid_until=valid_until, **(_holder_fields(holder, home) if holder else {}))
    event = CardEvent.objects.create(card=card, event=CardEventKind.ISSUED, date=day, valid_until=valid_until,
                                     actor=actor)
    _record_wellbeing(card, event, answers)
    changes.cards_changed(card.pk)
    audit.record(actor, "card.issue", card, number=card.number, card_type=card_type,
                 valid_until=valid_until.isoformat(), wellbeing_answers=len(answers))
    return card


def _card_to_manage(caller: Caller, raw_number: str) -> Card:
    """The card named in the path, locked, if the caller's organisation issued it.

    Another distributor is told the card does not exist (its existence must not leak);
    other roles, who may know cards exist, are told they are not allowed.
    """
    actor = caller.user
    if not account_usable(actor):
        raise Refusal(Code.FORBIDDEN)
    number = selectors.card_number_from_path(raw_number)
    card = (Card.objects.select_for_update(of=("self",)).select_related("issuer")
            .filter(number=number).first())
    if card is None:
        raise Refusal(Code.CARD_NOT_FOUND)
    if not allowed(actor, Action.MANAGE_CARD, card) and actor.role == Role.DISTRIBUTOR:
        raise Refusal(Code.CARD_NOT_FOUND)
    require_caller(caller, Action.MANAGE_CARD, card)
    return card


@transaction.atomic
def renew_card(caller: Caller, raw_number: str, *, valid_until: datetime.date, holder: rules.Holder | None = None,
               wellbeing: dict[str, int] | None = None) -> Card:
    """A new end of validity, judged from today; eligibility is judged again when holder data is sent."""
    actor = caller.user
    card = _card_to_manage(caller, raw_number)
    if holder is not None:
        rules.check_holder_presence(card.card_type, holder)
    answers = wellbeing or {}
    rules.check_wellbeing_answers(card.card_type, answers, selectors.current_wellbeing_keys())
    rules.check_open(card.closed_on)
    day = today()
    if holder is not None:
        home = _check_new_card(card.card_type, holder, valid_until, day, card.issuer.area_id)
        for name, value in _holder_fields(holder, home).items():
            setattr(card, name, value)
    else:
        rules.check_validity(valid_until, day, rules_in_force(card.issuer.area_id, day))
    card.valid_until = valid_until
    card.save()
    event = CardEvent.objects.create(card=card, event=CardEventKind.RENEWED, date=day,
                                     valid_until=valid_until, actor=actor)
    _record_wellbeing(card, event, answers)
    changes.cards_changed(card.pk)
    audit.record(actor, "card.renew", card, number=card.number, valid_until=valid_until.isoformat(),
                 holder_updated=holder is not None, wellbeing_answers=len(answers))
    return card


@transaction.atomic
def close_card(caller: Caller, raw_number: str, *, reason: str) -> Card:
    """Closed from today on: visits dated today or later are refused."""
    actor = caller.user
    card = _card_to_manage(caller, raw_number)
    if reason not in CLOSE_REASONS:
        raise Refusal(Code.INVALID, field="reason")
    rules.check_open(card.closed_on)
    day = today()
    card.closed_on = day
    card.close_reason = reason
    card.save(update_fields=["closed_on", "close_reason"])
    CardEvent.objects.create(card=card, event=CardEventKind.CLOSED, date=day, reason=reason, actor=actor)
    changes.cards_changed(card.pk)
    audit.record(actor, "card.close", card, number=card.number, reason=reason)
    return card


def replace_card(caller: Caller, raw_number: str, *, new_number: str) -> Card:
    """A new card for a lost or broken one: same holder data and validity; the old card closes today. The new
    number is typed, so it is held to the guessing limits as a card issued is."""
    with guessing.guarding_registration(caller, guessing.CARD_CHECK):
        return _replace_card(caller, raw_number, new_number=new_number)


@transaction.atomic
def _replace_card(caller: Caller, raw_number: str, *, new_number: str) -> Card:
    actor = caller.user
    old = _card_to_manage(caller, raw_number)
    new_number = rules.normalise_card_number(new_number, field="new_number")
    rules.check_open(old.closed_on)
    _check_number_usable(new_number, old.issuer_id, "new_number")
    day = today()
    old.closed_on = day
    old.close_reason = REPLACED
    old.save(update_fields=["closed_on", "close_reason"])
    new = _insert_card(
        new_number, "new_number", card_type=old.card_type, issuer=old.issuer, issued_on=day,
        valid_until=old.valid_until, replaces=old, birth_year=old.birth_year,
        postal_code_id=old.postal_code_id, home_municipality_id=old.home_municipality_id,
        children=old.children, children_birth_years=old.children_birth_years, gender=old.gender,
        life_situation=old.life_situation)
    CardEvent.objects.create(card=old, event=CardEventKind.REPLACED, date=day, reason=REPLACED,
                             other_number=new.number, actor=actor)
    # The holder's wellbeing answers follow the holder to the new card, so an answer given at issue
    # still pairs with the answers of a renewal made on the replacement.
    WellbeingAnswer.objects.filter(card=old).update(card=new)
    CardEvent.objects.create(card=new, event=CardEventKind.ISSUED, date=day, valid_until=new.valid_until,
                             other_number=old.number, actor=actor)
    changes.cards_changed(old.pk, new.pk)
    audit.record(actor, "card.replaced", old, number=old.number, replaced_by=new.number)
    audit.record(actor, "card.replace", new, number=new.number, replaces=old.number)
    return new


@dataclass(frozen=True)
class QuestionText:
    key: str
    fi: str
    sv: str
    en: str


@transaction.atomic
def replace_wellbeing_questions(caller: Caller, questions: list[QuestionText]) -> list[WellbeingQuestion]:
    """The new current set, in the order given. Retired questions stay, so earlier answers keep their keys."""
    require_caller(caller, Action.MANAGE_WELLBEING_QUESTIONS)
    keys = [question.key for question in questions]
    for position, key in enumerate(keys):
        if not rules.is_wellbeing_key(key) or key in keys[:position]:
            raise Refusal(Code.INVALID, field=f"results.{position}.key")
    for position, question in enumerate(questions):
        for language in ("fi", "sv", "en"):
            if not getattr(question, language).strip():
                raise Refusal(Code.INVALID, field=f"results.{position}.text.{language}")
            check_free_text(getattr(question, language), f"results.{position}.text.{language}")
    WellbeingQuestion.objects.filter(current=True).exclude(key__in=keys).update(current=False)
    for position, question in enumerate(questions):
        WellbeingQuestion.objects.update_or_create(
            key=question.key,
            defaults={"text_fi": question.fi, "text_sv": question.sv, "text_en": question.en,
                      "position": position, "current": True})
    audit.record(caller.user, "wellbeing_questions.replace", object_type="wellbeingquestion", object_id="current",
                 keys=keys)
    return selectors.current_wellbeing_questions()


# Retention

COARSENING_BAND_YEARS = 5
_COARSENING_CHUNK = 1000


@dataclass(frozen=True)
class CoarseningResult:
    cutoff: datetime.date
    chains: int
    cards: int


def _band_birth_year(birth_year: int, visit_years: set[int]) -> int:
    """The earliest year of the holder's five-year band that puts them in the same age group as their
    real birth year in every year the card could be used. Usually the band's first year; when an age-group
    boundary falls inside the card's years, the earliest year that still gives the statistics their exact
    age groups (no more than the statistics themselves already tell)."""
    start = birth_year - birth_year % COARSENING_BAND_YEARS
    for candidate in range(start, birth_year + 1):
        if all(facts.age_group(candidate, year) == facts.age_group(birth_year, year) for year in visit_years):
            return candidate
    return birth_year


def _years_usable(card: dict) -> set[int]:
    last_valid = facts.ends_on(card["issued_on"], card["valid_until"], card["closed_on"]) \
        - datetime.timedelta(days=1)
    return set(range(card["issued_on"].year, max(card["issued_on"].year, last_valid.year) + 1))


def _chains_of(newest_ids: list[int]) -> list[list[dict]]:
    """Each newest card with the cards it replaced, read a generation at a time."""
    columns = ("id", "replaces_id", "birth_year", "issued_on", "valid_until", "closed_on")
    chains = {newest: [] for newest in newest_ids}
    wanted = {newest: newest for newest in newest_ids}
    while wanted:
        rows = Card.objects.filter(pk__in=list(wanted)).values(*columns)
        following = {}
        for row in rows:
            chain = wanted[row["id"]]
            chains[chain].append(row)
            if row["replaces_id"] is not None:
                following[row["replaces_id"]] = chain
        wanted = following
    return list(chains.values())


@transaction.atomic
def coarsen_holder_data(*, day: datetime.date | None = None, years: int | None = None) -> CoarseningResult:
    """Retention, meant to run daily and safe to run again: the holder data of every card whose chain
    (a card and the cards it replaced: one holder) ended — its newest card closed or expired — at least
    `years` years ago is coarsened: birth year to the band of `_band_birth_year`, postal code dropped
    (the home municipality stays). Every statistic reads age groups and home municipalities only, so
    the figures, folded or rebuilt, stay the same; the statistics' own copy of each card's facts is
    refolded so that no exact birth year stays there either. One audit row per run."""
    day = day or today()
    years = settings.KAIKUKANTA_HOLDER_RETENTION_YEARS if years is None else years
    cutoff = add_months(day, -12 * years)
    newest = (Card.objects.filter(card_type=CardType.PERSONAL, replaced_by__isnull=True,
                                  holder_coarsened_on__isnull=True)
              .filter(Q(closed_on__lte=cutoff) | Q(valid_until__lt=cutoff))
              .order_by("pk").values_list("pk", flat=True))
    newest_ids = list(newest)
    chains = cards = 0
    for start in range(0, len(newest_ids), _COARSENING_CHUNK):
        changed = []
        for chain in _chains_of(newest_ids[start:start + _COARSENING_CHUNK]):
            chains += 1
            years_by_birth = {}
            for card in chain:
                if card["birth_year"] is not None:
                    years_by_birth.setdefault(card["birth_year"], set()).update(_years_usable(card))
            for card in chain:
                band = (None if card["birth_year"] is None
                        else _band_birth_year(card["birth_year"], years_by_birth[card["birth_year"]]))
                changed.append(Card(pk=card["id"], birth_year=band, postal_code=None, holder_coarsened_on=day))
        Card.objects.bulk_update(changed, ["birth_year", "postal_code", "holder_coarsened_on"])
        changes.cards_changed(*(card.pk for card in changed))
        cards += len(changed)
    audit.record(None, "holder_data.coarsened", object_type="card", object_id="retention",
                 cutoff=cutoff.isoformat(), retention_years=years, chains=chains, cards=cards)
    return CoarseningResult(cutoff=cutoff, chains=chains, cards=cards)
