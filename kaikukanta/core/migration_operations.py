"""Schema operations that keep a running service writable while a migration runs (rolling upgrades)."""

from django.db.migrations.operations import AddIndex
from django.db.migrations.operations.base import Operation


class AddIndexOnline(AddIndex):
    """An index built without blocking writes: `CREATE INDEX CONCURRENTLY` on PostgreSQL (the migration must
    say `atomic = False`), a plain `CREATE INDEX` elsewhere (SQLite has no concurrent build and no second
    writer to block)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if not self._concurrently(app_label, schema_editor, to_state, "add_index"):
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if not self._concurrently(app_label, schema_editor, from_state, "remove_index"):
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def _concurrently(self, app_label, schema_editor, state, method: str) -> bool:
        """On PostgreSQL, the schema editor's `method` for the index with `concurrently=True`, and True;
        elsewhere nothing, and False."""
        if schema_editor.connection.vendor != "postgresql":
            return False
        model = state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            getattr(schema_editor, method)(model, self.index, concurrently=True)
        return True


class DropPatternIndex(Operation):
    """Drops the pattern-matching copy (`varchar_pattern_ops`, suffix `_like`) that Django's PostgreSQL backend
    adds beside the index of a unique or indexed text column, where nothing searches the column by a prefix.
    Concurrently (the migration must say `atomic = False`), so writes go on meanwhile; backwards, built again
    the same way. The model's state is untouched, and elsewhere (SQLite has no such copy) nothing is done.
    Django drops a `_like` index only with `IF EXISTS` when it alters the field later, so this is safe then."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, model_name: str, field_name: str):
        self.model_name = model_name
        self.field_name = field_name

    def deconstruct(self):
        return self.__class__.__name__, [], {"model_name": self.model_name, "field_name": self.field_name}

    def state_forwards(self, app_label, state):
        pass

    def describe(self):
        return f"Drop the pattern-matching index of {self.model_name}.{self.field_name}"

    def _index(self, app_label, schema_editor, state):
        model = state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor != "postgresql" or not self.allow_migrate_model(
                schema_editor.connection.alias, model):
            return None
        column = model._meta.get_field(self.field_name).column
        name = schema_editor._create_index_name(model._meta.db_table, [column], suffix="_like")
        return model, column, name

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        found = self._index(app_label, schema_editor, from_state)
        if found:
            schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {schema_editor.quote_name(found[2])}")

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        found = self._index(app_label, schema_editor, to_state)
        if found:
            model, column, name = found
            schema_editor.execute(
                f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {schema_editor.quote_name(name)} ON "
                f"{schema_editor.quote_name(model._meta.db_table)} ({schema_editor.quote_name(column)} "
                "varchar_pattern_ops)")
