"""Time anchors for timestamped transcripts; levels for ordinal attributes; an index on
source checksums, which every import looks up to refuse a file already imported.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "time_anchor",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("ms", sa.Integer, nullable=False),
        sa.Index("ix_time_anchor_source_id_start", "source_id", "start"),
    )
    with op.batch_alter_table("attribute") as batch:
        batch.add_column(sa.Column("levels", sa.JSON))
    op.create_index("ix_source_checksum", "source", ["checksum"])


def downgrade() -> None:
    op.drop_index("ix_source_checksum", "source")
    with op.batch_alter_table("attribute") as batch:
        batch.drop_column("levels")
    op.drop_table("time_anchor")
