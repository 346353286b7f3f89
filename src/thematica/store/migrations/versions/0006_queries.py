"""Queries: a partial index on the speaker turns participants claim, source and case
sets (static members, or a stored definition evaluated when used) and saved queries.
Set members hold a source's or case's id without a foreign key, so that deleting a
source or withdrawing a participant is never blocked by a set: a member that no longer
exists drops out of its set.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    claimed = sa.text("case_id IS NOT NULL")
    op.create_index(
        "ix_turn_claimed",
        "turn",
        ["source_id", "start"],
        sqlite_where=claimed,
        postgresql_where=claimed,
    )
    op.create_table(
        "query_set",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column("kind", sa.String(10), nullable=False),
        sa.Column("definition", sa.JSON),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
    )
    for kind in ("source", "case"):
        op.create_table(
            f"query_set_{kind}",
            sa.Column("id", sa.Integer, primary_key=True),
            sa.Column("set_id", sa.Integer, sa.ForeignKey("query_set.id"), nullable=False),
            sa.Column("member_id", sa.Integer, sa.ForeignKey(f"{kind}.id"), nullable=False),
            sa.UniqueConstraint("set_id", "member_id"),
        )
    op.create_table(
        "saved_query",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False, unique=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.Column("description", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("saved_query")
    op.drop_table("query_set_case")
    op.drop_table("query_set_source")
    op.drop_table("query_set")
    op.drop_index("ix_turn_claimed", "turn")
