"""How the demo commands tell what was built and how to log in."""

from django.conf import settings

from kaikukanta.demo.services import DemoResult, demo_password


def describe(result: DemoResult) -> list[str]:
    lines = [
        f"Demo network: {result.areas} areas, {result.distributors} distributors, {result.venues} venues, "
        f"{result.offerings:,} offerings; {result.stock_numbers:,} stock numbers, {result.cards:,} cards, "
        f"{result.card_events:,} card events, {result.visits:,} visits "
        f"in {result.seconds:.1f} s (peak memory {result.peak_rss_mb:,.0f} MB).",
        "Demo logins (username / password / API token / scope):",
    ]
    lines += [f"  {login.username:<12} {login.password:<30} {login.token}  {login.role}: {login.scope}"
              for login in result.logins]
    lines += [f"The API tokens are valid for {settings.KAIKUKANTA_API_TOKEN_MAX_DAYS} days.", *SECOND_FACTOR_NOTE]
    return lines


# National admins and area coordinators confirm every sign-in with an authenticator app (accounts.selectors).
SECOND_FACTOR_NOTE = [
    "admin and coordinator confirm every sign-in with an authenticator app (TOTP): at the first sign-in the",
    "page shows a QR code and the same secret as grouped text to add to the app, then asks for its code.",
]


def describe_existing(usernames: list[str]) -> list[str]:
    if not usernames:
        return []
    return ["Demo logins (username / password); a new API token: manage.py issue_token --username NAME",
            *(f"  {name:<12} {demo_password(name)}" for name in usernames), *SECOND_FACTOR_NOTE]
