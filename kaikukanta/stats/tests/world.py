"""A test world that remembers, as plain Python, everything it writes; its oracle (world_oracle.py) computes
every statistic from those lists with straightforward loops: the independent answer the API must match."""

import datetime
from dataclasses import dataclass, field

from kaikukanta.cards.models import CardEvent, WellbeingAnswer, WellbeingQuestion
from kaikukanta.network.models import AreaStatusPeriod, Membership, Organisation
from kaikukanta.reference.models import LowIncomeFigure, Municipality
from kaikukanta.stats import rollups
from kaikukanta.testing import Network, make_area, make_card, make_organisation
from kaikukanta.visits.models import Visit

from .world_oracle import HOLDER_GROUPINGS, Oracle

__all__ = ["HOLDER_GROUPINGS", "World", "new_card", "new_visit"]

POSTAL_MUNICIPALITY = {"00100": "091", "02100": "049", "01300": "092", "33100": "837", "20100": "853",
                       "22100": "478"}

WELFARE_AREA = {"091": "Helsingin kaupunki", "049": "Länsi-Uudenmaan hyvinvointialue",
                "092": "Vantaan ja Keravan hyvinvointialue", "837": "Pirkanmaan hyvinvointialue",
                "853": "Varsinais-Suomen hyvinvointialue", "478": None}


def new_card(distributor, **fields):
    """A card written straight to the database, told to the statistics as the cards service tells them."""
    card = make_card(distributor, **fields)
    rollups.cards_changed(card.pk)
    return card


def new_visit(card, venue, used_on, *, children=0, clients=0, cancelled=False, value_cents=None):
    """A visit written straight to the database, told to the statistics as the visits service tells them."""
    visit = Visit.objects.create(
        card=card, venue=venue, used_on=used_on, children=children, clients=clients, uses=1 + children + clients,
        ticket_value_cents=value_cents,
        cancelled_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC) if cancelled else None)
    rollups.visit_recorded(card.pk, visit.pk)
    if cancelled:
        rollups.visit_cancelled(card.pk, visit.pk)
    return visit


@dataclass
class World(Oracle):
    network: Network
    status_periods: list = field(default_factory=list)   # (area_id, status, effective_from)
    memberships: list = field(default_factory=list)      # [area_id, code, joined_on, left_on]
    organisations: dict = field(default_factory=dict)    # id → dict
    cards: dict = field(default_factory=dict)            # id → dict
    visits: list = field(default_factory=list)           # dicts
    low_income: list = field(default_factory=list)       # (code, year, persons)
    questions: list = field(default_factory=list)        # dicts, in the order the API lists them
    answers: list = field(default_factory=list)          # (card, event kind, date, event id, key, value)
    welfare_areas: dict = field(default_factory=lambda: dict(WELFARE_AREA))  # municipality → name or None

    # ---- writing, and remembering what was written ----

    @classmethod
    def around(cls, network: Network) -> "World":
        """The network's own rows are the starting point; they are read once, as raw rows."""
        world = cls(network)
        # The rollups start from the network as it is; everything written after goes through the fold.
        rollups.fold()
        world.status_periods = list(AreaStatusPeriod.objects.values_list("area_id", "status",
                                                                         "effective_from"))
        world.memberships = [list(row) for row in Membership.objects.values_list(
            "area_id", "municipality_id", "joined_on", "left_on")]
        for row in Organisation.objects.values("id", "kind", "area_id", "municipality_id", "category",
                                               "sector", "active_from", "inactive_from"):
            world.organisations[row["id"]] = row
        return world

    @classmethod
    def read(cls, network: Network) -> "World":
        """Everything the services wrote, read back as plain rows (for worlds built through the API)."""
        from kaikukanta.cards.models import Card

        world = cls(network)
        world.status_periods = list(AreaStatusPeriod.objects.values_list("area_id", "status", "effective_from"))
        world.memberships = [list(row) for row in Membership.objects.values_list(
            "area_id", "municipality_id", "joined_on", "left_on")]
        for row in Organisation.objects.values("id", "kind", "area_id", "municipality_id", "category",
                                               "sector", "active_from", "inactive_from"):
            world.organisations[row["id"]] = row
        renewed = set(CardEvent.objects.filter(event="renewed").values_list("card_id", flat=True))
        for card in Card.objects.values():
            personal = card["card_type"] == "personal"
            world.cards[card["id"]] = {
                "id": card["id"], "card_type": card["card_type"], "issuer_id": card["issuer_id"],
                "issued_on": card["issued_on"], "valid_until": card["valid_until"], "closed_on": card["closed_on"],
                "children": card["children"], "birth_year": card["birth_year"] if personal else None,
                "home": card["home_municipality_id"], "gender": card["gender"] if personal else None,
                "renewed": card["id"] in renewed}
        for card_id, venue_id, used_on, children, clients, uses, cancelled_at, value in Visit.objects.values_list(
                "card_id", "venue_id", "used_on", "children", "clients", "uses", "cancelled_at", "ticket_value_cents"):
            world.visits.append({"card_id": card_id, "venue_id": venue_id, "used_on": used_on, "children": children,
                                 "clients": clients, "uses": uses, "cancelled": cancelled_at is not None,
                                 "value_cents": value})
        world.welfare_areas = dict(Municipality.objects.values_list("code", "welfare_area__name_fi"))
        world.questions = list(WellbeingQuestion.objects.values("key", "position", "current"))
        world.answers = list(WellbeingAnswer.objects.values_list(
            "card_id", "event__event", "event__date", "event_id", "question_key", "value"))
        world.low_income = list(LowIncomeFigure.objects.values_list("municipality_id", "year", "low_income_persons"))
        return world

    def area(self, name, codes, *, status, joined_on):
        area = make_area(name, codes, status=status, joined_on=joined_on)
        self.status_periods.append((area.pk, status, joined_on))
        self.memberships += [[area.pk, code, joined_on, None] for code in codes]
        return area

    def status(self, area, status, effective_from):
        AreaStatusPeriod.objects.create(area=area, status=status, effective_from=effective_from)
        self.status_periods.append((area.pk, status, effective_from))

    def join(self, area, code, joined_on, left_on=None):
        Membership.objects.create(area=area, municipality_id=code, joined_on=joined_on, left_on=left_on)
        self.memberships.append([area.pk, code, joined_on, left_on])

    def leave(self, area, code, left_on):
        Membership.objects.filter(area=area, municipality_id=code, left_on__isnull=True).update(
            left_on=left_on)
        for membership in self.memberships:
            if membership[0] == area.pk and membership[1] == code and membership[3] is None:
                membership[3] = left_on

    def organisation(self, name, kind, area, municipality, **extra):
        organisation = make_organisation(name, kind, area, municipality, **extra)
        self.organisations[organisation.pk] = {
            "id": organisation.pk, "kind": kind, "area_id": area.pk, "municipality_id": municipality,
            "category": organisation.category, "sector": organisation.sector,
            "active_from": organisation.active_from, "inactive_from": organisation.inactive_from}
        return organisation

    def card(self, issuer, issued_on, *, valid_until=None, card_type="personal", children=0, birth_year=1980,
             postal_code="00100", closed_on=None, replaces=None, gender=""):
        valid_until = valid_until or issued_on + datetime.timedelta(days=300)
        personal = card_type == "personal"
        card = new_card(issuer, card_type=card_type, issued_on=issued_on, valid_until=valid_until,
                        children=children, birth_year=birth_year, postal_code=postal_code,
                        closed_on=closed_on, replaces=replaces, gender=gender if personal else "")
        self.cards[card.pk] = {
            "id": card.pk, "card_type": card_type, "issuer_id": issuer.pk, "issued_on": issued_on,
            "valid_until": valid_until, "closed_on": closed_on, "children": children if personal else 0,
            "birth_year": birth_year if personal else None,
            "home": POSTAL_MUNICIPALITY[postal_code] if personal else None,
            "gender": gender if personal else None, "renewed": False}
        return card

    def close(self, card, closed_on):
        card.closed_on = closed_on
        card.close_reason = "replaced"
        card.save(update_fields=["closed_on", "close_reason"])
        rollups.cards_changed(card.pk)
        self.cards[card.pk]["closed_on"] = closed_on

    def visit(self, card, venue, used_on, *, children=0, clients=0, cancelled=False, value_cents=None):
        visit = new_visit(card, venue, used_on, children=children, clients=clients, cancelled=cancelled,
                          value_cents=value_cents)
        self.visits.append({"card_id": card.pk, "venue_id": venue.pk, "used_on": used_on,
                            "children": children, "clients": clients, "uses": 1 + children + clients,
                            "cancelled": cancelled, "value_cents": value_cents})
        return visit

    def low_income_figure(self, code, year, persons):
        LowIncomeFigure.objects.update_or_create(municipality_id=code, year=year,
                                                 defaults={"low_income_persons": persons})
        self.low_income = [row for row in self.low_income if row[:2] != (code, year)]
        self.low_income.append((code, year, persons))

    def question(self, key, position, *, current=True):
        WellbeingQuestion.objects.create(key=key, text_fi=f"{key} fi", text_sv=f"{key} sv",
                                         text_en=f"{key} en", position=position, current=current)
        self.questions.append({"key": key, "position": position, "current": current})

    def answer_at_issue(self, card, key, value):
        event = card.events.get(event="issued")
        WellbeingAnswer.objects.create(card=card, event=event, question_key=key, value=value)
        rollups.cards_changed(card.pk)
        self.answers.append((card.pk, "issued", event.date, event.pk, key, value))

    def renewal(self, card, date, answers: dict):
        event = CardEvent.objects.create(card=card, event="renewed", date=date)
        self.cards[card.pk]["renewed"] = True
        rollups.cards_changed(card.pk)
        for key, value in answers.items():
            WellbeingAnswer.objects.create(card=card, event=event, question_key=key, value=value)
            self.answers.append((card.pk, "renewed", date, event.pk, key, value))
