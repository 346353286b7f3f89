"""Statements handed to the database driver directly, past SQLAlchemy.

Where a statement runs once per imported transcript, or binds thousands of values, or
returns hundreds of thousands of rows, SQLAlchemy's compiling and row wrapping cost more
than the database takes to answer. These helpers keep that shortcut in one place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy.engine import Connection


def mark(conn: Connection) -> str:
    """The driver's placeholder for a bound value: ``?`` for SQLite, ``%s`` for psycopg."""
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def fetch(conn: Connection, sql: str, params: Sequence[Any]) -> list[tuple]:
    """Run ``sql`` (written with :func:`mark`'s placeholders) and return every row."""
    cursor = conn.connection.cursor()
    try:
        cursor.execute(sql, params)
        return cursor.fetchall()
    finally:
        cursor.close()


def values_table(conn: Connection, rows: Sequence[tuple[Any, ...]], name: str) -> tuple[str, list]:
    """``WITH name(c0, c1, ...) AS (VALUES ...)`` for ``rows`` and its flat parameters.

    Joining a VALUES list is several times faster than an IN list in SQLite, and the
    driver's own cursor skips SQLAlchemy's compiling of thousands of bound values.
    """
    width = len(rows[0])
    one = "(" + ", ".join([mark(conn)] * width) + ")"
    columns = ", ".join(f"c{n}" for n in range(width))
    sql = f"WITH {name}({columns}) AS (VALUES {', '.join([one] * len(rows))})"
    return sql, [value for row in rows for value in row]
