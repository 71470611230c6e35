"""Migration operation: create (or drop) an index's table on whichever database runs it."""

from django.db import migrations

from tierdesk.search import backends
from tierdesk.search.indexes import SearchIndex


class CreateSearchIndex(migrations.operations.base.Operation):
    """``CreateSearchIndex(TICKETS)``: the FTS5 table or the tsvector table + GIN index."""

    reduces_to_sql = True
    reversible = True

    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    def deconstruct(self):
        return self.__class__.__qualname__, [self.index], {}

    def state_forwards(self, app_label, state) -> None:
        """The table is no Django model: nothing in the migration state changes."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for sql in backends.create_sql(self.index, schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def database_backwards(self, app_label, schema_editor, from_state, to_state) -> None:
        for sql in backends.drop_sql(self.index, schema_editor.connection.vendor):
            schema_editor.execute(sql)

    def describe(self) -> str:
        return f"Create full-text index {self.index.name}"
