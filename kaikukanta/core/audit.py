from .models import AuditRecord


def record(actor, action: str, obj=None, *, object_type: str | None = None, object_id=None, **details) -> None:
    """Write one audit row inside the caller's transaction, so it exists exactly when the change does."""
    AuditRecord.objects.create(
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        action=action,
        object_type=object_type or (obj._meta.model_name if obj is not None else ""),
        object_id=str(object_id if object_id is not None else getattr(obj, "pk", "")),
        details=details,
    )
