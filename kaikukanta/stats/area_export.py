"""Everything stored about one area, as a ZIP of CSV files with a README: the area coordinator's (and the
national admin's) copy of their register.

The ZIP is written while it is sent: each table is read in chunks (`iterator`, a server-side cursor on
PostgreSQL) into a zip entry whose compressed bytes are handed to the response as they come, so a national
area of 100,000+ cards and millions of visits never sits in memory. The stdlib zipfile writes to a stream
it cannot seek with data descriptors, which every unzip tool reads.

Never exported: password hashes and token digests (users and tokens are listed without them), and the
second-factor secrets. Every cell passes `core.spreadsheet.safe_cell`: no text opens as a formula.
"""

import csv
import datetime
import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import CharField, Q
from django.db.models.functions import Cast
from django.utils import timezone

from kaikukanta.accounts.models import ApiToken, User
from kaikukanta.accounts.policy import Action, require
from kaikukanta.cards.models import Card, CardBatch, CardEvent, StockNumber, WellbeingAnswer
from kaikukanta.cards.selectors import HOLDER_READ
from kaikukanta.core import audit
from kaikukanta.core.api_support import is_id
from kaikukanta.core.errors import Code, Refusal
from kaikukanta.core.models import AuditRecord
from kaikukanta.core.spreadsheet import safe_cell
from kaikukanta.network.models import Area, AreaStatusPeriod, GuidelineCommitment, Membership, Offering, Organisation
from kaikukanta.visits.models import Visit

CHUNK_ROWS = 2000


@dataclass(frozen=True)
class Table:
    name: str
    about: str
    columns: tuple[str, ...]
    rows: object  # a queryset of value tuples in `columns` order


def _tables(area: Area) -> list[Table]:
    sites = Organisation.objects.filter(area=area)
    cards = Card.objects.filter(issuer__area=area)
    card_ids = cards.values("pk")
    users = User.objects.filter(Q(area=area) | Q(organisation__area=area))
    visits = Visit.objects.filter(Q(venue__area=area) | Q(card__issuer__area=area))
    batches = CardBatch.objects.filter(distributor__area=area)
    commitments = GuidelineCommitment.objects.filter(organisation__area=area)
    offerings = Offering.objects.filter(venue__area=area)

    def table(name, about, model_rows, *columns):
        return Table(name, about, columns, model_rows.order_by("pk").values_list(*columns))

    def ids_as_text(rows):
        return rows.annotate(as_text=Cast("pk", CharField())).values("as_text")

    audited = AuditRecord.objects.filter(
        Q(object_type="area", object_id=str(area.pk))
        | Q(object_type="organisation", object_id__in=ids_as_text(sites))
        | Q(object_type="user", object_id__in=ids_as_text(users))
        | Q(object_type="apitoken", object_id__in=ids_as_text(ApiToken.objects.filter(user__in=users)))
        | Q(object_type="offering", object_id__in=ids_as_text(offerings))
        | Q(object_type="cardbatch", object_id__in=ids_as_text(batches))
        | Q(object_type="guidelinecommitment", object_id__in=ids_as_text(commitments))
        | Q(object_type="card", object_id__in=ids_as_text(cards))
        # Holder-data reads name a card by its number.
        | Q(object_type="card", object_id__in=cards.values("number"))
        | Q(object_type="visit", object_id__in=ids_as_text(visits)))
    return [
        table("area.csv", "the area", Area.objects.filter(pk=area.pk), "id", "name", "created_at"),
        table("area_status_history.csv", "the area's statuses, each from its date until the next",
              AreaStatusPeriod.objects.filter(area=area), "id", "status", "effective_from"),
        table("memberships.csv", "the municipalities of the area over time (left_on: not included)",
              Membership.objects.filter(area=area), "id", "municipality_id", "municipality__name_fi", "joined_on",
              "left_on"),
        table("organisations.csv", "the area's sites, distributors and venues", sites,
              "id", "name", "kind", "municipality_id", "category", "sector", "active", "active_from",
              "inactive_from", "contact_name", "contact_email", "contact_phone", "guideline_version",
              "guideline_committed_on", "created_at"),
        table("users.csv", "the area's coordinators and its sites' staff (no passwords)", users,
              "id", "username", "first_name", "last_name", "email", "role", "area_id", "organisation_id",
              "language", "is_active", "last_login", "date_joined"),
        table("api_tokens.csv", "those users' API tokens (the prefix only, never the secret or its digest)",
              ApiToken.objects.filter(user__in=users), "id", "user_id", "prefix", "created_at", "expires_at",
              "last_used_at", "revoked_at"),
        table("offerings.csv", "the offerings of the area's venues", offerings,
              "id", "venue_id", "name", "kind", "date", "ticket_quota", "archived", "created_at"),
        table("card_batches.csv", "card number batches of the area's distributors", batches,
              "id", "distributor_id", "count", "created_by_id", "created_at"),
        table("stock_numbers.csv", "every card number in the stock of the area's distributors",
              StockNumber.objects.filter(distributor__area=area), "number", "distributor_id", "batch_id"),
        table("cards.csv", "cards issued by the area's distributors, with their holder data", cards,
              "id", "number", "card_type", "issuer_id", "issued_on", "valid_until", "closed_on", "close_reason",
              "replaces_id", "birth_year", "postal_code_id", "home_municipality_id", "children", "gender",
              "life_situation", "holder_coarsened_on", "created_at"),
        table("card_events.csv", "the history of those cards", CardEvent.objects.filter(card__in=card_ids),
              "id", "card_id", "card__number", "event", "date", "valid_until", "reason", "other_number",
              "actor_id", "created_at"),
        table("wellbeing_answers.csv", "the wellbeing answers given with those cards",
              WellbeingAnswer.objects.filter(card__in=card_ids), "id", "card_id", "event_id", "question_key",
              "value"),
        table("visits.csv", "visits at the area's venues and visits with the area's cards", visits,
              "id", "card_id", "card__number", "venue_id", "offering_id", "used_on", "children", "clients",
              "assistants", "uses", "recorded_by_id", "recorded_at", "cancelled_at"),
        table("guideline_commitments.csv", "the sites' commitments to the national guidelines", commitments,
              "id", "organisation_id", "version_id", "version__label", "committed_on", "recorded_by_id",
              "recorded_at"),
        table("audit.csv", "the audit trail of everything above", audited,
              "id", "at", "actor_id", "action", "object_type", "object_id", "details"),
    ]


def _readme(area: Area, tables: list[Table], exported_by, at: datetime.datetime) -> str:
    lines = [f"Kaikukanta: everything stored about the area {safe_cell(area.name)} (id {area.pk})",
             f"Exported {at.isoformat(timespec='seconds')} by {exported_by.username}.", "",
             "CSV files, UTF-8, comma-separated, one header line; dates ISO 8601, times UTC.",
             "Holder data is personal data: keep this file as the register itself is kept.", ""]
    lines += [f"{table.name}: {table.about}" for table in tables]
    return "\n".join(lines) + "\n"


class _Pipe(io.RawIOBase):
    """What the zip writes, kept until the response takes it. Not seekable, so zipfile streams."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _stream(tables: list[Table], readme: str, progress=None) -> Iterator[bytes]:
    """`progress(share)`, when given, hears the share of rows written so far (counted first)."""
    pipe = _Pipe()
    counts = [table.rows.count() for table in tables] if progress else []
    total, written = max(1, sum(counts)), 0
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", readme)
        yield pipe.take()
        for index, table in enumerate(tables):
            with archive.open(table.name, "w", force_zip64=True) as entry, \
                    io.TextIOWrapper(entry, encoding="utf-8", newline="") as text:
                writer = csv.writer(text)
                writer.writerow(table.columns)
                for count, row in enumerate(table.rows.iterator(chunk_size=CHUNK_ROWS), start=1):
                    writer.writerow([_text(safe_cell(value)) for value in row])
                    if count % CHUNK_ROWS == 0:
                        text.flush()
                        yield pipe.take()
                        if progress:
                            progress((written + count) / total)
                if progress:
                    written += counts[index]
                    progress(written / total)
            yield pipe.take()
    yield pipe.take()


def area_export(user, area_id, progress=None) -> tuple[Area, Iterator[bytes]]:
    """The area and its export as ZIP bytes to stream, if `user` may export it. The export and the holder
    data in it are audited when it is asked for (counts as of then). `progress`: see `_stream`."""
    area = Area.objects.filter(pk=area_id).first() if is_id(str(area_id)) else None
    if area is None:
        raise Refusal(Code.INVALID, field="area")
    require(user, Action.EXPORT_AREA, area)
    tables = _tables(area)
    cards = Card.objects.filter(issuer__area=area).count()
    audit.record(user, "area.exported", area, cards=cards)
    audit.record(user, HOLDER_READ, area, via="area_export", count=cards)
    return area, _stream(tables, _readme(area, tables, user, timezone.now()), progress)
