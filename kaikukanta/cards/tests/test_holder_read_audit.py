"""Every door that hands out holder data leaves a `holder_data.read` audit row naming the reader, the
card(s) and the door; the venue's validity check, which carries no holder data, leaves none."""

import pytest
from django.test import Client
from django.urls import reverse

from kaikukanta.accounts.models import User
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import make_card, sign_in


def _reads():
    return list(AuditRecord.objects.filter(action="holder_data.read").order_by("id"))


def _browser(network, who):
    client = Client()
    sign_in(client, network.users[who])
    return client


@pytest.fixture
def card(network):
    return make_card(network.distributor, birth_year=1970)


@pytest.mark.parametrize("who", ["distributor", "coordinator", "admin"])
def test_the_api_card_detail_is_audited_for_every_reader(network, card, who):
    body = network.client(who).get(f"cards/{card.number}").json()
    assert body["holder"]["birth_year"] == 1970
    [read] = _reads()
    assert (read.actor_id, read.object_type, read.object_id) == (network.users[who].pk, "card", card.number)
    assert read.details == {"via": "api", "count": 1}


@pytest.mark.parametrize("who", ["venue", "other_coordinator"])
def test_a_validity_check_without_holder_data_writes_nothing(network, card, who):
    body = network.client(who).get(f"cards/{card.number}").json()
    assert "holder" not in body
    assert _reads() == []


def test_the_api_card_list_names_the_cards_of_the_page(network, card):
    second = make_card(network.distributor)
    make_card(network.other_distributor)
    body = network.client("coordinator").get("cards").json()
    [read] = _reads()
    assert read.details["via"] == "api"
    assert sorted(read.details["numbers"]) == sorted(row["number"] for row in body["results"])
    assert set(read.details["numbers"]) == {card.number, second.number}
    assert read.details["count"] == 2


def test_an_empty_list_reads_no_holder_data(network):
    network.client("distributor").get("cards")
    assert _reads() == []


@pytest.mark.parametrize(("name", "via"), [("cards:detail", "card_page"), ("cards:renew", "renew_page"),
                                           ("cards:close", "close_page"), ("cards:replace", "replace_page"),
                                           ("cards:insert_pdf", "insert_pdf")])
def test_each_card_page_is_audited(network, card, name, via):
    response = _browser(network, "distributor").get(reverse(name, args=[card.number]))
    assert response.status_code == 200
    [read] = _reads()
    assert (read.actor_id, read.object_id, read.details["via"]) == (network.users["distributor"].pk, card.number,
                                                                    via)


def test_the_card_list_page_is_audited(network, card):
    second = make_card(network.distributor)
    response = _browser(network, "distributor").get(reverse("cards:list"))
    assert response.status_code == 200
    [read] = _reads()
    assert (read.details["via"], set(read.details["numbers"])) == ("card_list", {card.number, second.number})


def test_a_card_outside_the_scope_is_not_found_and_not_audited(network, card):
    response = _browser(network, "other_distributor").get(reverse("cards:detail", args=[card.number]))
    assert response.status_code == 404
    assert _reads() == []


def test_the_admin_card_page_is_audited(network, card):
    browser = Client()
    admin = User.objects.create_superuser("paakayttaja", password=None, role="national_admin")
    sign_in(browser, admin)
    assert browser.get(f"/admin/cards/card/{card.pk}/change/").status_code == 200
    [read] = _reads()
    assert (read.actor_id, read.object_id, read.details["via"]) == (admin.pk, card.number, "admin")
