"""Statistics, identical on SQLite and PostgreSQL.

The network's and an area's figures are read from the rollups (`rollups.py`, read in `rolled`), brought up
to date first, so their cost depends on the number of days, areas and venues, not on the number of cards
and visits. A distributor's or a venue's figures are read from its own cards and visits (`live`): indexed
by issuer and by venue, they cost what that one site has, and they follow the same definitions (the tests
hold both to the same oracle). Every figure is a handful of aggregate queries, never a query per row.
Permissions are not checked here: `services.scope_for` decides the `Scope` a caller may read.

The package's modules: `common` (the scope, constants and grouping expressions), `rolled`, `live`,
`figures` (one public function per table), `reached` (milestones), `value` (the value of
tickets given) and `reading` (one dashboard's tables read together: folded once, each sum read once).
Import from the package.
"""

from ..rollups import AGE_GROUPS, OLDEST_AGE_GROUP
from .common import HOLDER_GROUPINGS, SUMMARY_FIELDS, SUPPRESS_BELOW, VENUE_GROUPINGS, WITNESS_FIELDS, Scope
from .figures import activation, summary, travel, uses, wellbeing, yearly
from .reached import MILESTONE_STEPS, latest_milestones, milestones
from .reading import fold, one_reading
from .value import VALUE_GROUPINGS, euros, ticket_value, value_summary, yearly_with_value

__all__ = [
    "AGE_GROUPS", "HOLDER_GROUPINGS", "MILESTONE_STEPS", "OLDEST_AGE_GROUP", "SUMMARY_FIELDS", "SUPPRESS_BELOW",
    "VALUE_GROUPINGS", "VENUE_GROUPINGS", "WITNESS_FIELDS", "Scope", "activation", "euros", "fold", "latest_milestones",
    "milestones", "one_reading", "summary", "ticket_value", "travel", "uses", "value_summary", "wellbeing", "yearly",
    "yearly_with_value",
]
