"""What a coding query or a text search finds: passages of text with the words around
them, whose words they are, and when they were spoken.

Queries work on bare ``(source_id, start, end)`` spans; :func:`passages` turns the ones
a :class:`~thematica.query.filters.Scope` admits into :class:`Passage` objects, reading
only the pieces of text they touch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.query.filters import Filter, Scope
from thematica.query.places import Place, places
from thematica.store.schema import source
from thematica.store.texts import span_texts
from thematica.text.clock import clock

# Columns of a table of passages, in the order the exports write them.
COLUMNS = (
    "source",
    "start",
    "end",
    "participant",
    "speaker",
    "time",
    "codes",
    "before",
    "text",
    "after",
)


# Not frozen: a frozen dataclass takes three times as long to build, and a query over a
# large study builds thousands.
@dataclass
class Passage:
    source: str
    start: int
    end: int
    text: str
    before: str
    after: str
    cases: list[str]  # participant labels
    speaker: str | None
    role: str | None
    time: float | None  # seconds into the recording, where the source has times
    codes: list[str] = field(default_factory=list)  # code paths coded over the passage
    coders: list[str] = field(default_factory=list)
    turn: tuple[int, int] | None = None  # the speaker turn the passage starts in

    def as_dict(self) -> dict[str, Any]:
        found = dict(vars(self))
        found["turn"] = list(self.turn) if self.turn else None
        return found

    def line(self) -> str:
        """``[source start-end] text`` on one line, as a spreadsheet cell lists them."""
        return f"[{self.source} {self.start}-{self.end}] {' '.join(self.text.split())}"

    def row(self) -> list[Any]:
        """The passage's cells under :data:`COLUMNS`."""
        return [
            self.source,
            self.start,
            self.end,
            ", ".join(self.cases),
            self.speaker or "",
            clock(self.time) if self.time is not None else "",
            "; ".join(self.codes),
            self.before,
            self.text,
            self.after,
        ]


@dataclass(frozen=True)
class Found:
    """What a query that finds passages answers with: the query, its filter, and the
    passages in the field named ``FIELD`` (``passages`` of a coding query, ``hits`` of a
    search), in source and text order."""

    FIELD: ClassVar[str]
    TITLE: ClassVar[str]  # an export's title, before the query

    query: str
    filter: Filter

    @property
    def found(self) -> list[Passage]:
        return getattr(self, self.FIELD)

    @property
    def sources(self) -> int:
        return len({p.source for p in self.found})

    def as_dict(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "filter": self.filter.as_dict(),
            self.FIELD: [p.as_dict() for p in self.found],
        }

    def save(self, path: str | Path, title: str | None = None) -> Path:
        """Write the passages as ``.csv``, ``.xlsx``, ``.md`` or ``.docx``."""
        from thematica.query.export import export_passages

        return export_passages(path, title or f"{self.TITLE}: {self.query}", self.found)


def admitted(
    conn: Connection, scope: Scope, spans: Sequence[tuple[int, int, int]], times: bool = False
) -> list[tuple[tuple[int, int, int], Place]]:
    """The spans ``scope`` admits (roles, participants, scoping code), with their places."""
    found = places(conn, spans, times=times)
    return [(s, p) for s, p in zip(spans, found, strict=True) if scope.admits(*s, p)]


def passages(
    conn: Connection,
    scope: Scope,
    kept: Sequence[tuple[tuple[int, int, int], Place]],
    context: int,
    labels: Callable[[int, int, int], tuple[list[str], list[str]]] | None = None,
) -> list[Passage]:
    """Passages for admitted spans (see :func:`admitted`, with times), in their order,
    with ``context`` characters each side; ``labels`` gives a span's code paths and
    coders."""
    names = dict(conn.execute(select(source.c.id, source.c.name)).all())
    texts = span_texts(conn, [span for span, _ in kept], context)
    people = scope.people
    found = []
    for ((source_id, start, end), place), (before, words, after) in zip(kept, texts, strict=True):
        codes, coders = labels(source_id, start, end) if labels else ([], [])
        found.append(
            Passage(
                source=names[source_id],
                start=start,
                end=end,
                text=words,
                before=before,
                after=after,
                cases=people.label_of(people.of_span(source_id, start, end)),
                speaker=place.speaker,
                role=place.role,
                time=place.ms / 1000 if place.ms is not None else None,
                codes=codes,
                coders=coders,
                turn=place.turn,
            )
        )
    return found
