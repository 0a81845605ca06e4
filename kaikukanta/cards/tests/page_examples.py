"""The card pages and who may open them, written from the rules in API.md "Cards" and "Card stock":

- issuing, renewing, closing and replacing (and the issue form's helpers) are distributor staff's work, on
  their own site's cards; another distributor is told a card does not exist;
- a card's page and its printable insert show holder data: the issuing site, its area's coordinator and
  the national admin; anyone else who may list cards is told the card does not exist;
- the card list shows the cards whose holder data the caller may read;
- a batch sheet is for whoever may read the batch's numbers: the national admin, the coordinator of the
  distributor's area and the distributor itself.
"""

from kaikukanta.cards.models import CardBatch, StockNumber
from kaikukanta.testing import PageExample, make_card, stock_numbers

CARD_READERS = {"admin", "coordinator", "distributor"}
DISTRIBUTORS = {"distributor", "other_distributor"}


def _card(network) -> dict:
    return {"number": make_card(network.distributor).number}


def _batch(network) -> dict:
    batch = CardBatch.objects.create(distributor=network.distributor, count=2)
    StockNumber.objects.filter(number__in=stock_numbers(network.distributor, 2)).update(batch=batch)
    return {"batch_id": batch.pk}


EXAMPLES = {
    "cards:issue": PageExample(allowed=DISTRIBUTORS),
    "cards:next_number": PageExample(allowed=DISTRIBUTORS),
    "cards:postal_code": PageExample(allowed=DISTRIBUTORS, method="post"),
    "cards:list": PageExample(allowed={"admin", "coordinator", "other_coordinator", *DISTRIBUTORS}),
    "cards:detail": PageExample(allowed=CARD_READERS, kwargs=_card),
    "cards:insert_pdf": PageExample(allowed=CARD_READERS, kwargs=_card),
    "cards:renew": PageExample(allowed={"distributor"}, kwargs=_card),
    "cards:close": PageExample(allowed={"distributor"}, kwargs=_card),
    "cards:replace": PageExample(allowed={"distributor"}, kwargs=_card),
    "cards:batch_sheet": PageExample(allowed={"admin", "coordinator", "distributor"}, kwargs=_batch),
}
