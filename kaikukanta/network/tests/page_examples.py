"""The coordinators' and national admin's pages against every caller, written from the rules: a coordinator
works in its own area, the national admin everywhere, site staff nowhere here."""

import datetime

from kaikukanta.accounts.models import Role
from kaikukanta.cards.models import CardBatch
from kaikukanta.network.models import GuidelineVersion
from kaikukanta.testing import PageExample, make_organisation, make_user

COORDINATORS = {"admin", "coordinator", "other_coordinator"}
OWN_AREA = {"admin", "coordinator"}
ADMIN = {"admin"}


def _site(network):
    """A site of its own, so a caller's deactivation of it leaves the test network's sites as they were."""
    return {"organisation_id": make_organisation("Kallion kirjasto", "venue", network.area, "091",
                                                 category="library").pk}


def _staff_user(network):
    """Not one of the callers: deactivating it must not sign a caller out in the middle of the matrix."""
    return {"user_id": make_user("kallio-kassa", Role.DISTRIBUTOR, organisation=network.distributor).pk}


def _batch(network):
    batch = CardBatch.objects.create(distributor=network.distributor, count=0, created_by=network.users["admin"])
    return {"batch_id": batch.pk}


def _version(network):
    version = GuidelineVersion.objects.create(label="2025", published_on=datetime.date(2025, 1, 1))
    return {"version_id": version.pk}


def _area(network):
    return {"area_id": network.area.pk}


EXAMPLES = {
    "network:organisations": PageExample(allowed=COORDINATORS),
    "network:organisation_new": PageExample(allowed=COORDINATORS),
    "network:organisation_detail": PageExample(allowed=OWN_AREA, kwargs=_site),
    "network:organisation_edit": PageExample(allowed=OWN_AREA, kwargs=_site),
    "network:organisation_active": PageExample(allowed=OWN_AREA, kwargs=_site, method="post"),
    "network:users": PageExample(allowed=COORDINATORS),
    "network:user_new": PageExample(allowed=COORDINATORS),
    "network:user_detail": PageExample(allowed=OWN_AREA, kwargs=_staff_user),
    "network:user_password": PageExample(allowed=OWN_AREA, kwargs=_staff_user, method="post"),
    "network:user_active": PageExample(allowed=OWN_AREA, kwargs=_staff_user, method="post"),
    "network:token_new": PageExample(allowed=OWN_AREA, kwargs=_staff_user, method="post"),
    "network:batches": PageExample(allowed=COORDINATORS),
    "network:batch_new": PageExample(allowed=COORDINATORS),
    "network:batch_detail": PageExample(allowed=OWN_AREA, kwargs=_batch),
    "network:guidelines": PageExample(allowed=COORDINATORS),
    "network:guideline_new": PageExample(allowed=ADMIN),
    "network:guideline_detail": PageExample(allowed=COORDINATORS, kwargs=_version),
    "network:areas": PageExample(allowed=ADMIN),
    "network:area_new": PageExample(allowed=ADMIN),
    "network:area_detail": PageExample(allowed=OWN_AREA, kwargs=_area),
    "network:area_edit": PageExample(allowed=ADMIN, kwargs=_area),
    "network:settings": PageExample(allowed=ADMIN),
    "network:statements": PageExample(allowed=ADMIN),
    "network:wellbeing_questions": PageExample(allowed=ADMIN),
    "network:low_income": PageExample(allowed=ADMIN),
    # Both coordinators may open the list; which alerts each sees is tested in test_guessing_alerts.py.
    "network:alerts": PageExample(allowed=COORDINATORS),
    # Each coordinator opens the page for their own area; what the export holds is in test_area_export.py.
    "network:area_export": PageExample(allowed=COORDINATORS),
    # The download itself: a coordinator always gets their own area (the admin is asked to choose one).
    "network:area_export#download": PageExample(allowed=COORDINATORS, method="post"),
}
