"""How the demo commands tell what was built and how to log in."""

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
    return lines


def describe_existing(usernames: list[str]) -> list[str]:
    if not usernames:
        return []
    return ["Demo logins (username / password); a new API token: manage.py issue_token --username NAME",
            *(f"  {name:<12} {demo_password(name)}" for name in usernames)]
