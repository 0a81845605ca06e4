"""Schema operations that keep a running service writable while a migration runs (rolling upgrades)."""

from django.db.migrations.operations import AddIndex


class AddIndexOnline(AddIndex):
    """An index built without blocking writes: `CREATE INDEX CONCURRENTLY` on PostgreSQL (the migration must
    say `atomic = False`), a plain `CREATE INDEX` elsewhere (SQLite has no concurrent build and no second
    writer to block)."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_forwards(app_label, schema_editor, from_state, to_state)
        model = to_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)
        return None

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor != "postgresql":
            return super().database_backwards(app_label, schema_editor, from_state, to_state)
        model = from_state.apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
        return None
