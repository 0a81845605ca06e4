import pytest

from kaikukanta.cards.models import WellbeingQuestion
from kaikukanta.testing import stock_numbers

from .helpers import personal_card


@pytest.fixture
def stock(network):
    """Five unissued numbers in the distributor's stock."""
    return stock_numbers(network.distributor, 5)


@pytest.fixture
def other_stock(network):
    return stock_numbers(network.other_distributor, 2)


@pytest.fixture
def questions(db):
    for position, key in enumerate(("culture_matters", "feel_included")):
        WellbeingQuestion.objects.create(key=key, text_fi=f"{key} fi", text_sv=f"{key} sv",
                                         text_en=f"{key} en", position=position)
    return ["culture_matters", "feel_included"]


@pytest.fixture
def issued(network, stock):
    """A personal card issued through the API by the distributor."""
    response = network.client("distributor").post("cards", personal_card(stock[0]))
    assert response.status_code == 201, response.json()
    return response.json()
