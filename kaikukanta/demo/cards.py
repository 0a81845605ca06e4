"""The demo's cards (demo/services.py): stock in batches and cards issued from it in time order, with
their events, streamed to the database in chunks."""

import bisect
import datetime
from array import array
from collections import defaultdict

from kaikukanta.cards.models import REPLACED, Card, CardBatch, CardEvent, CardEventKind, StockNumber
from kaikukanta.core import damm
from kaikukanta.core.clock import add_months
from kaikukanta.imports.bulk import Progress, TableWriter

from .world import (
    AGE_GROUPS,
    BATCH_SIZE,
    CHILDREN,
    CHUNK,
    CLOSE_CHANCE,
    CLOSE_REASON_MIX,
    COMMUNITY_SHARE,
    GENDER_MIX,
    NEVER_USED_SHARE,
    RENEWAL_CHANCE,
    REPLACE_CHANCE,
    WORKING_AGE_SITUATIONS,
    WORKING_AGE_SITUATIONS_CHILDLESS,
    _Area,
    _Story,
    _weighted,
)


class CardWriting:
    """The card-writing half of the demo builder (`services._Builder`), which keeps the state."""

    # ---- cards ---------------------------------------------------------------------------------------

    def write_cards(self) -> None:
        """Cards in the order they were issued, with their events and the stock they came from."""
        rng = self.rng
        count = self.card_target
        self.card_start = array("i")
        self.card_end = array("i")
        self.card_key = array("i")
        self.card_children = array("b")  # -1 marks a community card
        self.card_area = array("h")
        self.card_weight = array("d")
        multiplier = rng.randrange(10**8, 10**9) | 1
        if multiplier % 5 == 0:
            multiplier += 2
        offset = rng.randrange(10**9)
        self._number_of = lambda k: f"{(multiplier * k + offset) % 10**9:09d}"
        self.next_stock = 0
        self.stock_used: dict[int, int] = defaultdict(int)
        self.batches: dict[int, list[int]] = defaultdict(list)   # distributor → its batch ids
        self.batch_rows: dict[int, list] = {}                     # batch id → [distributor, count, created]
        card_writer = TableWriter(Card, ("id", "number", "card_type", "issuer", "issued_on", "valid_until",
                                         "closed_on", "close_reason", "replaces", "birth_year", "postal_code",
                                         "home_municipality", "children", "gender", "life_situation",
                                         "created_at"))
        event_writer = TableWriter(CardEvent, ("card", "event", "date", "valid_until", "reason",
                                               "other_number", "created_at"))
        stock_writer = TableWriter(StockNumber, ("number", "distributor", "batch"))
        progress = Progress("cards", self.progress_stream)
        self.first_card_id = (Card.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
        made = 0
        while made < count:
            cards, events, stock = [], [], []
            while made < count and len(cards) < CHUNK:
                made += self._holder(made / count, count - made, cards, events, stock)
            card_writer.write(cards)
            event_writer.write(events)
            stock_writer.write(stock)
            self.result.card_events += len(events)
            progress.update(made, made / count)
        self.result.cards = made
        self._write_spare_stock(stock_writer)

    def _take_number(self, distributor_id: int, stock: list) -> str:
        used = self.stock_used[distributor_id]
        if used % BATCH_SIZE == 0:
            batch_id = len(self.batch_rows) + 1 + self.first_batch_id
            self.batches[distributor_id].append(batch_id)
            self.batch_rows[batch_id] = [distributor_id, 0]
        batch_id = self.batches[distributor_id][-1]
        self.batch_rows[batch_id][1] += 1
        self.stock_used[distributor_id] = used + 1
        body = self._number_of(self.next_stock)
        self.next_stock += 1
        number = body + damm.check_digit(body)
        stock.append((number, distributor_id, batch_id))
        return number

    def _write_spare_stock(self, stock_writer: TableWriter) -> None:
        """Every distributor keeps some numbers not yet issued, as after a real batch order."""
        stock = []
        for distributor_id, _, _ in self.distributors:
            for _ in range(10 + self.stock_used[distributor_id] // 10):
                self._take_number(distributor_id, stock)
        stock_writer.write(stock)
        batch_created = {distributor_id: self.moment(self.distributors_from[i], 9 * 3600)
                         for i, (distributor_id, _, _) in enumerate(self.distributors)}
        TableWriter(CardBatch, ("id", "distributor", "count", "created_at")).write(
            (batch_id, distributor_id, size, batch_created[distributor_id])
            for batch_id, (distributor_id, size) in self.batch_rows.items())
        self.result.stock_numbers = self.next_stock

    def _issue_day(self, position: float) -> int:
        """More cards as the network grows: the issue day's quantile rises with the square root."""
        span = self.today.toordinal() - self.first_day
        day = self.first_day + int(span * position ** 0.5)
        weekday = datetime.date.fromordinal(day).weekday()
        shift = {5: -1, 6: 1}.get(weekday, 0)
        return max(self.first_day, min(day + shift, self.today.toordinal()))

    def _holder(self, position: float, room: int, cards: list, events: list, stock: list) -> int:
        """One holder's card(s): issued, maybe renewed, then maybe closed or replaced. Returns cards made."""
        rng = self.rng
        issued = self._issue_day(position)
        available = bisect.bisect_right(self.distributors_from, issued)
        issuer_id, area_id, issuer_municipality = self.distributors[rng.randrange(available)]
        area = self.area_of[area_id]
        community = rng.random() < COMMUNITY_SHARE
        if community:
            holder = (None, None, None, 0, "", "")
            children = -1
        else:
            holder = self._holder_data(area, issuer_municipality, issued)
            children = holder[3]
        months = self.max_months if rng.random() < 0.8 else min(6, self.max_months)
        periods = [(issued, add_months(datetime.date.fromordinal(issued), months).toordinal())]
        while periods[-1][1] < self.today.toordinal() and rng.random() < RENEWAL_CHANCE:
            renewed = max(periods[-1][1] - rng.randrange(21), periods[-1][0] + 1)
            if renewed > self.today.toordinal():
                break
            until = add_months(datetime.date.fromordinal(renewed), self.max_months)
            periods.append((renewed, until.toordinal()))
        ending = None
        chance = rng.random()
        last_possible = min(periods[-1][1], self.today.toordinal())
        if chance < CLOSE_CHANCE + REPLACE_CHANCE and last_possible > issued:
            ending = (rng.randint(issued + 1, last_possible),
                      REPLACED if chance < REPLACE_CHANCE and room > 1 else self._pick(CLOSE_REASON_MIX))
        story = _Story(issuer_id, area, holder, children, self._activity(community), issued, community)
        card_id = self.first_card_id + len(self.card_start)
        number = self._take_number(issuer_id, stock)
        if ending is None:
            self._add_card(cards, events, story, card_id, number, periods)
            return 1
        day, reason = ending
        before = [p for p in periods if p[0] < day]
        if reason != REPLACED:
            self._add_card(cards, events, story, card_id, number, before, ending=(day, reason, ""))
            return 1
        new_number = self._take_number(issuer_id, stock)
        self._add_card(cards, events, story, card_id, number, before, ending=(day, REPLACED, new_number))
        after = [(day, before[-1][1])] + [p for p in periods if p[0] >= day]
        self._add_card(cards, events, story, card_id + 1, new_number, after, replaces=(card_id, number))
        return 2

    def _pick(self, mix):
        values, cumulative = _weighted(mix)
        return values[bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])]

    def _holder_data(self, area: _Area, issuer_municipality: str, issued: int) -> tuple:
        rng = self.rng
        members = [m for m in area.members if m.joined <= issued]
        home = next((m for m in members if m.code == issuer_municipality), None)
        if home is None or rng.random() < 0.2:
            home = rng.choice(members)
        low, high = self._pick(AGE_GROUPS)
        age = rng.randint(low, high)
        issued_year = datetime.date.fromordinal(issued).year
        children = self._pick(CHILDREN) if age < 75 else 0
        if age >= 65:
            situation = "retired" if rng.random() < 0.9 else "other"
        elif age < 25 and rng.random() < 0.5:
            situation = "student"
        else:
            situation = self._pick(WORKING_AGE_SITUATIONS if children else WORKING_AGE_SITUATIONS_CHILDLESS)
        return (issued_year - age, rng.choice(home.postal_codes), home.code, children, self._pick(GENDER_MIX),
                situation)

    def _activity(self, community: bool) -> float:
        """How much a card gets used, relative to others: many never, most a little, a few a lot."""
        rng = self.rng
        if not community and rng.random() < NEVER_USED_SHARE:
            return 0.0
        weight = min(rng.paretovariate(1.4), 30.0)
        return weight * 3 if community else weight

    def _add_card(self, cards: list, events: list, story: _Story, card_id: int, number: str,
                  periods: list[tuple[int, int]], ending: tuple | None = None,
                  replaces: tuple[int, str] | None = None) -> None:
        """One card of the story, valid over `periods` (issue and renewals), maybe ended (closed or replaced),
        maybe replacing the story's previous card; and what its visits will be drawn from."""
        birth_year, postal_code, home, children_count, gender, situation = story.holder
        issued, valid_until = periods[0][0], periods[-1][1]
        closed_on = ending[0] if ending else None
        issued_date = datetime.date.fromordinal(issued)
        cards.append((
            card_id, number, "community" if story.community else "personal", story.issuer_id, issued_date,
            datetime.date.fromordinal(valid_until),
            datetime.date.fromordinal(closed_on) if closed_on else None, ending[1] if ending else "",
            replaces[0] if replaces else None, birth_year, postal_code, home, children_count, gender,
            situation, self.moment(issued, 10 * 3600)))
        events.append((card_id, CardEventKind.ISSUED.value, issued_date,
                       datetime.date.fromordinal(periods[0][1]), "", replaces[1] if replaces else "",
                       self.moment(issued, 10 * 3600)))
        for renewed, until in periods[1:]:
            events.append((card_id, CardEventKind.RENEWED.value, datetime.date.fromordinal(renewed),
                           datetime.date.fromordinal(until), "", "", self.moment(renewed, 11 * 3600)))
        if ending:
            day, reason, other_number = ending
            kind = CardEventKind.REPLACED if reason == REPLACED else CardEventKind.CLOSED
            events.append((card_id, kind.value, datetime.date.fromordinal(day), None, reason, other_number,
                           self.moment(day, 12 * 3600)))
        last_usable = min(valid_until, closed_on - 1 if closed_on else valid_until, self.today.toordinal())
        self.card_start.append(issued)
        self.card_end.append(last_usable)
        self.card_key.append(story.key)
        self.card_children.append(story.children)
        self.card_area.append(story.area.index)
        self.card_weight.append(story.weight if last_usable >= issued else 0.0)
