"""The national admin's area pages (and a coordinator's view of its own area) through Django's test client:
the history each form writes, and each refusal shown on its own row."""

import datetime
import re

import pytest
from django.urls import reverse

from kaikukanta.core.clock import today
from kaikukanta.network.models import Area, AreaStatusPeriod, Membership

from .test_network_pages import field_errors, input_value, row_names, signed_in, text_of

pytestmark = pytest.mark.django_db


# Areas

def area_form(name="Varsinais-Suomi", status="pilot", rows=(("853", "2015-01-01"), ("", ""), ("", "")), **extra):
    data = {"name": name, "status": status, "municipalities-TOTAL_FORMS": str(len(rows)),
            "municipalities-INITIAL_FORMS": "0"}
    for index, (code, joined_on) in enumerate(rows):
        data[f"municipalities-{index}-code"] = code
        data[f"municipalities-{index}-joined_on"] = joined_on
    data.update(extra)
    return data


def test_national_admin_creates_an_area_with_its_history(network):
    client = signed_in(network, "admin")
    response = client.post(reverse("network:area_new"), area_form(rows=(
        ("853", "2015-01-01"), ("", ""), ("202", "2018-06-01"))))

    area = Area.objects.get(name="Varsinais-Suomi")
    assert response["Location"] == reverse("network:area_detail", kwargs={"area_id": area.pk})
    assert sorted(area.memberships.values_list("municipality_id", "joined_on")) == [
        ("202", datetime.date(2018, 6, 1)), ("853", datetime.date(2015, 1, 1))]
    assert list(area.status_periods.values_list("status", "effective_from")) == [
        ("pilot", datetime.date(2015, 1, 1))]
    timeline = text_of(client.get(response["Location"]))
    assert re.search(r"1\.1\.2015.*Tila: Pilotti.*1\.1\.2015.*Turku \(853\) liittyi.*1\.6\.2018.*"
                     r"Kaarina \(202\) liittyi", timeline, re.S)


@pytest.mark.parametrize("code, message", [
    ("091", "Kunta kuuluu jo toiseen alueeseen."),
    ("999", "Kuntakoodia ei tunneta."),
])
def test_a_refused_municipality_is_marked_on_its_own_row(network, code, message):
    response = signed_in(network, "admin").post(reverse("network:area_new"), area_form(rows=(
        ("853", "2015-01-01"), ("", ""), (code, "2016-01-01"))))

    assert response.status_code == 200
    assert field_errors(response, "id_municipalities-2-code") == [message]
    assert field_errors(response, "id_municipalities-0-code") == []
    assert input_value(response, "municipalities-2-code") == code
    assert input_value(response, "name") == "Varsinais-Suomi"
    assert not Area.objects.filter(name="Varsinais-Suomi").exists()


def test_a_joining_date_without_a_municipality_is_pointed_out(network):
    response = signed_in(network, "admin").post(reverse("network:area_new"), area_form(rows=(("", "2016-01-01"),)))

    assert field_errors(response, "id_municipalities-0-code") == ["Anna kunnan koodi."]


def test_editing_an_area_replaces_its_members_and_keeps_the_history(network):
    client = signed_in(network, "admin")
    path = reverse("network:area_edit", kwargs={"area_id": network.area.pk})
    form = client.get(path)
    assert {input_value(form, "municipalities-0-code"), input_value(form, "municipalities-1-code")} == {"049", "091"}

    response = client.post(path, area_form(name="Pääkaupunkiseutu", status="ended", rows=(
        ("091", "2020-01-01"), ("", ""), ("092", ""))) | {"municipalities-INITIAL_FORMS": "2"})

    day = today()
    assert response.status_code == 302
    assert sorted(Membership.objects.filter(area=network.area).values_list("municipality_id", "left_on")) == [
        ("049", day), ("091", None), ("092", None)]
    assert AreaStatusPeriod.objects.filter(area=network.area).order_by("effective_from").last().status == "ended"
    detail = text_of(client.get(reverse("network:area_detail", kwargs={"area_id": network.area.pk})))
    assert "Espoo (049) erosi" in detail and "Vantaa (092) liittyi" in detail and "Päättynyt" in detail


def test_a_municipality_added_on_edit_may_not_belong_to_another_area(network):
    path = reverse("network:area_edit", kwargs={"area_id": network.area.pk})
    response = signed_in(network, "admin").post(path, area_form(name="Pääkaupunkiseutu", status="active", rows=(
        ("091", "2020-01-01"), ("049", "2020-01-01"), ("837", "2024-01-01"))))

    assert field_errors(response, "id_municipalities-2-code") == ["Kunta kuuluu jo toiseen alueeseen."]
    assert not Membership.objects.filter(area=network.area, municipality_id="837").exists()


def test_coordinator_sees_the_timeline_of_its_own_area_only(network):
    client = signed_in(network, "coordinator")

    own = client.get(reverse("network:area_detail", kwargs={"area_id": network.area.pk}))
    other = client.get(reverse("network:area_detail", kwargs={"area_id": network.other_area.pk}))

    assert own.status_code == 200 and "Helsinki (091) liittyi" in text_of(own)
    assert reverse("network:area_edit", kwargs={"area_id": network.area.pk}) not in own.content.decode()
    assert other.status_code == 403


def test_areas_list_says_each_status_in_words(network):
    coming = Area.objects.create(name="Tuleva alue")
    AreaStatusPeriod.objects.create(area=coming, status="preparing", effective_from=today())

    response = signed_in(network, "admin").get(reverse("network:areas"))

    assert row_names(response) == ["Pirkanmaa", "Pääkaupunkiseutu", "Tuleva alue"]
    assert "Valmistelussa" in text_of(response) and "Toiminnassa" in text_of(response)
