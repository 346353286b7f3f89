"""Core schema: sources, turns, cases and attributes, codebook, coders, codings, memos, audit.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _id() -> sa.Column:
    return sa.Column("id", sa.Integer, primary_key=True)


def upgrade() -> None:
    op.create_table(
        "setting",
        _id(),
        sa.Column("key", sa.String(100), nullable=False, unique=True),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_table(
        "source",
        _id(),
        sa.Column("name", sa.String(500), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("length", sa.Integer, nullable=False),
        sa.Column("words", sa.Integer, nullable=False),
        sa.Column("checksum", sa.String(64), nullable=False),
        sa.Column("media_path", sa.Text),
        sa.Column("origin", sa.Text),
        sa.Column("created", sa.String(32), nullable=False),
    )
    op.create_table(
        "source_chunk",
        _id(),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("n", sa.Integer, nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.UniqueConstraint("source_id", "n"),
    )
    op.create_table(
        "case",
        _id(),
        sa.Column("key", sa.String(200), nullable=False, unique=True),
        sa.Column("label", sa.String(200), nullable=False, unique=True),
    )
    op.create_table(
        "turn",
        _id(),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("speaker", sa.String(200), nullable=False),
        sa.Column("role", sa.String(20), nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case.id")),
        sa.Column("t_start", sa.Integer),
        sa.Column("t_end", sa.Integer),
        sa.Index("ix_turn_source_id_start", "source_id", "start"),
    )
    op.create_table(
        "attribute",
        _id(),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("type", sa.String(20), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "case_value",
        _id(),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case.id"), nullable=False),
        sa.Column("attribute_id", sa.Integer, sa.ForeignKey("attribute.id"), nullable=False),
        sa.Column("value", sa.Text),
        sa.UniqueConstraint("case_id", "attribute_id"),
    )
    op.create_table(
        "source_case",
        _id(),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.UniqueConstraint("source_id", "case_id"),
    )
    op.create_table(
        "code",
        _id(),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("code.id"), index=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("colour", sa.String(7), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
    )
    op.create_table(
        "coder",
        _id(),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("blind", sa.Boolean, nullable=False),
    )
    op.create_table(
        "coding",
        _id(),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("code_id", sa.Integer, sa.ForeignKey("code.id"), nullable=False),
        sa.Column("coder_id", sa.Integer, sa.ForeignKey("coder.id"), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Column("provenance", sa.String(200), nullable=False),
        sa.Index("ix_coding_code_id_coder_id", "code_id", "coder_id"),
        sa.Index("ix_coding_source_id_start", "source_id", "start"),
    )
    op.create_table(
        "memo",
        _id(),
        sa.Column("anchor_kind", sa.String(20), nullable=False),
        sa.Column("anchor_id", sa.Integer),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id")),
        sa.Column("start", sa.Integer),
        sa.Column("end", sa.Integer),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sa.Index("ix_memo_anchor_kind_anchor_id", "anchor_kind", "anchor_id"),
    )
    op.create_table(
        "audit",
        _id(),
        sa.Column("at", sa.String(32), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("target", sa.Text, nullable=False),
        sa.Column("before", sa.JSON),
        sa.Column("after", sa.JSON),
        sa.Column("changes", sa.JSON),
        sa.Column("undone_by", sa.Integer),
    )
    if op.get_bind().dialect.name == "sqlite":
        # External-content FTS5 index kept in step with source.text by triggers.
        op.execute(
            "CREATE VIRTUAL TABLE source_fts USING fts5("
            "text, content='source', content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
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
    else:
        op.execute("CREATE INDEX ix_source_fts ON source USING gin (to_tsvector('simple', text))")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("source_fts_insert", "source_fts_delete", "source_fts_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS source_fts")
    for table in (
        "audit",
        "memo",
        "coding",
        "coder",
        "code",
        "source_case",
        "case_value",
        "attribute",
        "turn",
        "case",
        "source_chunk",
        "source",
        "setting",
    ):
        op.drop_table(table)
