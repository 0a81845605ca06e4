"""Card stock: random numbers with check digits, unique for ever, for one distributor."""

import itertools

import pytest

from kaikukanta.cards.models import CardBatch, StockNumber
from kaikukanta.core import damm
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import stock_numbers

from .helpers import personal_card, refused, written


def test_a_batch_is_random_unique_and_check_digited(network):
    response = network.client("admin").post("card-batches", {"distributor_id": network.distributor.pk,
                                                              "count": 500})

    assert response.status_code == 201, response.json()
    batch = response.json()
    numbers = batch["numbers"]
    assert len(numbers) == len(set(numbers)) == 500
    assert all(damm.is_valid(number) for number in numbers)
    assert set(StockNumber.objects.filter(batch_id=batch["id"], distributor=network.distributor)
               .values_list("number", flat=True)) == set(numbers)
    steps = {int(b[:9]) - int(a[:9]) for a, b in itertools.pairwise(numbers)}
    assert len(steps) > 400, "consecutive numbers should not follow a pattern"
    assert AuditRecord.objects.filter(action="card_batch.create", object_id=str(batch["id"])).exists()


def test_the_largest_batch_is_made_at_once(network):
    response = network.client("admin").post("card-batches", {"distributor_id": network.distributor.pk,
                                                              "count": 5000})
    assert response.status_code == 201
    assert len(set(response.json()["numbers"])) == 5000


def test_numbers_already_in_stock_or_drawn_twice_are_drawn_again(network, monkeypatch):
    existing = stock_numbers(network.other_distributor, 1)[0]
    fresh = [damm.random_number() for _ in range(3)]
    draws = iter([existing, fresh[0], fresh[0], fresh[1], existing, fresh[2]])
    monkeypatch.setattr(damm, "random_number", lambda: next(draws))

    response = network.client("admin").post("card-batches", {"distributor_id": network.distributor.pk,
                                                              "count": 3})

    assert response.status_code == 201
    assert sorted(response.json()["numbers"]) == sorted(fresh)
    assert StockNumber.objects.get(number=existing).distributor == network.other_distributor


def test_the_areas_coordinator_orders_for_its_distributors_only(network):
    client = network.client("coordinator")
    response = client.post("card-batches", {"distributor_id": network.distributor.pk, "count": 1})
    assert response.status_code == 201
    refused(client.post("card-batches", {"distributor_id": network.other_distributor.pk, "count": 1}),
            403, "forbidden")


@pytest.mark.parametrize("who", ["distributor", "venue"])
def test_sites_do_not_order_stock(network, who):
    before = written()
    refused(network.client(who).post("card-batches", {"distributor_id": network.distributor.pk, "count": 1}),
            403, "forbidden")
    assert written() == before


@pytest.mark.parametrize(("body", "field"), [
    ({"count": 0}, "count"),
    ({"count": 5001}, "count"),
    ({"count": "10"}, "count"),
    ({"distributor_id": 999999}, "distributor_id"),
    ({"distributor_id": "venue"}, "distributor_id"),
    ({"prefix": "123"}, "prefix"),
])
def test_invalid_requests_write_nothing(network, body, field):
    body = {"distributor_id": network.distributor.pk, "count": 10, **body}
    if body["distributor_id"] == "venue":
        body["distributor_id"] = network.venue.pk
    before = written()

    refused(network.client("admin").post("card-batches", body), 400, "invalid", field)

    assert written() == before


def test_issuing_takes_numbers_only_from_the_own_organisations_batches(network):
    numbers = network.client("admin").post(
        "card-batches", {"distributor_id": network.distributor.pk, "count": 2}).json()["numbers"]

    refused(network.client("other_distributor").post("cards", personal_card(numbers[0])), 422,
            "number_not_in_stock")
    assert network.client("distributor").post("cards", personal_card(numbers[0])).status_code == 201


def test_a_batch_shows_which_numbers_are_issued(network):
    created = network.client("admin").post(
        "card-batches", {"distributor_id": network.distributor.pk, "count": 3}).json()
    network.client("distributor").post("cards", personal_card(created["numbers"][1]))

    response = network.client("distributor").get(f"card-batches/{created['id']}")

    assert response.status_code == 200
    assert response.json()["numbers"] == created["numbers"]
    assert response.json()["issued_numbers"] == [created["numbers"][1]]
    assert response.json()["count"] == 3


def test_batches_are_listed_and_read_within_scope(network):
    admin = network.client("admin")
    def order(distributor):
        return admin.post("card-batches", {"distributor_id": distributor.pk, "count": 1}).json()["id"]

    own, other = order(network.distributor), order(network.other_distributor)

    def listed(who, **params):
        return [batch["id"] for batch in network.client(who).get("card-batches", **params).json()["results"]]

    assert listed("admin") == [own, other]
    assert listed("admin", distributor_id=network.other_distributor.pk) == [other]
    assert listed("coordinator") == [own]
    assert listed("distributor") == [own]
    assert listed("other_distributor") == [other]
    refused(network.client("venue").get("card-batches"), 403, "forbidden")
    refused(network.client("coordinator").get(f"card-batches/{other}"), 403, "forbidden")
    refused(network.client("distributor").get(f"card-batches/{other}"), 403, "forbidden")
    refused(admin.get(f"card-batches/{CardBatch.objects.count() + 100}"), 404, "not_found")


@pytest.mark.parametrize("who, language, reason", [
    ("admin", "en", "the site has been taken out of the network"),
    ("coordinator", "fi", "toimipaikka on otettu pois verkostosta"),
])
def test_a_distributor_taken_out_of_the_network_gets_no_new_stock(network, who, language, reason):
    network.distributor.active = False
    network.distributor.save()

    response = network.client(who, language).post("card-batches", {"distributor_id": network.distributor.pk,
                                                                  "count": 5})

    assert response.status_code == 400
    error = response.json()["error"]
    assert (error["code"], error["field"]) == ("invalid", "distributor_id")
    assert reason in error["message"]
    assert not CardBatch.objects.filter(distributor=network.distributor).exists()
