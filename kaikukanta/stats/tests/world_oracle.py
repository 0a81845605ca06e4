"""The oracle of the test world (world.py): every statistic computed from the world's plain lists with
straightforward loops, the independent answer the API must match. A mixin of `World`, which keeps the lists."""

import datetime
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

from .venue_oracle import venue_travel, venue_uses

SECTORS = ("culture", "education", "science", "sport")
IN_NETWORK = ("pilot", "active")
HOLDER_GROUPINGS = ("age_group", "home_area", "children", "gender", "home_municipality")
BUCKETS = (("0", 0, 0), ("1", 1, 1), ("2-4", 2, 4), ("5-9", 5, 9), ("10-19", 10, 19), ("20+", 20, 10**9))
STEPS = {"uses": 10_000, "cards": 5_000}


def _half_up(numerator: int, denominator: int, places: int) -> float:
    exact = Decimal(numerator) / Decimal(denominator)
    return float(exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


class Oracle:
    """What the statistics should say about the world's lists (status_periods, memberships, organisations,
    cards, visits, low_income, questions, answers, welfare_areas)."""

    def status_on(self, area_id, day):
        periods = sorted((p for p in self.status_periods if p[0] == area_id and p[2] <= day),
                         key=lambda p: p[2])
        return periods[-1][1] if periods else None

    def areas_in_network(self, day):
        return {p[0] for p in self.status_periods if self.status_on(p[0], day) in IN_NETWORK}

    def municipalities(self, day, area_id=None):
        in_network = self.areas_in_network(day)
        return {code for area, code, joined, left in self.memberships
                if joined <= day and (left is None or left > day) and area in in_network
                and (area_id is None or area == area_id)}

    def home_area(self, code, day):
        for area, member, joined, left in self.memberships:
            if member == code and joined <= day and (left is None or left > day):
                return area
        return None

    def card_in(self, scope, card):
        kind, ident = scope
        if kind == "area":
            return self.organisations[card["issuer_id"]]["area_id"] == ident
        if kind == "distributor":
            return card["issuer_id"] == ident
        return kind == "network"

    def visit_in(self, scope, visit):
        kind, ident = scope
        if visit["cancelled"]:
            return False
        if kind == "area":
            return self.organisations[visit["venue_id"]]["area_id"] == ident
        if kind == "distributor":
            return self.cards[visit["card_id"]]["issuer_id"] == ident
        if kind == "venue":
            return visit["venue_id"] == ident
        return True

    def child_uses_of(self, visit):
        return visit["children"] if self.cards[visit["card_id"]]["card_type"] == "personal" else 0

    def first_use(self, card_id):
        days = [v["used_on"] for v in self.visits if v["card_id"] == card_id and not v["cancelled"]]
        return min(days) if days else None

    def summary(self, scope, on):
        kind, ident = scope
        area_id = ident if kind == "area" else None
        result = dict.fromkeys(("areas", "municipalities", "distributors", "venues", "cardholders",
                                "cards_issued", "cards_activated", "low_income_coverage"))
        covered = set()
        if kind in ("network", "area"):
            areas = self.areas_in_network(on)
            if area_id is not None:
                areas &= {area_id}
            covered = self.municipalities(on, area_id)
            active = [o for o in self.organisations.values()
                      if o["active_from"] <= on and (o["inactive_from"] is None or o["inactive_from"] > on)
                      and (area_id is None or o["area_id"] == area_id)]
            result.update(areas=len(areas), municipalities=len(covered),
                          distributors=sum(o["kind"] == "distributor" for o in active),
                          venues=sum(o["kind"] == "venue" for o in active))
        if kind != "venue":
            personal = [c for c in self.cards.values()
                        if c["card_type"] == "personal" and self.card_in(scope, c)]
            result["cardholders"] = sum(
                1 for c in personal if c["issued_on"] <= on <= c["valid_until"]
                and (c["closed_on"] is None or c["closed_on"] > on))
            result["cards_issued"] = sum(1 for c in personal if c["issued_on"] <= on)
            result["cards_activated"] = sum(
                1 for c in personal if self.first_use(c["id"]) is not None and self.first_use(c["id"]) <= on)
        counted = [v for v in self.visits if self.visit_in(scope, v) and v["used_on"] <= on]
        result.update(visits=len(counted), uses=sum(v["uses"] for v in counted),
                      child_uses=sum(self.child_uses_of(v) for v in counted))
        if covered:
            persons = 0
            for code in covered:
                figures = [(year, count) for c, year, count in self.low_income if c == code]
                if not figures:
                    persons = None
                    break
                up_to = [f for f in figures if f[0] <= on.year]
                persons += max(up_to or figures)[1]
            if persons:
                result["low_income_coverage"] = _half_up(result["cardholders"], persons, 4)
        result.update(self.value_of(counted))
        return result

    @staticmethod
    def value_of(visits):
        """The value of the visits' tickets; the uses of visits without a value counted apart."""
        priced = [v for v in visits if v.get("value_cents") is not None]
        uses = sum(v["uses"] for v in visits)
        priced_uses = sum(v["uses"] for v in priced)
        return {"ticket_value_cents": sum(v["value_cents"] for v in priced), "priced_uses": priced_uses,
                "value_known_share": _half_up(priced_uses, uses, 4) if uses else None}

    def ticket_value(self, scope, group_by, start=None, end=None):
        groups = defaultdict(list)
        chosen = [v for v in self.visits if self.visit_in(scope, v) and self.in_period(v, start, end)]
        for visit in chosen:
            groups[self.key_of(group_by, visit)].append(visit)
        rows = [{"key": key, "uses": sum(v["uses"] for v in groups[key]), **self.value_of(groups[key])}
                for key in sorted(groups)]
        return {"rows": rows, "total": {"uses": sum(v["uses"] for v in chosen), **self.value_of(chosen)}}

    def key_of(self, group_by, visit):
        card = self.cards[visit["card_id"]]
        venue = self.organisations[visit["venue_id"]]
        day = visit["used_on"]
        if group_by == "month":
            return day.strftime("%Y-%m")
        if group_by == "year":
            return str(day.year)
        if group_by == "area":
            return str(venue["area_id"])
        if group_by == "municipality":
            return venue["municipality_id"]
        if group_by == "welfare_area":
            return self.welfare_areas[venue["municipality_id"]] or "none"
        if group_by == "venue":
            return str(venue["id"])
        if group_by == "sector":
            return venue["sector"] or "none"
        if group_by == "venue_category":
            return venue["category"]
        if group_by == "card_type":
            return card["card_type"]
        if card["card_type"] == "community":
            return "community"
        if group_by == "children":
            return str(card["children"]) if card["children"] < 4 else "4+"
        if group_by == "gender":
            return card["gender"] or "none"
        if group_by == "home_municipality":
            return card["home"]
        if group_by == "age_group":
            age = day.year - card["birth_year"]
            for below, label in ((18, "16-17"), (30, "18-29"), (50, "30-49"), (65, "50-64")):
                if age < below:
                    return label
            return "65+"
        area = self.home_area(card["home"], day)
        return "none" if area is None else str(area)

    def uses(self, scope, group_by, start=None, end=None):
        if scope[0] in ("venue", "area") and group_by in HOLDER_GROUPINGS:
            return venue_uses(self, scope, group_by, start, end)
        groups = defaultdict(list)
        for visit in self.visits:
            if self.visit_in(scope, visit) and (start is None or visit["used_on"] >= start) and (
                    end is None or visit["used_on"] <= end):
                groups[self.key_of(group_by, visit)].append(visit)
        rows = []
        for key in sorted(groups):
            members = groups[key]
            row = {"key": key, "visits": len(members), "uses": sum(v["uses"] for v in members),
                   "child_uses": sum(self.child_uses_of(v) for v in members), "suppressed": False}
            if group_by in HOLDER_GROUPINGS and len({v["card_id"] for v in members}) < 5:
                row.update(visits=None, uses=None, child_uses=None, suppressed=True)
            rows.append(row)
        everything = [v for members in groups.values() for v in members]
        total = {"visits": len(everything), "uses": sum(v["uses"] for v in everything),
                 "child_uses": sum(self.child_uses_of(v) for v in everything)}
        return {"rows": rows, "total": total}

    def yearly(self, scope, today):
        kind, ident = scope
        area_id = ident if kind == "area" else None
        with_cards = kind != "venue"
        cards = [c for c in self.cards.values() if with_cards and self.card_in(scope, c)]
        visits = [v for v in self.visits if self.visit_in(scope, v)]
        years = [c["issued_on"].year for c in cards] + [v["used_on"].year for v in visits]
        if not years:
            return {"rows": []}
        rows = []
        for year in range(min(years), today.year + 1):
            personal = [c for c in cards if c["card_type"] == "personal"]
            of_year = [v for v in visits if v["used_on"].year == year]
            adult, child, community = (dict.fromkeys(SECTORS, 0) for _ in range(3))
            for visit in of_year:
                sector = self.organisations[visit["venue_id"]]["sector"]
                if sector not in SECTORS:
                    continue
                if self.cards[visit["card_id"]]["card_type"] == "community":
                    community[sector] += visit["uses"]
                else:
                    adult[sector] += 1
                    child[sector] += visit["children"]
            year_end = today if year == today.year else datetime.date(year, 12, 31)
            rows.append({
                "year": year,
                "cards_registered": (sum(c["issued_on"].year == year for c in personal)
                                     if with_cards else None),
                "cards_activated": (sum(1 for c in personal if self.first_use(c["id"])
                                        and self.first_use(c["id"]).year == year) if with_cards else None),
                "adult_uses": adult, "child_uses": child, "community_uses": community,
                "uses": sum(v["uses"] for v in of_year),
                "municipalities": len(self.municipalities(year_end, area_id)) if kind in ("network", "area")
                else None,
                **self.value_of(of_year)})
        return {"rows": rows}

    def wellbeing(self, scope):
        kind, _ = scope
        ordered = sorted(self.questions, key=lambda q: (not q["current"], q["position"]))
        results = []
        for question in ordered:
            key = question["key"]
            result = {"key": key, "current": question["current"],
                      "text": {"fi": f"{key} fi", "sv": f"{key} sv", "en": f"{key} en"},
                      "respondents": None, "mean_at_issue": None, "mean_now": None, "change": None,
                      "suppressed": False}
            if kind != "venue":
                pairs = []
                for card in self.cards.values():
                    if not self.card_in(scope, card):
                        continue
                    mine = [a for a in self.answers if a[0] == card["id"] and a[4] == key]
                    at_issue = [a[5] for a in mine if a[1] == "issued"]
                    renewals = sorted((a for a in mine if a[1] == "renewed"), key=lambda a: (a[2], a[3]))
                    if at_issue and renewals:
                        pairs.append((at_issue[0], renewals[-1][5]))
                count = len(pairs)
                result["respondents"] = count
                if 0 < count < 5:
                    result.update(respondents=None, suppressed=True)
                elif count:
                    then, now = sum(p[0] for p in pairs), sum(p[1] for p in pairs)
                    result.update(mean_at_issue=_half_up(then, count, 2), mean_now=_half_up(now, count, 2),
                                  change=_half_up(now - then, count, 2))
            results.append(result)
        return results

    def in_period(self, visit, start, end):
        return (start is None or visit["used_on"] >= start) and (end is None or visit["used_on"] <= end)

    def uses_of_card(self, card_id):
        return sum(v["uses"] for v in self.visits if v["card_id"] == card_id and not v["cancelled"])

    def activation(self, scope, start=None, end=None):
        if scope[0] == "venue":
            return {"issued": None, "activated": None, "activation_share": None, "renewed": None,
                    "renewal_share": None, "uses_per_card": []}
        cards = [c for c in self.cards.values() if c["card_type"] == "personal" and self.card_in(scope, c)
                 and (start is None or c["issued_on"] >= start) and (end is None or c["issued_on"] <= end)]
        issued = len(cards)
        activated = sum(1 for c in cards if self.first_use(c["id"]) is not None)
        renewed = sum(1 for c in cards if c["renewed"])
        rows = []
        for name, low, high in BUCKETS:
            count = sum(1 for c in cards if low <= self.uses_of_card(c["id"]) <= high)
            hidden = 0 < count < 5
            rows.append({"bucket": name, "cards": None if hidden else count, "suppressed": hidden})
        return {"issued": issued, "activated": activated,
                "activation_share": _half_up(activated, issued, 4) if issued else None,
                "renewed": renewed, "renewal_share": _half_up(renewed, issued, 4) if issued else None,
                "uses_per_card": rows}

    def travel(self, scope, start=None, end=None):
        if scope[0] in ("venue", "area"):
            return venue_travel(self, scope, start, end)
        cells = defaultdict(list)
        for visit in self.visits:
            if self.visit_in(scope, visit) and self.in_period(visit, start, end):
                home = self.key_of("home_area", visit)
                cells[(home, str(self.organisations[visit["venue_id"]]["area_id"]))].append(visit)
        rows = []
        for (home, venue), members in sorted(cells.items()):
            holders = len({v["card_id"] for v in members})
            if holders < 5:
                rows.append({"home": home, "venue": venue, "visits": None, "uses": None, "holders": None,
                             "suppressed": True})
            else:
                rows.append({"home": home, "venue": venue, "visits": len(members),
                             "uses": sum(v["uses"] for v in members), "holders": holders,
                             "suppressed": False})
        return {"rows": rows}

    def milestones(self, scope, today, steps=STEPS):
        """Day by day from the first day anything happened: a municipality is numbered on the first day it
        is counted in the network; running totals are compared with every multiple of the step."""
        kind, ident = scope
        area_id = ident if kind == "area" else None
        visits = [v for v in self.visits if self.visit_in(scope, v)]
        cards = [c for c in self.cards.values() if c["card_type"] == "personal" and kind != "venue"
                 and self.card_in(scope, c)]
        days = ([p[2] for p in self.status_periods] + [m[2] for m in self.memberships]
                + [v["used_on"] for v in visits] + [c["issued_on"] for c in cards])
        found, seen = [], set()
        uses = issued = 0
        next_uses, next_cards = steps["uses"], steps["cards"]
        day = min(days)
        while day <= today:
            if kind in ("network", "area"):
                for code in sorted(self.municipalities(day, area_id) - seen):
                    seen.add(code)
                    found.append({"kind": "municipality", "number": len(seen), "date": day})
            uses += sum(v["uses"] for v in visits if v["used_on"] == day)
            while uses >= next_uses:
                found.append({"kind": "uses", "number": next_uses, "date": day})
                next_uses += steps["uses"]
            issued += sum(1 for c in cards if c["issued_on"] == day)
            while issued >= next_cards:
                found.append({"kind": "cards", "number": next_cards, "date": day})
                next_cards += steps["cards"]
            day += datetime.timedelta(days=1)
        return sorted(found, key=lambda m: (m["date"], m["kind"], m["number"]))
