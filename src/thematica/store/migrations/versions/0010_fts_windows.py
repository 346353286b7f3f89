"""SQLite's full-text index in windows of each source instead of whole sources, so a
search reads only the windows that hold its words.

See :mod:`thematica.store.fts`.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-27
"""

from alembic import op

from thematica.store.fts import TOKENIZE, reindex_sql, windows_sql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

ADD = f"INSERT INTO source_fts(rowid, text) {windows_sql('new')};"
TAKE_OUT = (
    "INSERT INTO source_fts(source_fts, rowid, text) "
    + windows_sql("old").replace("SELECT ", "SELECT 'delete', ", 1)
    + ";"
)


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return  # PostgreSQL keeps its GIN index over whole texts
    _drop()
    op.execute(f"CREATE VIRTUAL TABLE source_fts USING fts5(text, content='', {TOKENIZE})")
    op.execute(f"CREATE TRIGGER source_fts_delete AFTER DELETE ON source BEGIN {TAKE_OUT} END")
    op.execute(
        "CREATE TRIGGER source_fts_update AFTER UPDATE OF text ON source "
        f"BEGIN {TAKE_OUT} {ADD} END"
    )
    for statement in reindex_sql():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    _drop()
    # The index as revision 0001 made it.
    op.execute(
        "CREATE VIRTUAL TABLE source_fts USING fts5("
        f"text, content='source', content_rowid='id', {TOKENIZE})"
    )
    op.execute(
        "CREATE TRIGGER source_fts_insert AFTER INSERT ON source BEGIN "
        "INSERT INTO source_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER source_fts_delete AFTER DELETE ON source BEGIN "
        "INSERT INTO source_fts(source_fts, rowid, text) "
        "VALUES ('delete', old.id, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER source_fts_update AFTER UPDATE OF text ON source BEGIN "
        "INSERT INTO source_fts(source_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO source_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    op.execute("INSERT INTO source_fts(source_fts) VALUES ('rebuild')")


def _drop() -> None:
    for trigger in ("source_fts_insert", "source_fts_delete", "source_fts_update"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS source_fts")
