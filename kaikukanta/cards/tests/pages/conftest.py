"""The card pages' own stock (three numbers) and wellbeing questions (with real texts and a retired one),
in place of those of cards/tests/conftest.py."""

import pytest

from kaikukanta.cards.models import WellbeingQuestion
from kaikukanta.testing import stock_numbers


@pytest.fixture
def stock(network):
    return stock_numbers(network.distributor, 3)


@pytest.fixture
def questions(db):
    WellbeingQuestion.objects.create(key="culture_matters", text_fi="Kulttuuri on minulle tärkeää",
                                     text_sv="Kultur är viktig för mig", text_en="Culture matters to me",
                                     position=0)
    WellbeingQuestion.objects.create(key="feel_included", text_fi="Tunnen kuuluvani joukkoon",
                                     text_sv="Jag känner mig delaktig", text_en="I feel included", position=1)
    WellbeingQuestion.objects.create(key="retired_question", text_fi="Vanha", text_sv="Gammal", text_en="Old",
                                     current=False)
