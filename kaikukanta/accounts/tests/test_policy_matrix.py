"""The permission matrix of policy.py, written out by hand: every action × every role.

Targets lie in the first area of `build_network()`: its area, distributor and venue, a card issued by
that distributor, a visit at that venue, and its users. So the `coord`, `dist` and `venue` columns are
the target's own coordinator and site staff, and the `o_` columns the same roles of the other area.
`Y` allowed, `-` denied. A change to the policy must change this table.
"""

import pytest

from kaikukanta.accounts.models import Role, User
from kaikukanta.accounts.policy import Action, allowed
from kaikukanta.cards.models import Card
from kaikukanta.imports.models import ImportJob
from kaikukanta.network.models import Offering
from kaikukanta.visits.models import Visit

pytestmark = pytest.mark.django_db

CALLERS = {"admin": "admin", "coord": "coordinator", "o_coord": "other_coordinator", "dist": "distributor",
           "o_dist": "other_distributor", "venue": "venue", "o_venue": "other_venue"}

MATRIX = """
action                      target          admin coord o_coord dist o_dist venue o_venue
view_area                   area            Y     Y     -       -    -      -     -
manage_areas                none            Y     -     -       -    -      -     -
manage_areas                area            Y     -     -       -    -      -     -
view_organisation           distributor     Y     Y     -       Y    -      -     -
view_organisation           venue           Y     Y     -       -    -      Y     -
create_organisation         area            Y     Y     -       -    -      -     -
update_organisation         distributor     Y     Y     -       -    -      -     -
update_organisation         venue           Y     Y     -       -    -      -     -
update_venue_info           distributor     -     -     -       -    -      -     -
update_venue_info           venue           Y     Y     -       -    -      Y     -
view_user                   admin_user      Y     -     -       -    -      -     -
view_user                   coord_user      Y     Y     -       -    -      -     -
view_user                   dist_user       Y     Y     -       Y    -      -     -
view_user                   venue_user      Y     Y     -       -    -      Y     -
view_user                   new_venue_user  Y     Y     -       -    -      -     -
update_own_account          admin_user      Y     -     -       -    -      -     -
update_own_account          dist_user       -     -     -       Y    -      -     -
update_own_account          venue_user      -     -     -       -    -      Y     -
manage_user                 admin_user      Y     -     -       -    -      -     -
manage_user                 coord_user      Y     -     -       -    -      -     -
manage_user                 dist_user       Y     Y     -       -    -      -     -
manage_user                 venue_user      Y     Y     -       -    -      -     -
manage_user                 new_venue_user  Y     Y     -       -    -      -     -
manage_user                 new_coord_user  Y     -     -       -    -      -     -
create_token                admin_user      Y     -     -       -    -      -     -
create_token                coord_user      Y     Y     -       -    -      -     -
create_token                dist_user       Y     Y     -       Y    -      -     -
create_token                venue_user      Y     Y     -       -    -      Y     -
revoke_token                admin_user      Y     -     -       -    -      -     -
revoke_token                coord_user      Y     Y     -       -    -      -     -
revoke_token                dist_user       Y     Y     -       Y    -      -     -
revoke_token                venue_user      Y     Y     -       -    -      Y     -
reset_second_factor         admin_user      -     -     -       -    -      -     -
reset_second_factor         coord_user      Y     -     -       -    -      -     -
reset_second_factor         dist_user       Y     -     -       -    -      -     -
view_settings               none            Y     Y     Y       Y    Y      Y     Y
update_settings             none            Y     -     -       -    -      -     -
view_offering               venue           Y     Y     -       -    -      Y     -
view_offering               offering        Y     Y     -       -    -      Y     -
manage_offerings            venue           Y     Y     -       -    -      Y     -
manage_offerings            offering        Y     Y     -       -    -      Y     -
manage_offerings            distributor     -     -     -       -    -      -     -
create_card_batch           distributor     Y     Y     -       -    -      -     -
create_card_batch           venue           -     -     -       -    -      -     -
issue_card                  distributor     -     -     -       Y    -      -     -
issue_card                  venue           -     -     -       -    -      -     -
manage_card                 card            -     -     -       Y    -      -     -
check_card                  none            Y     Y     Y       Y    Y      Y     Y
list_cards                  none            Y     Y     Y       Y    Y      -     -
list_card_batches           none            Y     Y     Y       Y    Y      -     -
view_holder_data            card            Y     Y     -       Y    -      -     -
record_visit                none            -     -     -       -    -      Y     Y
cancel_visit                visit           -     -     -       -    -      Y     -
list_visits                 none            Y     Y     Y       Y    Y      Y     Y
view_stats                  none            Y     -     -       -    -      -     -
view_stats                  area            Y     Y     -       -    -      -     -
view_stats                  distributor     Y     Y     -       Y    -      -     -
view_stats                  venue           Y     Y     -       -    -      Y     -
manage_wellbeing_questions  none            Y     -     -       -    -      -     -
export_area                 area            Y     Y     -       -    -      -     -
export_area                 none            Y     -     -       -    -      -     -
view_guessing_alerts        none            Y     Y     Y       -    -      -     -
view_imports                none            Y     Y     Y       -    -      -     -
run_import                  area            Y     Y     -       -    -      -     -
run_import                  none            Y     -     -       -    -      -     -
run_import                  import_job      Y     Y     -       -    -      -     -
enrol_device                venue           -     -     -       -    -      Y     -
enrol_device                distributor     -     -     -       -    -      -     -
manage_devices              venue           Y     Y     -       -    -      Y     -
manage_devices              distributor     -     -     -       -    -      -     -
list_devices                none            Y     Y     Y       -    -      Y     Y
view_conflicts              venue           Y     Y     -       -    -      Y     -
discard_conflict            venue           Y     Y     -       -    -      Y     -
discard_conflict            distributor     -     -     -       -    -      -     -
record_conflict             venue           Y     Y     -       -    -      -     -
record_conflict             distributor     -     -     -       -    -      -     -
correct_conflict            venue           Y     Y     -       -    -      Y     -
correct_conflict            distributor     -     -     -       -    -      -     -
view_rules                  none            Y     Y     Y       Y    Y      Y     Y
view_rules                  area            Y     Y     Y       Y    Y      Y     Y
manage_national_rules       none            Y     -     -       -    -      -     -
manage_area_rules           area            Y     Y     -       -    -      -     -
manage_area_rules           none            Y     -     -       -    -      -     -
"""


def _rows():
    header, *rows = [line.split() for line in MATRIX.strip().splitlines()]
    assert header[2:] == list(CALLERS)
    callers = list(CALLERS.values())
    return [(Action(action), target, dict(zip(callers, [cell == "Y" for cell in cells], strict=True)))
            for action, target, *cells in rows]


ROWS = _rows()


def _target(network, name):
    card = Card(number="1234567890", card_type="personal", issuer=network.distributor)
    return {
        "none": None,
        "area": network.area,
        "distributor": network.distributor,
        "venue": network.venue,
        "card": card,
        "visit": Visit(card=card, venue=network.venue),
        # The other venue's id: an offering mistaken for a site would let the other venue in.
        "offering": Offering(pk=network.other_venue.pk, venue=network.venue, name="Hamlet", kind="event"),
        "admin_user": network.users["admin"],
        "coord_user": network.users["coordinator"],
        "dist_user": network.users["distributor"],
        "venue_user": network.users["venue"],
        "new_venue_user": User(username="uusi", role=Role.VENUE, organisation=network.venue),
        "new_coord_user": User(username="uusi", role=Role.AREA_COORDINATOR, area=network.area),
        "import_job": ImportJob(kind="cards", area=network.area),
    }[name]


def test_every_action_has_a_row():
    assert {action for action, _, _ in ROWS} == set(Action)


def test_each_role_is_allowed_exactly_what_the_matrix_says(network):
    mismatches = []
    for action, target_name, expected in ROWS:
        target = _target(network, target_name)
        for caller, allowed_there in expected.items():
            if allowed(network.users[caller], action, target) != allowed_there:
                mismatches.append(f"{action.value} × {target_name}: {caller} should be "
                                  f"{'allowed' if allowed_there else 'denied'}")

    assert mismatches == []


def test_nobody_without_an_active_account_is_allowed_anything(network):
    admin = network.users["admin"]
    admin.is_active = False

    for action in Action:
        assert not allowed(admin, action, network.area), action
        assert not allowed(None, action, network.area), action
