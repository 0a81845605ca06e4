import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from kaikukanta.testing import make_offering, sign_in

pytestmark = pytest.mark.django_db

PAGES = ["network/area/", "network/organisation/", "network/offering/", "network/nationalsettings/",
         "accounts/user/", "accounts/apitoken/"]


@pytest.fixture
def admin_site(network):
    make_offering(network.venue)
    superuser = get_user_model().objects.create_superuser("yllapito", password=None, role="national_admin")
    client = Client()
    sign_in(client, superuser)
    return client


@pytest.mark.parametrize("page", PAGES)
def test_the_admin_site_shows_but_does_not_change(admin_site, network, page):
    listing = admin_site.get(f"/admin/{page}")
    adding = admin_site.get(f"/admin/{page}add/")

    assert listing.status_code == 200
    assert adding.status_code == 403


def test_an_area_page_shows_its_history_read_only(admin_site, network):
    response = admin_site.get(f"/admin/network/area/{network.area.pk}/change/")

    assert response.status_code == 200
    assert "2020" in response.content.decode()
    assert admin_site.post(f"/admin/network/area/{network.area.pk}/change/", {"name": "X"}).status_code == 403
