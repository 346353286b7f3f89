"""Assisted coding: the embedding cache (content-addressed by model and text hash) and
the record of each suggestion a person accepted (model, score, what it was like, when).

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "embedding",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("model_hash", sa.String(64), nullable=False),
        sa.Column("text_hash", sa.String(64), nullable=False),
        sa.Column("vector", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("model", "model_hash", "text_hash"),
    )
    op.create_table(
        "accepted_suggestion",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("coding_id", sa.Integer, nullable=False, index=True),
        sa.Column("model", sa.String(200), nullable=False),
        sa.Column("model_hash", sa.String(64), nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("basis", sa.String(300), nullable=False),
        sa.Column("accepted_by", sa.String(200), nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("accepted_suggestion")
    op.drop_table("embedding")
