"""The bounds of the network's own numbers, read by the services (which check them), the API schemas and the
forms alike (see core/bounds.py)."""

from kaikukanta.core.bounds import check_integer

# Card tickets of one offering a day: the largest arena in the country seats fewer.
TICKET_QUOTA_MIN, TICKET_QUOTA_MAX = 0, 1_000_000
# The regular price of one ticket, in cents: 0 (free anyway) to 1,000 euros (above any opera's best seat).
TICKET_PRICE_MIN_CENTS, TICKET_PRICE_MAX_CENTS = 0, 100_000
MAX_VALIDITY_MONTHS_MIN, MAX_VALIDITY_MONTHS_MAX = 1, 60


def check_ticket_quota(ticket_quota: int | None) -> None:
    if ticket_quota is not None:
        check_integer(ticket_quota, "ticket_quota", TICKET_QUOTA_MIN, TICKET_QUOTA_MAX)


def check_ticket_prices(**prices: int | None) -> None:
    """`adult_price_cents` and `child_price_cents`: empty, or whole cents within the bounds."""
    for field, cents in prices.items():
        if cents is not None:
            check_integer(cents, field, TICKET_PRICE_MIN_CENTS, TICKET_PRICE_MAX_CENTS)


def site_active_on(active: bool, inactive_from, day) -> bool:
    """Was a site in the network on `day`: an active one is; one that left was until its `inactive_from`.
    (Imported history of a site that has since left is still history; a day after it left is not.)"""
    return bool(active) or (inactive_from is not None and day < inactive_from)
