"""The main menu of each role: the pages that role does its work on, in the order it needs them."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

MENUS = {
    Role.VENUE: [
        ("desk:check", _("Ticket desk")),
        ("desk:today", _("Today's visits")),
        ("desk:paper", _("Paper list")),
        ("desk:offerings", _("Offerings")),
        ("devices:index", _("Desk devices")),
        ("desk:venue_info", _("Venue page")),
        ("stats:dashboard", _("Statistics")),
    ],
    Role.DISTRIBUTOR: [
        ("cards:issue", _("Issue a card")),
        ("cards:list", _("Cards")),
        ("stats:dashboard", _("Statistics")),
    ],
    Role.AREA_COORDINATOR: [
        ("network:organisations", _("Sites")),
        ("network:users", _("Users")),
        ("network:batches", _("Card batches")),
        ("network:guidelines", _("Guidelines")),
        ("network:alerts", _("Guessing alerts")),
        ("network:area_export", _("Export of the area")),
        ("imports:page", _("Imports")),
        ("programme:rules", _("Programme rules")),
        ("devices:index", _("Desk devices")),
        ("stats:dashboard", _("Statistics")),
    ],
    Role.NATIONAL_ADMIN: [
        ("network:areas", _("Areas")),
        ("network:organisations", _("Sites")),
        ("network:users", _("Users")),
        ("network:batches", _("Card batches")),
        ("network:guidelines", _("Guidelines")),
        ("network:settings", _("Settings")),
        ("programme:rules", _("Programme rules")),
        ("network:alerts", _("Guessing alerts")),
        ("network:area_export", _("Export of the area")),
        ("imports:page", _("Imports")),
        ("devices:index", _("Desk devices")),
        ("stats:dashboard", _("Statistics")),
    ],
}


def menu_for(user, current_path: str) -> list[dict]:
    if not user.is_authenticated:
        return []
    entries = []
    for name, label in MENUS.get(user.role, []):
        url = reverse(name)
        entries.append({"url": url, "label": label, "current": current_path.startswith(url)})
    return entries
