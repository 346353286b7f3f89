"""Text chunks numbered by source and position, so each is one primary-key lookup; an
index on codings that covers what retrieval and coder comparison read.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

CHUNKS_PER_SOURCE = 1 << 20  # as in thematica.store.schema, fixed for this revision


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("source_chunk", "id", type_=sa.BigInteger)
    # Negated first so that no new id can meet an old one on the way.
    op.execute("UPDATE source_chunk SET id = -id")
    op.execute(f"UPDATE source_chunk SET id = source_id * {CHUNKS_PER_SOURCE} + n")
    op.drop_index("ix_coding_code_id_coder_id", "coding")
    op.create_index(
        "ix_coding_code_coder_source",
        "coding",
        ["code_id", "coder_id", "source_id", "start", "end"],
    )


def downgrade() -> None:
    op.drop_index("ix_coding_code_coder_source", "coding")
    op.create_index("ix_coding_code_id_coder_id", "coding", ["code_id", "coder_id"])
    # Chunk ids, and PostgreSQL's wider column for them, stay: any distinct integers
    # serve the older schema, which numbers new chunks after the highest id.
