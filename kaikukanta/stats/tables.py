"""The statistics pages' tables: built once from the selectors' figures, then shown as a page table beside
its chart, written as CSV and XLSX, and drawn into the annual report. Every form of a figure therefore
carries the same number, and a suppressed cell stays suppressed in all of them.

Only presentation happens here (labels in the page's language, order, which tables a scope has); every
figure comes from `selectors`.
"""

import datetime
import math
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property

from django.template.defaultfilters import date as date_filter
from django.template.defaultfilters import floatformat
from django.utils import formats
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from kaikukanta.network.models import SECTORS, Area, Organisation
from kaikukanta.reference.models import Municipality, WelfareArea

from . import selectors
from .forms import GROUPINGS
from .selectors import Scope

TEXT, COUNT, DECIMAL, PERCENT, DATE = "text", "count", "decimal", "percent", "date"
NUMERIC = (COUNT, DECIMAL, PERCENT)
SUPPRESSED_TEXT = gettext_lazy("fewer than 5")
HEAT_LEVELS = 4

SECTOR_LABELS = {"culture": gettext_lazy("Culture"), "education": gettext_lazy("Education"),
                 "science": gettext_lazy("Science"), "sport": gettext_lazy("Sport"),
                 "none": gettext_lazy("No sector")}
CATEGORY_LABELS = {
    "theatre": gettext_lazy("Theatre"), "museum": gettext_lazy("Museum"), "music": gettext_lazy("Music"),
    "cinema": gettext_lazy("Cinema"), "dance": gettext_lazy("Dance"), "festival": gettext_lazy("Festival"),
    "library": gettext_lazy("Library"), "visual_arts": gettext_lazy("Visual arts"),
    "adult_education": gettext_lazy("Adult education"), "science_centre": gettext_lazy("Science centre"),
    "sport": gettext_lazy("Sport"), "other": gettext_lazy("Other"),
}
FIXED_LABELS = {
    "card_type": {"personal": gettext_lazy("Personal card"), "community": gettext_lazy("Community card")},
    "gender": {"female": gettext_lazy("Female"), "male": gettext_lazy("Male"), "other": gettext_lazy("Other"),
               "unspecified": gettext_lazy("Not told")},
    "sector": SECTOR_LABELS,
    "venue_category": CATEGORY_LABELS,
}
SPECIAL_KEYS = {"community": gettext_lazy("Community card"), "none": gettext_lazy("Not known")}
AREA_KEYS = {"area", "home_area"}
MUNICIPALITY_KEYS = {"municipality", "home_municipality"}
# Breakdowns whose keys are names read best sorted by name; the others (months, ages, children) by key.
SORTED_BY_NAME = AREA_KEYS | MUNICIPALITY_KEYS | {"welfare_area", "venue", "venue_category", "sector", "gender"}
LINE_CHARTS = {"month", "year"}
HORIZONTAL_CHARTS = SORTED_BY_NAME | {"age_group"}
AGE_GROUPS = {label for _below, label in selectors.AGE_GROUPS} | {selectors.OLDEST_AGE_GROUP}
SUMMARY_LABELS = {
    "areas": gettext_lazy("Areas"), "municipalities": gettext_lazy("Municipalities"),
    "distributors": gettext_lazy("Distributors"), "venues": gettext_lazy("Venues"),
    "cardholders": gettext_lazy("Cardholders (valid cards)"), "cards_issued": gettext_lazy("Cards issued"),
    "cards_activated": gettext_lazy("Cards activated"), "visits": gettext_lazy("Visits"),
    "uses": gettext_lazy("Uses"), "child_uses": gettext_lazy("Child uses"),
    "low_income_coverage": gettext_lazy("Low-income coverage (%)"),
    "ticket_value_cents": gettext_lazy("Value of tickets given (€)"),
    "value_known_share": gettext_lazy("Value known for (% of uses)"),
}
VALUE_LABEL = gettext_lazy("Value of tickets given (€)")
VALUE_KNOWN_LABEL = gettext_lazy("Value known (% of uses)")
PROTECTED_NOTE = gettext_lazy(
    "Figures by holder attributes cover only calendar months that ended at least 39 days ago and are rounded "
    "to multiples of five; groups of fewer than five cardholders are left out, to protect their privacy.")
VALUE_NOTE = gettext_lazy(
    "At the regular ticket prices the venues gave for their offerings, each visit priced when it was recorded. "
    "Uses whose offering has no price are counted apart and never guessed.")
MILESTONE_LABELS = {"municipality": gettext_lazy("Municipalities joined"),
                    "uses": gettext_lazy("Uses"), "cards": gettext_lazy("Cards issued")}


@dataclass(frozen=True)
class Column:
    name: str
    label: str
    kind: str = COUNT

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC


@dataclass(frozen=True)
class Cell:
    value: object = None
    kind: str = COUNT
    suppressed: bool = False
    level: int | None = None  # the shade of a heat table's cell, 0 (none) to HEAT_LEVELS
    places: int = 0           # decimals shown of a decimal or a percentage

    @property
    def numeric(self) -> bool:
        return self.kind in NUMERIC

    @property
    def page_format(self) -> str:
        """The `floatformat` argument that writes the number as the files do, grouped by thousands."""
        return f"{self.places}g"

    @property
    def page_html(self) -> str:
        """The cell as the page writes it (in Python rather than a template per cell: a dashboard has thousands
        of them). A suppressed cell says "fewer than 5", a missing figure is a dash that a screen reader reads
        as "no figure", numbers are grouped by thousands in the page's language."""
        if self.suppressed:
            return format_html('<span class="suppressed">{}</span>', SUPPRESSED_TEXT)
        if self.value is None:
            return format_html('<span aria-hidden="true">–</span><span class="visually-hidden">{}</span>',
                               _("no figure"))
        if self.kind in (COUNT, DECIMAL):
            return floatformat(self.value, self.page_format)
        if self.kind == PERCENT:
            return format_html("{} %", floatformat(self.value, self.page_format))
        if self.kind == DATE:
            return conditional_escape(date_filter(self.value, "SHORT_DATE_FORMAT"))
        return conditional_escape(formats.localize(self.value))


@dataclass(frozen=True)
class ChartSpec:
    kind: str                            # "line", "bar" or "hbar"
    series: tuple[str, ...]              # the columns drawn
    only: frozenset | None = None        # the row keys drawn, when not every row
    reverse: bool = False                # first row at the bottom (an age pyramid, oldest on top)


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[list[Cell]]
    keys: list[str]
    chart: ChartSpec | None = None
    empty: str = ""
    note: str = ""
    # The table with its chart as the dashboard shows it, once rendered for the cache (dashboard_cache).
    page_html: str = ""

    @property
    def has_suppressed(self) -> bool:
        return any(cell.suppressed for row in self.rows for cell in row)

    @property
    def page_rows(self) -> str:
        """The rows of the page's table: the first cell of each heads its row, numbers are marked for their
        alignment and a suppressed cell for its style."""
        return self._page_rows(heat=False)

    @property
    def page_heat_rows(self) -> str:
        """The rows with each cell's shade (a heat table's)."""
        return self._page_rows(heat=True)

    def _page_rows(self, heat: bool) -> str:
        # Written here rather than by a template loop: thousands of cells, each a few conditions.
        written = []
        for row in self.rows:
            cells = [format_html('<th scope="row">{}</th>', row[0].page_html)]
            for cell in row[1:]:
                style = "number" if cell.numeric else ""
                if heat and cell.level is not None:
                    style += f" stats-heat--{cell.level}"
                if cell.suppressed:
                    style += " stats-suppressed"
                cells.append(format_html('<td class="{}">{}</td>', style, cell.page_html))
            written.append(format_html("<tr>{}</tr>", mark_safe("\n".join(cells))))  # noqa: S308 (each part escaped)
        return mark_safe("\n".join(written))  # noqa: S308 (each row escaped)

    def chart_data(self) -> dict | None:
        """What charts.js draws: the table's own labels and numbers, suppressed cells left out."""
        if self.chart is None or not self.rows:
            return None
        index = {column.name: position for position, column in enumerate(self.columns)}
        drawn = [row for key, row in zip(self.keys, self.rows, strict=True)
                 if self.chart.only is None or key in self.chart.only]
        return {
            "kind": self.chart.kind, "reverse": self.chart.reverse,
            "labels": [str(row[0].value) for row in drawn],
            "series": [{"label": str(self.columns[index[name]].label),
                        "values": [None if row[index[name]].suppressed else _drawn(row[index[name]].value)
                                   for row in drawn]}
                       for name in self.chart.series],
        }


def _drawn(value):
    """A number as a chart takes it (an exact sum of euros becomes a float only to be drawn)."""
    return float(value) if isinstance(value, Decimal) else value


def _percent(share: float | None, places: int = 1) -> Cell:
    return Cell(None if share is None else round(share * 100, places), PERCENT, places=places)


def _language() -> str:
    return "sv" if (get_language() or "fi").startswith("sv") else "fi"


def key_labels(group_by: str, keys: list[str]) -> dict[str, str]:
    """Each key of a breakdown as a reader calls it in the page's language."""
    plain = [key for key in keys if key not in SPECIAL_KEYS]
    name_field = "name_sv" if _language() == "sv" else "name_fi"
    if group_by == "month":
        names = {key: formats.date_format(datetime.date(int(key[:4]), int(key[5:7]), 1), "YEAR_MONTH_FORMAT")
                 for key in plain}
    elif group_by in AREA_KEYS:
        names = {str(pk): name for pk, name in
                 Area.objects.filter(pk__in=[int(key) for key in plain]).values_list("pk", "name")}
    elif group_by == "venue":
        names = {str(pk): name for pk, name in
                 Organisation.objects.filter(pk__in=[int(key) for key in plain]).values_list("pk", "name")}
    elif group_by in MUNICIPALITY_KEYS:
        names = dict(Municipality.objects.filter(code__in=plain).values_list("code", name_field))
    elif group_by == "welfare_area":
        # The breakdown's keys are the Finnish names.
        names = dict(WelfareArea.objects.filter(name_fi__in=plain).values_list("name_fi", name_field))
    else:
        names = {key: str(label) for key, label in FIXED_LABELS.get(group_by, {}).items()}
    special = {key: str(label) for key, label in SPECIAL_KEYS.items()}
    if group_by == "sector":
        special["none"] = str(SECTOR_LABELS["none"])
    if group_by == "home_area":
        special["none"] = _("Outside the network")
    return {key: names.get(key) or special.get(key) or key for key in keys}


def _order(group_by: str, rows: list[dict], labels: dict[str, str]) -> list[dict]:
    if group_by not in SORTED_BY_NAME:
        return rows
    return sorted(rows, key=lambda row: (row["key"] in SPECIAL_KEYS, labels[row["key"]].casefold()))


def grouping_label(group_by: str) -> str:
    return str(dict(GROUPINGS)[group_by])


def scope_name(scope: Scope) -> str:
    if scope.area_id is not None:
        return Area.objects.get(pk=scope.area_id).name
    site = scope.distributor_id or scope.venue_id
    if site is not None:
        return Organisation.objects.get(pk=site).name
    return _("Whole network")


def _count(value, suppressed: bool = False) -> Cell:
    return Cell(value, COUNT, suppressed)


def _text(value) -> Cell:
    return Cell(value, TEXT)


def _euros(cents: int) -> Cell:
    """An exact sum of money: cents as euros with two decimals."""
    return Cell(selectors.euros(cents), DECIMAL, places=2)


class Figures:
    """The tables of one scope and set of filters; each selector is asked at most once."""

    def __init__(self, scope: Scope, *, start: datetime.date, end: datetime.date, on: datetime.date,
                 group_by: str, today: datetime.date):
        self.scope, self.start, self.end, self.on = scope, start, end, on
        self.group_by, self.today = group_by, today

    @property
    def national(self) -> bool:
        return self.scope == Scope()

    def names(self) -> list[str]:
        """The tables of this scope, in the order the dashboard shows them: the area bars and the
        milestones belong to the whole network, and a venue's scope has no cards to count."""
        names = ["summary", "yearly", "month", "sector", "value_sector", "value_place"]
        if self.national:
            names.append("area")
        names += ["age_group", "breakdown", "travel"]
        if self.scope.covers_cards:
            names += ["activation", "uses_per_card", "wellbeing"]
        if self.national:
            names.append("milestones")
        return names

    def table(self, name: str) -> Table | None:
        return getattr(self, f"_{name}")() if name in self.names() else None

    def tables(self) -> dict[str, Table]:
        return {name: self.table(name) for name in self.names()}

    # ---- the tables ----

    def _summary(self) -> Table:
        figures = selectors.summary(self.scope, self.on)
        rows, keys = [], []
        for name, label in SUMMARY_LABELS.items():
            value = figures[name]
            if value is None:
                continue
            if name == "ticket_value_cents":
                cell = _euros(value)
            elif name == "value_known_share":
                cell = _percent(value)
            else:
                cell = _percent(value, 2) if name == "low_income_coverage" else _count(value)
            rows.append([_text(str(label)), cell])
            keys.append(name)
        title = _("Figures on %(date)s") % {"date": formats.date_format(self.on, "SHORT_DATE_FORMAT")}
        return Table("summary", title, [Column("figure", _("Figure"), TEXT), Column("value", _("Value"))],
                     rows, keys)

    def _yearly(self) -> Table:
        columns = [Column("year", _("Year"), TEXT), Column("cards_registered", _("Cards registered")),
                   Column("cards_activated", _("Cards activated"))]
        for group, label in (("adult_uses", _("Adult uses")), ("child_uses", _("Child uses")),
                             ("community_uses", _("Community uses"))):
            columns += [Column(f"{group}.{sector}", f"{label} – {SECTOR_LABELS[sector]}") for sector in SECTORS]
        columns += [Column("uses", _("Uses in total")), Column("municipalities", _("Municipalities at year end")),
                    Column("ticket_value_cents", str(VALUE_LABEL), DECIMAL),
                    Column("value_known_share", str(VALUE_KNOWN_LABEL), PERCENT)]
        source = selectors.yearly(self.scope, self.today)["rows"]

        def value(row, name):
            group, _dot, sector = name.partition(".")
            return row[group][sector] if sector else row[group]

        def cell(row, name):
            if name == "ticket_value_cents":
                return _euros(row[name])
            return _percent(row[name]) if name == "value_known_share" else _count(value(row, name))

        # Figures a scope cannot have (cards at a venue) are null in every row: those columns are left out.
        kept = [column for column in columns if column.name in ("year", "value_known_share")
                or any(value(row, column.name) is not None for row in source)]
        rows = [[_text(row["year"])] + [cell(row, column.name) for column in kept[1:]] for row in source]
        # "Cards and uses": both drawn, the cards where the scope has them (a venue's has none).
        drawn = tuple(name for name in ("cards_registered", "uses") if any(c.name == name for c in kept))
        return Table("yearly", _("Cards and uses by year"), kept, rows, [str(row["year"]) for row in source],
                     ChartSpec("bar", drawn), _("No cards or uses yet."))

    def _uses(self, name: str, group_by: str, title: str) -> Table:
        result = selectors.uses(self.scope, group_by, self.start, self.end)
        labels = key_labels(group_by, [row["key"] for row in result["rows"]])
        source = _order(group_by, result["rows"], labels)
        columns = [Column("key", grouping_label(group_by), TEXT), Column("visits", _("Visits")),
                   Column("uses", _("Uses")), Column("child_uses", _("Child uses"))]
        rows = [[_text(labels[row["key"]])] + [_count(row[field], row["suppressed"])
                                                for field in ("visits", "uses", "child_uses")]
                for row in source]
        if group_by in LINE_CHARTS:
            chart = ChartSpec("line", ("uses", "child_uses"))
        elif group_by == "age_group":
            chart = ChartSpec("hbar", ("uses",), only=frozenset(AGE_GROUPS), reverse=True)
        else:
            chart = ChartSpec("hbar" if group_by in HORIZONTAL_CHARTS else "bar", ("uses",))
        return Table(name, title, columns, rows, [row["key"] for row in source], chart,
                     _("No uses in this period."), self._note(group_by in selectors.HOLDER_GROUPINGS))

    def _note(self, about_holders: bool) -> str:
        return str(PROTECTED_NOTE) if about_holders and not self.scope.entitled_to_holder_data else ""

    def _month(self) -> Table:
        return self._uses("month", "month", _("Uses by month"))

    def _sector(self) -> Table:
        return self._uses("sector", "sector", _("Uses by sector"))

    def _area(self) -> Table:
        return self._uses("area", "area", _("Uses by area"))

    def _value(self, name: str, group_by: str, title: str) -> Table:
        """The value of tickets given per key of a venue grouping, with the share of uses it is known for."""
        result = selectors.ticket_value(self.scope, group_by, self.start, self.end)
        labels = key_labels(group_by, [row["key"] for row in result["rows"]])
        source = _order(group_by, result["rows"], labels)
        columns = [Column("key", grouping_label(group_by), TEXT),
                   Column("ticket_value_cents", str(VALUE_LABEL), DECIMAL), Column("uses", _("Uses")),
                   Column("value_known_share", str(VALUE_KNOWN_LABEL), PERCENT)]
        rows = [[_text(labels[row["key"]]), _euros(row["ticket_value_cents"]), _count(row["uses"]),
                 _percent(row["value_known_share"])] for row in source]
        return Table(name, title, columns, rows, [row["key"] for row in source],
                     ChartSpec("hbar", ("ticket_value_cents",)), _("No uses in this period."),
                     str(VALUE_NOTE))

    def _value_sector(self) -> Table:
        return self._value("value_sector", "sector", _("Value of tickets given by sector"))

    def _value_place(self) -> Table:
        if self.national:
            return self._value("value_place", "area", _("Value of tickets given by area"))
        return self._value("value_place", "venue", _("Value of tickets given by venue"))

    def _age_group(self) -> Table:
        return self._uses("age_group", "age_group", _("Uses by age group"))

    def _breakdown(self) -> Table:
        return self._uses("breakdown", self.group_by,
                          _("Uses by: %(grouping)s") % {"grouping": grouping_label(self.group_by)})

    def _travel(self) -> Table:
        """Home area × venue area: where holders from each area used their cards."""
        source = selectors.travel(self.scope, self.start, self.end)["rows"]
        homes = sorted({row["home"] for row in source})
        venues = sorted({row["venue"] for row in source})
        labels = key_labels("home_area", homes + venues)
        homes.sort(key=lambda key: (key in SPECIAL_KEYS, labels[key].casefold()))
        venues.sort(key=lambda key: (key in SPECIAL_KEYS, labels[key].casefold()))
        cells = {(row["home"], row["venue"]): row for row in source}
        largest = max((row["uses"] or 0 for row in source), default=0)
        rows = []
        for home in homes:
            row = [_text(labels[home])]
            for venue in venues:
                found = cells.get((home, venue))
                if found and found["suppressed"]:
                    row.append(Cell(None, COUNT, suppressed=True))
                    continue
                uses = found["uses"] if found else 0
                row.append(Cell(uses, COUNT, level=math.ceil(HEAT_LEVELS * uses / largest) if uses else 0))
            rows.append(row)
        columns = [Column("home", _("Home area of the holder"), TEXT)]
        columns += [Column(venue, labels[venue]) for venue in venues]
        return Table("travel", _("Uses by home area and venue area"), columns, rows, homes,
                     empty=_("No uses in this period."), note=self._note(True))

    @cached_property
    def _activation_figures(self) -> dict:
        return selectors.activation(self.scope, self.start, self.end)

    def _activation(self) -> Table:
        figures = self._activation_figures
        entries = [("issued", _("Cards issued"), _count(figures["issued"])),
                   ("activated", _("Cards activated (used at least once)"), _count(figures["activated"])),
                   ("activation_share", _("Activation share (%)"),
                    _percent(figures["activation_share"])),
                   ("renewed", _("Cards renewed"), _count(figures["renewed"])),
                   ("renewal_share", _("Renewal share (%)"), _percent(figures["renewal_share"]))]
        return Table("activation", _("Activation and renewal"),
                     [Column("figure", _("Figure"), TEXT), Column("value", _("Value"))],
                     [[_text(label), cell] for _key, label, cell in entries], [key for key, _l, _c in entries])

    def _uses_per_card(self) -> Table:
        buckets = self._activation_figures["uses_per_card"]
        return Table("uses_per_card", _("Cards by number of uses"),
                     [Column("bucket", _("Uses per card"), TEXT), Column("cards", _("Cards"))],
                     [[_text(bucket["bucket"]), _count(bucket["cards"], bucket["suppressed"])] for bucket in buckets],
                     [bucket["bucket"] for bucket in buckets], ChartSpec("bar", ("cards",)))

    def _wellbeing(self) -> Table:
        language = _language()
        rows, keys = [], []
        for result in selectors.wellbeing(self.scope):
            text = result["text"].get(language) or result["text"]["fi"]
            if not result["current"]:
                text = _("%(question)s (no longer asked)") % {"question": text}
            hidden = result["suppressed"]
            means = [Cell(result[field], DECIMAL, hidden, places=2)
                     for field in ("mean_at_issue", "mean_now", "change")]
            rows.append([_text(text), _count(result["respondents"], hidden), *means])
            keys.append(result["key"])
        columns = [Column("question", _("Question"), TEXT), Column("respondents", _("Respondents")),
                   Column("mean_at_issue", _("Mean answer at issue"), DECIMAL),
                   Column("mean_now", _("Mean answer at latest renewal"), DECIMAL),
                   Column("change", _("Change of the mean"), DECIMAL)]
        return Table("wellbeing", _("Wellbeing at issue and at renewal"), columns, rows, keys,
                     empty=_("No wellbeing questions yet."))

    def sectors_of_year(self, year: int) -> Table:
        """The yearly table's row for `year` turned on its side: uses by sector and by kind of holder."""
        found = next((row for row in selectors.yearly(self.scope, self.today)["rows"] if row["year"] == year), None)
        groups = ("adult_uses", "child_uses", "community_uses")
        rows = []
        for sector in SECTORS:
            counts = [found[group][sector] if found else 0 for group in groups]
            rows.append([_text(str(SECTOR_LABELS[sector]))] + [_count(count) for count in counts]
                        + [_count(sum(counts))])
        columns = [Column("sector", _("Sector"), TEXT), Column("adult_uses", _("Adult uses")),
                   Column("child_uses", _("Child uses")), Column("community_uses", _("Community uses")),
                   Column("total", _("Uses in total"))]
        return Table("sectors_of_year", _("Uses by sector in %(year)s") % {"year": year}, columns, rows,
                     list(SECTORS), ChartSpec("hbar", ("total",)))

    def _milestones(self) -> Table:
        reached = sorted(selectors.milestones(), key=lambda milestone: (milestone["date"], milestone["number"]),
                         reverse=True)
        return Table("milestones", _("Milestones"),
                     [Column("kind", _("Milestone"), TEXT), Column("number", _("Number reached")),
                      Column("date", _("Date reached"), DATE)],
                     [[_text(str(MILESTONE_LABELS.get(item["kind"], item["kind"]))), _count(item["number"]),
                       Cell(item["date"], DATE)] for item in reached],
                     [f"{item['kind']}-{item['number']}" for item in reached], empty=_("No milestones yet."))
