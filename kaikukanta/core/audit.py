import json

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from . import sql

_INSERT_SQL = ("INSERT INTO core_auditrecord (at, actor_id, action, object_type, object_id, details) "
               "VALUES (%s, %s, %s, %s, %s, %s)")


def record(actor, action: str, obj=None, *, object_type: str | None = None, object_id=None, **details) -> None:
    """Write one audit row inside the caller's transaction, so it exists exactly when the change does.

    Every write of the desk's hot path ends here, hence a plain INSERT (see core.sql)."""
    sql.execute(_INSERT_SQL, [
        timezone.now(),
        actor.pk if actor is not None and getattr(actor, "pk", None) else None,
        action,
        object_type or (obj._meta.model_name if obj is not None else ""),
        str(object_id if object_id is not None else getattr(obj, "pk", "")),
        json.dumps(details, cls=DjangoJSONEncoder),
    ])
