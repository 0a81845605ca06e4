"""Everything a backup must bring back, read the same way from the database backed up (in the test)
and from the one restored (in a `manage.py shell` against it)."""

import json


def snapshot() -> dict:
    from kaikukanta.accounts.models import ApiToken, User
    from kaikukanta.cards.models import Card, CardEvent
    from kaikukanta.core.clock import today
    from kaikukanta.core.models import AuditRecord
    from kaikukanta.stats import selectors
    from kaikukanta.visits.models import Visit

    scope = selectors.Scope()
    taken = {
        "visits": list(Visit.objects.order_by("id").values_list(
            "id", "card__number", "venue_id", "offering_id", "used_on", "children", "clients", "assistants",
            "uses", "recorded_by_id", "recorded_at", "cancelled_at", "idempotency_key")),
        "cards": list(Card.objects.order_by("id").values_list(
            "id", "number", "card_type", "issuer_id", "issued_on", "valid_until", "closed_on", "birth_year",
            "postal_code_id", "children")),
        "card_events": list(CardEvent.objects.order_by("id").values_list("id", "card_id", "event", "date")),
        "audit": list(AuditRecord.objects.order_by("id").values_list(
            "id", "at", "actor_id", "action", "object_type", "object_id", "details")),
        "users": list(User.objects.order_by("id").values_list("id", "username", "role", "password")),
        "tokens": list(ApiToken.objects.order_by("id").values_list("id", "user_id", "digest", "revoked_at")),
        "summary": selectors.summary(scope, today()),
        "uses_by_venue": selectors.uses(scope, "venue"),
        "uses_by_month": selectors.uses(scope, "month"),
    }
    return json.loads(json.dumps(taken, default=str))

