"""Finding sources and cases by name: the lookups every part of ingest and coding needs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, or_, select
from sqlalchemy.engine import Connection

from thematica.errors import not_found
from thematica.store.schema import case, source


@dataclass(frozen=True)
class SourceRef:
    """What other parts need to point at a source: its id, name and text length."""

    id: int
    name: str
    length: int


@dataclass(frozen=True)
class CaseRef:
    id: int
    key: str
    label: str


# Built once: coding a span, or importing a transcript for a participant, runs these
# on every call.
_SOURCE_BY_NAME = select(source.c.id, source.c.name, source.c.length).where(
    source.c.name == bindparam("name")
)
_CASE_BY_KEY_OR_LABEL = select(case.c.id, case.c.key, case.c.label).where(
    or_(case.c.key == bindparam("wanted"), case.c.label == bindparam("wanted"))
)


def find_source(conn: Connection, name: str) -> SourceRef:
    """Look a source up by name; raise :class:`NotFound` with suggestions if absent."""
    row = conn.execute(_SOURCE_BY_NAME, {"name": name}).first()
    if row is None:
        names = list(conn.execute(select(source.c.name)).scalars())
        raise not_found("source", name, names, "thematica sources list")
    return SourceRef(*row)


def find_case(conn: Connection, key_or_label: str) -> CaseRef:
    """A case by its key (the id column of the CSV) or its label (``Mother 3``)."""
    row = conn.execute(_CASE_BY_KEY_OR_LABEL, {"wanted": key_or_label}).first()
    if row is None:
        labels = list(conn.execute(select(case.c.label)).scalars())
        raise not_found("case", key_or_label, labels, "thematica cases list")
    return CaseRef(*row)
