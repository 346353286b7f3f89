"""A version number on each code, raised by every change to it, so that a team
member's edit made against an older version is refused instead of undoing another's.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("code", sa.Column("version", sa.Integer, nullable=False, server_default="1"))


def downgrade() -> None:
    # Plain SQL on both databases (SQLite has dropped columns since 3.35): Alembic's batch
    # mode would copy the table, which the codings' foreign keys forbid.
    op.execute("ALTER TABLE code DROP COLUMN version")
