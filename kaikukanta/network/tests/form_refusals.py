"""The back office's forms, each with the refusals the server gives them (core/tests/test_form_refusals.py)."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from kaikukanta.network.models import GuidelineVersion
from kaikukanta.testing import FormRefusal, make_organisation

from .page_examples import _area, _site, _staff_user


def _venue(**changes):
    def data(network):
        form = {"name": "Espoon kaupunginmuseo", "kind": "venue", "area_id": network.area.pk, "municipality": "049",
                "category": "museum", "sector": "culture", "contact_name": "", "contact_email": "",
                "contact_phone": "", "children_welcome": "0", "booking_needed": "1"}
        form.update({name: value(network) if callable(value) else value for name, value in changes.items()})
        return form
    return data


def _user(**changes):
    def data(network):
        form = {"username": "kallio-jakaja", "password": "pitkä-salasana-2025", "role": "distributor",
                "organisation_id": network.distributor.pk, "language": "sv"}
        form.update({name: value(network) if callable(value) else value for name, value in changes.items()})
        return form
    return data


def _area_form(name="Varsinais-Suomi", rows=(("853", "2015-01-01"),)):
    def data(network):
        form = {"name": name, "status": "pilot", "municipalities-TOTAL_FORMS": str(len(rows)),
                "municipalities-INITIAL_FORMS": "0"}
        for index, (code, joined_on) in enumerate(rows):
            form[f"municipalities-{index}-code"] = code
            form[f"municipalities-{index}-joined_on"] = joined_on
        return form
    return data


def _version(network) -> dict:
    version = GuidelineVersion.objects.create(label="2025", published_on=datetime.date(2025, 1, 1))
    return {"version_id": version.pk}


def _closed_site(network, kind="venue") -> int:
    site = (make_organisation("Suljettu kirjasto", "venue", network.area, "091", category="library")
            if kind == "venue" else make_organisation("Suljettu sosiaalitoimisto", "distributor", network.area, "091"))
    site.active = False
    site.save()
    return site.pk


def _questions(*rows):
    def data(network):
        form = {"questions-TOTAL_FORMS": str(len(rows)), "questions-INITIAL_FORMS": "0"}
        for index, (key, fi, sv, en) in enumerate(rows):
            form.update({f"questions-{index}-key": key, f"questions-{index}-fi": fi, f"questions-{index}-sv": sv,
                         f"questions-{index}-en": en})
        return form
    return data


def _upload(content: bytes):
    return lambda network: {"file": SimpleUploadedFile("pienituloiset.csv", content, content_type="text/csv")}


STATEMENTS = {"controller_name": "Kaikukortti-keskus", "controller_address": "", "privacy_email": "",
              "accessibility_email": "", "accessibility_gaps_fi": "", "accessibility_gaps_sv": "",
              "accessibility_gaps_en": "", "statements_reviewed_on": ""}
OTHER_SITE = {"organisation_id": lambda network: network.other_distributor.pk}

REFUSALS = {
    "network:organisation_new": [
        FormRefusal("coordinator", _venue(municipality="837"), "municipality"),
        FormRefusal("coordinator", _venue(municipality="999"), "municipality"),
        FormRefusal("coordinator", _venue(category="social_services"), "category"),
        FormRefusal("coordinator", _venue(sector=""), "sector"),
        FormRefusal("coordinator", _venue(contact_email="ei-osoite"), "contact_email"),
        FormRefusal("coordinator", _venue(website="teatteri"), "website"),
        FormRefusal("coordinator", _venue(booking_info="Soita 040 123 4567"), "booking_info"),
        FormRefusal("admin", _venue(area_id=999999), "area_id"),
    ],
    "network:organisation_edit": [
        FormRefusal("coordinator", _venue(municipality="837"), "municipality", kwargs=_site),
        FormRefusal("coordinator", _venue(category="ngo"), "category", kwargs=_site),
        FormRefusal("coordinator", _venue(public_phone="12"), "public_phone", kwargs=_site),
    ],
    "network:user_new": [
        FormRefusal("coordinator", _user(organisation_id=""), "organisation_id"),
        FormRefusal("coordinator", _user(organisation_id=lambda network: network.venue.pk), "organisation_id"),
        FormRefusal("coordinator", _user(username="coordinator"), "username"),
        FormRefusal("coordinator", _user(username="kallio jakaja!"), "username"),
        FormRefusal("coordinator", _user(password="lyhyt"), "password"),
        FormRefusal("coordinator", _user(role="area_coordinator"), "role"),
        FormRefusal("coordinator", _user(organisation_id=lambda network: _closed_site(network, "distributor")),
                    "organisation_id"),
        FormRefusal("admin", _user(role="area_coordinator", organisation_id=""), "area_id"),
    ],
    "network:user_password": [
        FormRefusal("coordinator", lambda network: {"password": "1234567890123"}, "password", kwargs=_staff_user),
    ],
    "network:batch_new": [
        FormRefusal("coordinator", lambda network: {"distributor_id": network.distributor.pk, "count": "0"}, "count"),
        FormRefusal("coordinator", lambda network: {"distributor_id": network.distributor.pk, "count": "5001"},
                    "count"),
        FormRefusal("admin", lambda network: {"distributor_id": network.venue.pk, "count": "5"}, "distributor_id"),
        FormRefusal("coordinator", lambda network: {"distributor_id": _closed_site(network, "distributor"),
                                                    "count": "5"}, "distributor_id"),
    ],
    "network:guideline_new": [
        FormRefusal("admin", lambda network: (GuidelineVersion.objects.get_or_create(
            label="2024", published_on=datetime.date(2024, 1, 1)) and {"label": "2024", "published_on": "2025-01-01"}),
            "label"),
        FormRefusal("admin", lambda network: {"label": "2026", "published_on": "2026-01-01",
                                              "document_url": "ftp://ohje"}, "document_url"),
        FormRefusal("admin", lambda network: {"label": "1800", "published_on": "1800-01-01"}, "published_on"),
        FormRefusal("admin", lambda network: {"label": "2026", "published_on": "2026-01-01",
                                              "summary": "Kysy 040 123 4567"}, "summary"),
    ],
    "network:guideline_detail": [
        FormRefusal("coordinator", lambda network: {"organisation_id": network.venue.pk, "committed_on": "2024-12-31"},
                    "committed_on", kwargs=_version),
        FormRefusal("coordinator", lambda network: {"organisation_id": _closed_site(network), "committed_on": ""},
                    "organisation_id", kwargs=_version),
    ],
    "network:area_new": [
        FormRefusal("admin", _area_form(rows=(("853", "2015-01-01"), ("853", "2016-01-01"))),
                    "municipalities-1-code"),
        FormRefusal("admin", _area_form(rows=(("091", ""),)), "municipalities-0-code"),
        FormRefusal("admin", _area_form(rows=(("853", "1800-01-01"),)), "municipalities-0-joined_on"),
        FormRefusal("admin", _area_form(rows=(("999", ""),)), "municipalities-0-code"),
        FormRefusal("admin", _area_form(name=""), "name"),
    ],
    "network:area_edit": [
        FormRefusal("admin", _area_form(name="Pääkaupunkiseutu", rows=(("837", ""),)), "municipalities-0-code",
                    kwargs=_area),
    ],
    "network:settings": [
        FormRefusal("admin", lambda network: {"max_validity_months": "61"}, "max_validity_months"),
        FormRefusal("admin", lambda network: {"max_validity_months": "0"}, "max_validity_months"),
    ],
    "network:statements": [
        FormRefusal("admin", lambda network: {**STATEMENTS, "privacy_email": "ei"}, "privacy_email"),
        FormRefusal("admin", lambda network: {**STATEMENTS, "controller_name": "Soita 040 123 4567"},
                    "controller_name"),
        FormRefusal("admin", lambda network: {**STATEMENTS, "statements_reviewed_on": "2999-01-01"},
                    "statements_reviewed_on"),
    ],
    "network:wellbeing_questions": [
        FormRefusal("admin", _questions(("Iso Kirjain", "Mieliala", "Humör", "Mood")), "questions-0-key"),
        FormRefusal("admin", _questions(("mood", "Mieliala", "", "Mood")), "questions-0-sv"),
    ],
    "network:low_income": [
        FormRefusal("admin", _upload(b"municipality_code,year,low_income_persons\n091,2023,85000\n\xe4\n"), "file"),
    ],
}
WITHOUT_REFUSALS = {}
