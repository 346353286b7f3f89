"""Finding what a person names by its name: a set, a saved query, an attribute.

>>> row = named(conn, query_set, "Young mothers", "set", "thematica sets list")
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Row, Table, select
from sqlalchemy.engine import Connection

from thematica.errors import not_found


def named(
    conn: Connection, table: Table, name: str, what: str, listing: str, *columns: ColumnElement
) -> Row[Any]:
    """The row of ``table`` whose ``name`` column is ``name`` (only ``columns``, if given);
    when there is none, :class:`~thematica.errors.NotFound` suggests the closest names and
    the ``listing`` command that shows them all."""
    row = conn.execute(select(*(columns or [table])).where(table.c.name == name)).first()
    if row is None:
        names = list(conn.execute(select(table.c.name)).scalars())
        raise not_found(what, name, names, listing)
    return row
