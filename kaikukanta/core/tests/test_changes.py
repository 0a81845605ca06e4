import pytest
from django.core.exceptions import ImproperlyConfigured

from kaikukanta.core import changes
from kaikukanta.stats import rollups
from kaikukanta.stats.models import PendingChange
from kaikukanta.testing import make_card


@pytest.mark.django_db
def test_the_statistics_write_down_what_the_services_tell(network):
    card = make_card(network.distributor)
    PendingChange.objects.all().delete()
    changes.cards_changed(card.pk)
    assert list(PendingChange.objects.values_list("card_id", flat=True)) == [card.pk]
    changes.catch_up()
    assert not PendingChange.objects.exists()
    assert changes._the_follower().catch_up is rollups.fold


def test_a_change_with_nobody_to_write_it_down_is_refused(monkeypatch):
    monkeypatch.setattr(changes, "_follower", None)
    with pytest.raises(ImproperlyConfigured):
        changes.cards_changed(1)
