"""Schema operations that keep a running service writable while a migration runs (rolling upgrades)."""

from django.db.migrations.operations import AddIndex


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
