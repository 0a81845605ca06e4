"""No cache keeps holder data or an export (Trust II, A.3): every response that hands out holder data (each
writes a `holder_data.read` audit row) and every download carries `Cache-Control: no-store`. The page and
operation matrices list every page and operation; these tests walk them all."""

import pytest
from django.db import transaction
from django.test import Client

from kaikukanta.accounts.models import User
from kaikukanta.cards.selectors import HOLDER_READ
from kaikukanta.core.models import AuditRecord
from kaikukanta.testing import all_page_examples, example_path, preferred_caller, sign_in

from .operations import CALLERS, OPERATIONS, build_world, call

pytestmark = pytest.mark.django_db


def _holder_reads() -> int:
    return AuditRecord.objects.filter(action=HOLDER_READ).count()


def _must_not_be_stored(response, reads_before: int) -> bool:
    return _holder_reads() > reads_before or response.has_header("Content-Disposition")


def _stored(response) -> bool:
    return "no-store" not in response.get("Cache-Control", "")


def test_every_page_with_holder_data_or_a_download_says_no_store(network):
    checked, stored = [], []
    for key, example in sorted(all_page_examples().items()):
        caller = preferred_caller(example)
        with transaction.atomic():
            client = Client()
            if caller != "anonymous":
                sign_in(client, network.users[caller])
            before = _holder_reads()
            response = getattr(client, example.method)(example_path(key, example, network))
            must_not = _must_not_be_stored(response, before)
            transaction.set_rollback(True)
        if must_not:
            checked.append(key)
            if _stored(response):
                stored.append(key)
    assert stored == []
    # The walk reaches the pages that are known to hand out holder data or files.
    assert {"cards:detail", "cards:insert_pdf", "cards:renew"} <= set(checked), checked
    assert any(key.startswith("stats:export") for key in checked), checked


def test_every_operation_with_holder_data_or_an_export_says_no_store(db):
    checked, stored = [], []
    for operation in OPERATIONS:
        if operation.writes:
            continue
        with transaction.atomic():
            world = build_world()
            # The offline desk's operations answer no user's token: they are sent with the device's credential.
            caller = next((caller for caller in CALLERS if operation.expected[caller] == 200), "device")
            before = _holder_reads()
            response = call(world, caller, operation)
            must_not = _must_not_be_stored(response, before)
            transaction.set_rollback(True)
        if must_not:
            checked.append(operation.name)
            if _stored(response):
                stored.append(operation.name)
    assert stored == []
    assert {"get_card", "list_cards"} <= set(checked), checked


def test_an_empty_card_list_is_holder_data_too(network):
    response = network.client("other_distributor").get("cards")
    assert response.status_code == 200 and response.json()["results"] == []
    assert "no-store" in response["Cache-Control"]


def test_a_page_without_holder_data_may_be_cached_as_before(network):
    response = Client().get("/venues/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")


# Django's admin

@pytest.fixture
def admin_client(network):
    User.objects.filter(pk=network.users["admin"].pk).update(is_staff=True, is_superuser=True)
    client = Client()
    sign_in(client, User.objects.get(pk=network.users["admin"].pk))
    return client


def test_the_admins_card_list_filtered_by_a_holder_field_is_an_audited_holder_read(network, admin_client):
    from kaikukanta.testing import make_card

    born_1953 = make_card(network.distributor, birth_year=1953)
    make_card(network.distributor, birth_year=1970)

    response = admin_client.get("/admin/cards/card/", {"birth_year": "1953"})

    assert response.status_code == 200
    assert born_1953.number in response.content.decode()
    [read] = AuditRecord.objects.filter(action=HOLDER_READ)
    assert read.actor_id == network.users["admin"].pk
    assert read.details["via"] == "admin" and read.object_id == born_1953.number
    assert "no-store" in response["Cache-Control"]


def test_the_admins_card_list_by_postal_code_lists_every_number_shown_in_its_audit_row(network, admin_client):
    from kaikukanta.testing import make_card

    cards = [make_card(network.distributor, postal_code="00100") for _ in range(2)]

    admin_client.get("/admin/cards/card/", {"postal_code": "00100", "card_type": "personal"})

    [read] = AuditRecord.objects.filter(action=HOLDER_READ)
    assert sorted(read.details["numbers"]) == sorted(card.number for card in cards)


def test_the_admins_plain_card_list_is_not_a_holder_read(network, admin_client):
    from kaikukanta.testing import make_card

    make_card(network.distributor)
    response = admin_client.get("/admin/cards/card/", {"card_type": "personal"})
    assert response.status_code == 200
    assert not AuditRecord.objects.filter(action=HOLDER_READ).exists()


def test_the_admins_card_page_is_audited_and_not_stored(network, admin_client):
    from kaikukanta.testing import make_card

    card = make_card(network.distributor)
    response = admin_client.get(f"/admin/cards/card/{card.pk}/change/")
    assert response.status_code == 200
    assert AuditRecord.objects.filter(action=HOLDER_READ, object_id=card.number).exists()
    assert "no-store" in response["Cache-Control"]
