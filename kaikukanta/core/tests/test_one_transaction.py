"""Every write is one transaction: when the last statement of a write fails, nothing of the write remains.

Each successful write of the operation table is made twice from the same state: once to count the audit
rows it writes (the audit row is every write's last statement, or part of it: the desk's visit insert writes
its own on PostgreSQL), then with the last of those audit inserts failing. After the failure every table of
the project holds exactly what it held before the request.
"""

import dataclasses
from contextlib import contextmanager

import pytest
from django.apps import apps
from django.db import transaction

from kaikukanta.core import audit

from .operations import CALLERS, OPERATIONS, build_world, call

pytestmark = pytest.mark.django_db


class AuditStoreFailed(Exception):
    """Stands for any failure of the last statement: a full disk, a lost connection, a bug."""


def first_success(operation) -> str | None:
    return next((caller for caller in CALLERS if 200 <= operation.expected[caller] < 300), None)


WRITES = [(operation, first_success(operation)) for operation in OPERATIONS
          if operation.writes and first_success(operation) is not None]


def everything() -> dict[str, list[dict]]:
    """Every row of every project table, column by column (reference data aside: no request writes it).

    A token's `last_used_at` is left out: authentication stamps it before the operation begins, on purpose
    outside the operation's transaction."""
    state = {}
    for model in apps.get_models():
        if not model.__module__.startswith("kaikukanta.") or model._meta.label.startswith("reference."):
            continue
        columns = [field.attname for field in model._meta.concrete_fields if field.attname != "last_used_at"]
        state[model._meta.label] = list(model.objects.order_by("pk").values(*columns))
    return state


class FailingEntry(audit.NewRowEntry):
    """An audit row of a new row that fails where it is written: on its own (SQLite, after the row and its
    statistics change), or as part of the row's insert (PostgreSQL), which then never runs."""

    def sql_from(self, source):
        raise AuditStoreFailed(self.action)

    def record_new(self, object_id):
        raise AuditStoreFailed(self.action)


@contextmanager
def audit_calls(fail_at: int | None = None):
    """Counts the audit rows written (audit.record, and audit.for_new_row for a row its insert writes, as the
    desk's visit); the `fail_at`-th one (1-based) raises after nothing of it was written."""
    original, original_new = audit.record, audit.for_new_row
    calls = []

    def record(*args, **kwargs):
        calls.append(args[1] if len(args) > 1 else kwargs.get("action"))
        if len(calls) == fail_at:
            raise AuditStoreFailed(calls[-1])
        return original(*args, **kwargs)

    def for_new_row(*args, **kwargs):
        entry = original_new(*args, **kwargs)
        calls.append(entry.action)
        if len(calls) == fail_at:
            return FailingEntry(**dataclasses.asdict(entry))
        return entry

    audit.record, audit.for_new_row = record, for_new_row
    try:
        yield calls
    finally:
        audit.record, audit.for_new_row = original, original_new


@pytest.mark.parametrize(("operation", "caller"), WRITES, ids=[operation.name for operation, _ in WRITES])
def test_a_write_whose_last_statement_fails_leaves_nothing(operation, caller):
    world = build_world()
    with transaction.atomic():
        with audit_calls() as calls:
            response = call(world, caller, operation)
        assert 200 <= response.status_code < 300, response.content
        transaction.set_rollback(True)
    assert calls, f"{operation.name} wrote no audit row"
    before = everything()

    with audit_calls(fail_at=len(calls)), pytest.raises(AuditStoreFailed):
        call(world, caller, operation)

    assert everything() == before
