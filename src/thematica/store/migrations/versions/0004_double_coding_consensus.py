"""Double coding and consensus: the sources chosen for a second coder, and the queue of
disagreements a team resolves into a consensus layer.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "double_coded",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False, unique=True),
        sa.Column("method", sa.String(300), nullable=False),
        sa.Column("picked", sa.String(32), nullable=False),
    )
    op.create_table(
        "consensus_item",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("code_id", sa.Integer, sa.ForeignKey("code.id"), nullable=False),
        sa.Column("layer_id", sa.Integer, sa.ForeignKey("coder.id"), nullable=False),
        sa.Column("coders", sa.String(500), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("resolution", sa.String(20)),
        sa.Column("resolved_by", sa.String(200)),
        sa.Column("resolved_at", sa.String(32)),
        sa.Column("memo_id", sa.Integer),
        sa.Index("ix_consensus_item_layer_status", "layer_id", "status"),
    )


def downgrade() -> None:
    op.drop_table("consensus_item")
    op.drop_table("double_coded")
