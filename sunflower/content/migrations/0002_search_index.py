"""The full-text index of knowledge content, in the database's own engine (ADR 15).

SQLite: an FTS5 virtual table over jieba-segmented title, summary and body (rowid = item id).
PostgreSQL: a tsvector per item with a GIN index. No foreign key, as on SQLite: rows are
removed by the actions that delete items, and a foreign key would stop the test runner's
TRUNCATE of content_item.
"""

from django.db import migrations

SQLITE_CREATE = (
    "CREATE VIRTUAL TABLE content_search USING fts5("
    "title, summary, body, tokenize = 'unicode61 remove_diacritics 2')"
)
POSTGRES_CREATE = (
    "CREATE TABLE content_search ("
    "item_id integer PRIMARY KEY, "
    "document tsvector NOT NULL)",
    "CREATE INDEX content_search_document ON content_search USING gin (document)",
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in POSTGRES_CREATE:
            schema_editor.execute(statement)
    else:
        schema_editor.execute(SQLITE_CREATE)


def drop(apps, schema_editor):
    schema_editor.execute("DROP TABLE IF EXISTS content_search")


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
