import json
from dataclasses import dataclass

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from . import sql

_INSERT_SQL = ("INSERT INTO core_auditrecord (at, actor_id, action, object_type, object_id, details) "
               "VALUES (%s, %s, %s, %s, %s, %s)")
_INSERT_FROM_SQL = ("INSERT INTO core_auditrecord (at, actor_id, action, object_type, object_id, details) "
                    "SELECT %s, %s, %s, %s, {source}.id::text, %s FROM {source}")


def record(actor, action: str, obj=None, *, object_type: str | None = None, object_id=None, **details) -> None:
    """Write one audit row inside the caller's transaction, so it exists exactly when the change does.

    Every write of the desk's hot path ends here, hence a plain INSERT (see core.sql)."""
    entry = _entry(actor, action, object_type or (obj._meta.model_name if obj is not None else ""), details)
    entry.record_new(object_id if object_id is not None else getattr(obj, "pk", ""))


@dataclass(frozen=True)
class NewRowEntry:
    """The audit row of a row not inserted yet, whose id only its insert will know: written by `record_new`,
    or, on PostgreSQL, inside the insert's own statement (`sql_from`), which saves the desk a round trip."""

    at: object
    actor_id: int | None
    action: str
    object_type: str
    details: str

    def sql_from(self, source: str) -> tuple[str, list]:
        """An INSERT taking the object id from the `id` column of `source` (a data-modifying WITH's name)."""
        return (_INSERT_FROM_SQL.format(source=source),
                [self.at, self.actor_id, self.action, self.object_type, self.details])

    def record_new(self, object_id) -> None:
        """Writes the row on its own, once the new row's insert has given `object_id`."""
        sql.execute(_INSERT_SQL, [self.at, self.actor_id, self.action, self.object_type, str(object_id),
                                  self.details])
        self.written(object_id)

    def written(self, object_id) -> None:
        """Told once the row exists, whichever way it was written (nothing to do here; the tests that hold a
        write at its audit row, core/tests/concurrency.py, wait here)."""


def for_new_row(actor, action: str, object_type: str, **details) -> NewRowEntry:
    """What `record` writes for an object of `object_type` about to be inserted (see NewRowEntry)."""
    return _entry(actor, action, object_type, details)


def _entry(actor, action: str, object_type: str, details: dict) -> NewRowEntry:
    return NewRowEntry(at=timezone.now(), actor_id=actor.pk if actor is not None and getattr(actor, "pk", None)
                       else None, action=action, object_type=object_type,
                       details=json.dumps(details, cls=DjangoJSONEncoder))
