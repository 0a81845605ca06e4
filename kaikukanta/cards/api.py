"""HTTP API of card stock, cards and wellbeing questions (API.md "Card stock" and "Cards").

Thin: bodies are parsed by strict schemas (an unknown field, such as a holder's name, is `400 invalid`),
the services and selectors do the work, and this module only shapes the JSON.
"""

import datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import BeforeValidator, StrictInt, StrictStr, model_validator

from kaikukanta.accounts.caller import Caller
from kaikukanta.accounts.models import Role
from kaikukanta.accounts.policy import Action, allowed, require
from kaikukanta.core.api_support import StrictSchema, keyset_page
from kaikukanta.core.clock import today
from kaikukanta.core.errors import Code, Refusal

from . import rules, selectors, services
from .models import CLOSE_REASONS, GENDERS, LIFE_SITUATIONS, Card, CardBatch, CardEvent, CardType

router = Router(tags=["cards"])

MAX_NUMBER_INPUT = 40


def _iso_date_text(value):
    """Dates come as `YYYY-MM-DD` text; a bare number is not a date even if it could be read as one."""
    if not isinstance(value, str):
        raise ValueError("a date is YYYY-MM-DD text")
    return value


IsoDate = Annotated[datetime.date, BeforeValidator(_iso_date_text)]
NumberText = Annotated[StrictStr, Field(max_length=MAX_NUMBER_INPUT)]
CardStatusName = Literal["valid", "expired", "closed"]


class HolderIn(StrictSchema):
    birth_year: Annotated[StrictInt, Field(ge=rules.BIRTH_YEAR_MIN, le=rules.BIRTH_YEAR_MAX)]
    postal_code: Annotated[StrictStr, Field(max_length=10)]
    children: StrictInt = Field(description="Own or same-household children and grandchildren under 18, "
                                            "0..20 (otherwise `422 too_many_children`).")
    gender: Literal[GENDERS] | None = None
    life_situation: Literal[LIFE_SITUATIONS] | None = None
    children_birth_years: list[Annotated[StrictInt, Field(ge=rules.BIRTH_YEAR_MIN, le=rules.BIRTH_YEAR_MAX)]] | None = (
        Field(None, max_length=rules.MAX_CHILDREN, examples=[[2014, 2019]],
              description="Each child's birth year, one per child (no names): needed where the issuing area's "
                          "rules have a children's age limit (`GET /api/v1/rules`, `children_max_age`; "
                          "otherwise `422 child_birth_years_needed`); a child over it is "
                          "`422 child_over_age_limit`."))

    def as_holder(self) -> rules.Holder:
        years = tuple(self.children_birth_years) if self.children_birth_years is not None else None
        return rules.Holder(birth_year=self.birth_year, postal_code=self.postal_code, children=self.children,
                            gender=self.gender or "", life_situation=self.life_situation or "",
                            children_birth_years=years)


WellbeingIn = dict[Annotated[StrictStr, Field(max_length=40)], StrictInt]


WELLBEING_DESCRIPTION = "Answers 1..5 keyed by the current questions' keys (GET /api/v1/wellbeing/questions)."


class CardIn(StrictSchema):
    number: NumberText = Field(description="10 digits; spaces and dashes are ignored.")
    card_type: Literal["personal", "community"]
    valid_until: IsoDate
    holder: HolderIn | None = Field(
        None, description="Required for a personal card, absent for a community card.")
    wellbeing: WellbeingIn | None = Field(None, description=WELLBEING_DESCRIPTION)


class RenewIn(StrictSchema):
    valid_until: IsoDate
    holder: HolderIn | None = Field(None, description="New holder data; eligibility is judged again.")
    wellbeing: WellbeingIn | None = Field(None, description=WELLBEING_DESCRIPTION)


class CloseIn(StrictSchema):
    reason: Literal[CLOSE_REASONS]


class ReplaceIn(StrictSchema):
    new_number: NumberText


class CardCheckOut(Schema):
    """What any venue may see: whether the card can be used, and for how many children."""

    number: str
    status: CardStatusName
    valid_until: datetime.date
    card_type: Literal["personal", "community"]
    children: int = Field(description="The children registered on the card.")
    children_today: int = Field(
        description="How many of them come free today by the rules in force today (`GET /api/v1/rules`) in the "
                    "caller's area (a venue's or distributor's site's area, a coordinator's own; for the "
                    "national admin the card's issuing area): under a `children_max_age`, only the children "
                    "whose recorded birth year makes them at most that age this calendar year; the card's "
                    "count where the rules age no children or the card records no birth years. Whatever the "
                    "`status`: the status says whether the card may be used at all.",
        examples=[1])


class HolderOut(Schema):
    birth_year: int = Field(description="Once the card has been closed or expired for the retention period: "
                                        "the first year of the holder's five-year band.")
    postal_code: str | None = Field(description="None once the card has been closed or expired for the "
                                                "retention period: only the home municipality is kept.")
    home_municipality: str
    children: int
    gender: str | None
    life_situation: str | None


class HistoryEventOut(Schema):
    event: Literal["issued", "renewed", "closed", "replaced"]
    date: datetime.date
    card_number: str = Field(
        description="The card the event happened to (an earlier card, after a replacement).")
    valid_until: datetime.date | None
    reason: str | None
    other_number: str | None = Field(
        description="Replaced: the new card's number; issued: the card it replaced.")


class CardSummaryOut(CardCheckOut):
    holder: HolderOut | None
    issued_on: datetime.date
    issuer_id: int
    closed_on: datetime.date | None
    close_reason: str | None
    replaces: str | None = Field(description="The number of the card this one replaced.")


class CardOut(CardSummaryOut):
    history: list[HistoryEventOut]


class CardPageOut(Schema):
    results: list[CardSummaryOut]
    next: str | None


def _check_view(card: Card, day: datetime.date, area_id: int | None) -> dict:
    children_today = selectors.children_today(card, day, area_id)
    return {"number": card.number,
            "status": rules.status_on(valid_until=card.valid_until, closed_on=card.closed_on, day=day),
            "valid_until": card.valid_until, "card_type": card.card_type, "children": card.children,
            "children_today": children_today}


def _holder_view(card: Card) -> dict | None:
    if card.card_type != CardType.PERSONAL:
        return None
    return {"birth_year": card.birth_year, "postal_code": card.postal_code_id,
            "home_municipality": card.home_municipality_id, "children": card.children,
            "gender": card.gender or None, "life_situation": card.life_situation or None}


def _summary_view(card: Card, day: datetime.date, replaces: str | None, area_id: int | None) -> dict:
    return {**_check_view(card, day, area_id), "holder": _holder_view(card), "issued_on": card.issued_on,
            "issuer_id": card.issuer_id, "closed_on": card.closed_on,
            "close_reason": card.close_reason or None, "replaces": replaces}


def _event_view(event: CardEvent) -> dict:
    return {"event": event.event, "date": event.date, "card_number": event.card.number,
            "valid_until": event.valid_until, "reason": event.reason or None,
            "other_number": event.other_number or None}


def _full_view(user, card: Card) -> dict:
    history = selectors.card_history(card)
    replaces = next((event.card.number for event in history if event.card_id == card.replaces_id), None)
    return {**_summary_view(card, today(), replaces, selectors.children_today_area_id(user, card)),
            "history": [_event_view(event) for event in history]}


@router.post("/cards", response={201: CardOut})
def issue_card(request: HttpRequest, payload: CardIn):
    """Issue a card from the caller's own stock (distributor staff). Returns the card with holder data.

    Errors: `400 invalid`, `400 number_invalid`, `409 number_taken`, `422 number_not_in_stock`,
    `422 holder_too_young`, `422 postal_code_unknown`, `422 municipality_not_in_network`,
    `422 validity_too_long`, `422 validity_in_past`, `422 too_many_children`, checked in this order;
    `403 forbidden` for anyone but distributor staff.
    """
    card = services.issue_card(
        Caller.api(request), number=payload.number, card_type=payload.card_type, valid_until=payload.valid_until,
        holder=payload.holder.as_holder() if payload.holder else None, wellbeing=payload.wellbeing)
    return Status(201, _full_view(request.user, card))


@router.get("/cards", response=CardPageOut)
def list_cards(request: HttpRequest, status: CardStatusName | None = None,
               expiring_within_days: int | None = Query(None, ge=0, le=3660), issuer_id: int | None = None):
    """Cards with holder data in the caller's scope: a distributor's own, an area's, or all (national admin).

    `status` is as of today; `expiring_within_days` lists valid cards whose validity ends within that many
    days. Keyset-paged by `after`. Errors: `400 invalid`, `403 forbidden` (venue staff).
    """
    require(request.user, Action.LIST_CARDS)
    cards = selectors.cards_with_holder_access(request.user)
    day = today()
    if status is not None:
        cards = selectors.filter_by_status(cards, status, day)
    if expiring_within_days is not None:
        cards = selectors.expiring_within(cards, expiring_within_days, day)
    if issuer_id is not None:
        cards = cards.filter(issuer_id=issuer_id)
    cards = cards.select_related("replaces", "issuer")
    page = keyset_page(request, cards, lambda card: _summary_view(
        card, day, card.replaces.number if card.replaces_id else None,
        selectors.children_today_area_id(request.user, card)))
    selectors.record_holder_read(request.user, [card["number"] for card in page["results"]], "api")
    return page


@router.get("/cards/{number}", response={200: CardOut | CardCheckOut})
def get_card(request: HttpRequest, number: str):
    """Check a card. Venue staff (and a coordinator of another area) get only its validity:
    `number, status, valid_until, card_type, children, children_today`. The issuing distributor, its area's coordinator
    and the national admin get holder data and history as well.

    Errors: `404 card_not_found` (also for a malformed number, and for a distributor of another organisation);
    `429 throttled` with `Retry-After` (seconds) when the caller or its address has checked too many cards,
    or too many unknown numbers, lately.
    """
    card = services.check_card(Caller.api(request), number)
    if allowed(request.user, Action.VIEW_HOLDER_DATA, card):
        return _full_view(request.user, selectors.card_with_holder_data_for(request.user, card.number, via="api"))
    if request.user.role == Role.DISTRIBUTOR:
        raise Refusal(Code.CARD_NOT_FOUND)
    require(request.user, Action.CHECK_CARD)
    # The venue's area (the site read with the token): no statement more than the check itself.
    return _check_view(card, today(), selectors.children_today_area_id(request.user, card))


@router.post("/cards/{number}/renew", response=CardOut)
def renew_card(request: HttpRequest, number: str, payload: RenewIn):
    """Renew a card (staff of the issuing distributor); an expired card may be renewed.
    Sending `holder` replaces the holder data and judges eligibility again.

    Errors: `400 invalid`, `404 card_not_found` (also for another distributor), `403 forbidden`,
    `422 card_closed`, then `422 holder_too_young`, `422 postal_code_unknown`,
    `422 municipality_not_in_network`, `422 validity_too_long`, `422 validity_in_past`,
    `422 too_many_children`.
    """
    card = services.renew_card(Caller.api(request), number, valid_until=payload.valid_until,
                               holder=payload.holder.as_holder() if payload.holder else None,
                               wellbeing=payload.wellbeing)
    return _full_view(request.user, card)


@router.post("/cards/{number}/close", response=CardOut)
def close_card(request: HttpRequest, number: str, payload: CloseIn):
    """Close a card from today on (staff of the issuing distributor).

    Errors: `400 invalid`, `404 card_not_found`, `403 forbidden`, `422 card_closed`.
    """
    return _full_view(request.user, services.close_card(Caller.api(request), number, reason=payload.reason))


@router.post("/cards/{number}/replace", response={201: CardOut})
def replace_card(request: HttpRequest, number: str, payload: ReplaceIn):
    """Replace a card with a new number from the issuer's stock: the new card is issued today with the old
    card's validity, holder data and history; the old card is closed with reason `replaced`.

    Errors: `400 invalid`, `400 number_invalid`, `404 card_not_found`, `403 forbidden`, `422 card_closed`,
    `409 number_taken`, `422 number_not_in_stock`.
    """
    new_card = services.replace_card(Caller.api(request), number, new_number=payload.new_number)
    return Status(201, _full_view(request.user, new_card))


class CardBatchIn(StrictSchema):
    distributor_id: StrictInt
    count: StrictInt = Field(description="1..5000")


class CardBatchOut(Schema):
    id: int
    distributor_id: int
    count: int
    created_at: datetime.datetime


class NewCardBatchOut(CardBatchOut):
    numbers: list[str]


class CardBatchDetailOut(NewCardBatchOut):
    issued_numbers: list[str] = Field(description="The numbers of the batch a card has been issued with.")


class CardBatchPageOut(Schema):
    results: list[CardBatchOut]
    next: str | None


def _batch_view(batch: CardBatch) -> dict:
    return {"id": batch.pk, "distributor_id": batch.distributor_id, "count": batch.count,
            "created_at": batch.created_at}


@router.post("/card-batches", response={201: NewCardBatchOut})
def create_card_batch(request: HttpRequest, payload: CardBatchIn):
    """Generate `count` (1..5000) random card numbers, with check digits, for a distributor's stock
    (national admin, or the distributor's area coordinator).

    Errors: `400 invalid` (count out of range; `distributor_id` not a distributor), `403 forbidden`.
    """
    batch, numbers = services.create_card_batch(Caller.api(request), distributor_id=payload.distributor_id,
                                                count=payload.count)
    return Status(201, {**_batch_view(batch), "numbers": numbers})


@router.get("/card-batches", response=CardBatchPageOut)
def list_card_batches(request: HttpRequest, distributor_id: int | None = None):
    """Card batches in the caller's scope, optionally of one distributor.

    Errors: `400 invalid`, `403 forbidden` (venue staff).
    """
    require(request.user, Action.LIST_CARD_BATCHES)
    batches = selectors.batches_in_scope(request.user)
    if distributor_id is not None:
        batches = batches.filter(distributor_id=distributor_id)
    return keyset_page(request, batches, _batch_view)


@router.get("/card-batches/{batch_id}", response=CardBatchDetailOut)
def get_card_batch(request: HttpRequest, batch_id: int):
    """A batch with its numbers and which of them have been issued.

    Errors: `404 not_found`, `403 forbidden`.
    """
    batch = CardBatch.objects.select_related("distributor").filter(pk=batch_id).first()
    if batch is None:
        raise Refusal(Code.NOT_FOUND)
    require(request.user, Action.VIEW_ORGANISATION, batch.distributor)
    numbers = selectors.batch_numbers(batch)
    return {**_batch_view(batch), "numbers": [number for number, _ in numbers],
            "issued_numbers": [number for number, issued in numbers if issued]}


class QuestionTextIn(StrictSchema):
    fi: StrictStr
    sv: StrictStr
    en: StrictStr


class QuestionIn(StrictSchema):
    key: StrictStr = Field(description="1..40 characters of a-z, 0-9 and _")
    text: QuestionTextIn


class QuestionsIn(StrictSchema):
    """The shape `GET` returns; a bare array of questions is read as its `results`."""

    results: list[QuestionIn]

    # ninja validates a body twice, once as sent and once through its attribute getter;
    # the validator covers the first pass and the resolver the second.
    @model_validator(mode="before")
    @classmethod
    def _bare_array_as_results(cls, data):
        return {"results": data} if isinstance(data, list) else data

    @staticmethod
    def resolve_results(data):
        return data if isinstance(data, list) else data["results"]


class QuestionTextOut(Schema):
    fi: str
    sv: str
    en: str


class QuestionOut(Schema):
    key: str
    text: QuestionTextOut


class QuestionsOut(Schema):
    results: list[QuestionOut]
    next: str | None = None


def _questions_view(questions) -> dict:
    return {"results": [{"key": question.key,
                         "text": {"fi": question.text_fi, "sv": question.text_sv, "en": question.text_en}}
                        for question in questions],
            "next": None}


@router.get("/wellbeing/questions", response=QuestionsOut)
def list_wellbeing_questions(request: HttpRequest):
    """The current cultural wellbeing questions, asked at issue and at each renewal."""
    return _questions_view(selectors.current_wellbeing_questions())


@router.put("/wellbeing/questions", response=QuestionsOut)
def replace_wellbeing_questions(request: HttpRequest, payload: QuestionsIn):
    """Replace the current set of questions (national admin), with the list in the shape `GET` returns
    (a bare array is accepted too). Earlier answers keep their keys; a key used again becomes current
    with its new texts.

    Errors: `400 invalid` (key not 1..40 of a-z, 0-9, _; a key twice; a text missing), `403 forbidden`.
    """
    questions = services.replace_wellbeing_questions(
        Caller.api(request), [services.QuestionText(key=item.key, fi=item.text.fi, sv=item.text.sv, en=item.text.en)
                       for item in payload.results])
    return _questions_view(questions)
