"""The Django admin shows cards and stock to the national admin and changes nothing."""

import pytest
from django.test import Client

from kaikukanta.accounts.models import User
from kaikukanta.cards.models import Card, CardBatch, StockNumber, WellbeingAnswer, WellbeingQuestion
from kaikukanta.testing import sign_in


@pytest.fixture
def admin_browser(db):
    browser = Client()
    sign_in(browser, User.objects.create_superuser("paakayttaja", password=None, role="national_admin"))
    return browser


def test_every_cards_page_opens_read_only(admin_browser, network, issued, questions):
    card = Card.objects.get()
    batch = CardBatch.objects.create(distributor=network.distributor, count=0)
    pages = ["/admin/cards/card/", f"/admin/cards/card/{card.pk}/change/", "/admin/cards/cardbatch/",
             f"/admin/cards/cardbatch/{batch.pk}/change/", "/admin/cards/stocknumber/",
             "/admin/cards/wellbeingquestion/", "/admin/cards/wellbeinganswer/"]
    for page in pages:
        assert admin_browser.get(page).status_code == 200, page

    before = (Card.objects.count(), StockNumber.objects.count(), WellbeingQuestion.objects.count(),
              WellbeingAnswer.objects.count())
    assert admin_browser.get("/admin/cards/card/add/").status_code == 403
    assert admin_browser.post(f"/admin/cards/card/{card.pk}/delete/", {"post": "yes"}).status_code == 403
    assert admin_browser.post(f"/admin/cards/card/{card.pk}/change/", {"valid_until": "2099-01-01"}
                              ).status_code == 403
    assert (Card.objects.count(), StockNumber.objects.count(), WellbeingQuestion.objects.count(),
            WellbeingAnswer.objects.count()) == before
    assert Card.objects.get().valid_until.isoformat() == issued["valid_until"]
