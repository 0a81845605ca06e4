"""The rule pages: a preview sentence before saving, in the user's language, and a saved change audited."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kaikukanta.core.clock import today
from kaikukanta.core.models import AuditRecord
from kaikukanta.programme.models import RuleVersion
from kaikukanta.programme.selectors import rules_in_force
from kaikukanta.testing import sign_in


def browser_of(user, language="fi"):
    client = Client(headers={"accept-language": language})
    sign_in(client, user)
    user.language = language
    user.save()
    return client


def posted(network, day, action, **values):
    return {"effective_from": day.isoformat(), "action": action, "children_max_age": "17",
            "max_children": "", "courses_admit_children": "", "other_area_cards": "", **values}


@pytest.mark.parametrize(("language", "sentence"), [
    ("fi", "from"), ("sv", "från"), ("en", "from")])
def test_the_coordinator_previews_the_change_in_its_language_before_saving(network, language, sentence):
    day = today() + datetime.timedelta(days=30)
    client = browser_of(network.users["coordinator"], language)
    page = client.post(reverse("programme:rules"), posted(network, day, "preview")).content.decode()
    with translation.override(language):
        expected = f"{day.day}.{day.month}.{day.year}"
    assert expected in page and network.area.name in page
    assert not RuleVersion.objects.filter(area=network.area).exists()


def test_the_finnish_preview_reads_as_a_sentence(network):
    day = datetime.date(today().year + 1, 3, 1)
    client = browser_of(network.users["coordinator"], "fi")
    page = client.post(reverse("programme:rules"), posted(network, day, "preview")).content.decode()
    assert f"1.3.{day.year} alkaen lapset 17-vuotiaiksi asti alueella {network.area.name}" in page


def test_saving_appends_a_version_and_audits_it(network):
    day = today() + datetime.timedelta(days=1)
    client = browser_of(network.users["coordinator"], "en")
    response = client.post(reverse("programme:rules"), posted(network, day, "save"))
    assert response.status_code == 302
    assert rules_in_force(network.area, day).children_max_age == 17
    assert AuditRecord.objects.filter(action="rules.area_changed", actor=network.users["coordinator"]).exists()
    page = client.get(reverse("programme:rules")).content.decode()
    assert f"from {day.day}.{day.month}.{day.year} children up to 17 in {network.area.name}" in page


def test_a_past_day_is_refused_next_to_the_field(network):
    client = browser_of(network.users["coordinator"], "en")
    page = client.post(reverse("programme:rules"),
                       posted(network, today() - datetime.timedelta(days=1), "save")).content.decode()
    assert "the past is never rewritten" in page
    assert not RuleVersion.objects.filter(area=network.area).exists()


def test_the_national_admin_changes_the_national_rules(network):
    client = browser_of(network.users["admin"], "en")
    current = rules_in_force(None, today())
    values = {"effective_from": today().isoformat(), "action": "save", "holder_min_age": "17",
              "holder_age_counting": "calendar_year", "children_max_age": "", "max_children": "20",
              "courses_admit_children": "no", "max_clients": "10", "max_assistants": "2",
              "max_validity_months": "12", "cancel_window_days": "7", "paper_list_days": "31",
              "other_area_cards": "yes", "overridable": ["children_max_age"]}
    assert client.post(reverse("programme:rules"), values).status_code == 302
    assert (current.holder_min_age, rules_in_force(network.area, today()).holder_min_age) == (16, 17)
    assert AuditRecord.objects.filter(action="rules.national_changed").exists()
