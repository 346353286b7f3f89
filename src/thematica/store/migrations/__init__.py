"""Alembic migrations for the project schema.

``REVISIONS`` lists every revision in order, oldest first. Opening a project reads its
revision without importing Alembic (which is slow to import); Alembic runs only when a
project is created or must be upgraded. A test checks this list against Alembic's own
history.
"""

from pathlib import Path

HERE = Path(__file__).parent
REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0008", "0009", "0010")
HEAD = REVISIONS[-1]


# Written by hand in the migrations, not described by the Table metadata: the full-text
# index (FTS5 tables, PostgreSQL's GIN index) and the partial index of claimed turns.
HAND_WRITTEN = ("source_fts", "ix_source_fts", "ix_turn_claimed")


def include_name(name: str | None, type_: str, parent_names: dict) -> bool:
    """Leave what the migrations write by hand out of autogenerate."""
    return not (name or "").startswith(HAND_WRITTEN)


def alembic_config(connection):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(HERE))
    config.attributes["connection"] = connection
    return config


def upgrade(connection, revision: str = "head") -> None:
    """Bring the schema on ``connection`` up to ``revision``."""
    from alembic import command

    command.upgrade(alembic_config(connection), revision)
