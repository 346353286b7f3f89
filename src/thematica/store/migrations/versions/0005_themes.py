"""Themes: the theme tree with its linked codes, exemplar quotes with their kept pieces,
and the researcher's summaries in the framework matrix. Theme and quote ids are never
reused (SQLite AUTOINCREMENT): the history of a theme is found by its id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "theme",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("theme.id"), index=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.Column("definition", sa.Text, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("contextual", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "theme_code",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("theme.id"), nullable=False),
        sa.Column("code_id", sa.Integer, sa.ForeignKey("code.id"), nullable=False, index=True),
        sa.Column("position", sa.Integer, nullable=False),
        sa.UniqueConstraint("theme_id", "code_id"),
    )
    op.create_table(
        "exemplar",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("theme.id"), nullable=False, index=True),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
        sa.Column("coding_id", sa.Integer),
        sa.Column("interviewer", sa.Boolean, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("created", sa.String(32), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "exemplar_span",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "exemplar_id", sa.Integer, sa.ForeignKey("exemplar.id"), nullable=False, index=True
        ),
        sa.Column("source_id", sa.Integer, sa.ForeignKey("source.id"), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("end", sa.Integer, nullable=False),
    )
    op.create_table(
        "framework_summary",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("theme_id", sa.Integer, sa.ForeignKey("theme.id"), nullable=False),
        sa.Column("case_id", sa.Integer, sa.ForeignKey("case.id"), nullable=False),
        sa.Column("text", sa.Text, nullable=False),
        sa.Column("author", sa.String(200), nullable=False),
        sa.Column("updated", sa.String(32), nullable=False),
        sa.UniqueConstraint("theme_id", "case_id"),
    )


def downgrade() -> None:
    op.drop_table("framework_summary")
    op.drop_table("exemplar_span")
    op.drop_table("exemplar")
    op.drop_table("theme_code")
    op.drop_table("theme")
