"""Where a span of a source sits: the speaker turns it touches and the time it is spoken.

Queries look spans up in batches: one statement joins a list of spans to the turn
table's ``(source_id, start)`` index, so the cost follows the number of spans asked
about, not the size of the corpus.

>>> [found] = places(conn, [(3, 1200, 1264)])
>>> found.role, found.roles
('participant', frozenset({'participant'}))
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

from sqlalchemy.engine import Connection

from thematica.store.raw import fetch, values_table

# Spans per statement: four bound values each, well under the drivers' limits.
_BATCH = 2000
# Above this many spans per source, read the sources' turns whole instead.
_MANY = 20


class Place:
    """The turns a span overlaps (first the one it starts in), and its time."""

    # A plain class with slots: queries build one per span, thousands at a time.
    __slots__ = ("turns", "has_turns", "ms")

    def __init__(self) -> None:
        self.turns: list[tuple[int, int, str, str, int | None]] = []
        self.has_turns = False  # whether the span's source has speaker turns at all
        self.ms: int | None = None  # the time anchor at or before the span's start

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(t[3] for t in self.turns)

    @property
    def speaker(self) -> str | None:
        return self.turns[0][2] if self.turns else None

    @property
    def role(self) -> str | None:
        return self.turns[0][3] if self.turns else None

    @property
    def turn(self) -> tuple[int, int] | None:
        """The span of the turn the span starts in (or first touches)."""
        return (self.turns[0][0], self.turns[0][1]) if self.turns else None


def places(
    conn: Connection, spans: Sequence[tuple[int, int, int]], times: bool = False
) -> list[Place]:
    """A :class:`Place` for each ``(source_id, start, end)``; ``times`` adds time anchors."""
    found = [Place() for _ in spans]
    sources = {s for s, _, _ in spans}
    if len(spans) > _MANY * len(sources):
        # Many spans per source (the hits of a common word): reading each source's
        # turns once costs less than looking every span up.
        _by_source(conn, spans, sorted(sources), found, times)
        return found
    for at in range(0, len(spans), _BATCH):
        batch = [(at + n, *span) for n, span in enumerate(spans[at : at + _BATCH])]
        _look_up(conn, batch, found, times)
    return found


def _look_up(
    conn: Connection, batch: list[tuple[int, int, int, int]], found: list[Place], times: bool
) -> None:
    # The turn a span starts in is the last one starting at or before it (it may have
    # ended before the span: a span on a label, say); the others it overlaps start
    # inside it. The first part also carries the span's time, from the same kind of
    # lookup on the time anchors.
    head, params = values_table(conn, batch, "want")
    time = (
        "(SELECT m.ms FROM time_anchor m WHERE m.source_id = w.c1 AND m.start <= w.c2 "
        "ORDER BY m.start DESC LIMIT 1)"
        if times
        else "NULL"
    )
    sql = (
        f'{head} SELECT w.c0, t.start, t."end", t.speaker, t.role, t.case_id, 1, {time} '
        "FROM want w LEFT JOIN turn t ON t.id = (SELECT f.id FROM turn f "
        "WHERE f.source_id = w.c1 AND f.start <= w.c2 ORDER BY f.start DESC LIMIT 1) "
        'UNION ALL SELECT w.c0, t.start, t."end", t.speaker, t.role, t.case_id, 0, NULL '
        "FROM want w JOIN turn t ON t.source_id = w.c1 AND t.start > w.c2 AND t.start < w.c3"
    )
    spans = {row[0]: row[2] for row in batch}
    inside: list[tuple] = []
    for i, start, end, speaker, role, case_id, first, ms in fetch(conn, sql, params):
        place = found[i]
        if first:
            place.ms = ms
            if start is not None:
                place.has_turns = True
                if end > spans[i]:
                    place.turns.append((start, end, speaker, role, case_id))
        else:
            inside.append((i, start, end, speaker, role, case_id))
    for i, *turn in sorted(inside):
        found[i].has_turns = True
        found[i].turns.append(tuple(turn))
    # A span before its source's first turn still lies in a source with turns.
    unknown = {source_id for i, source_id, _, _ in batch if not found[i].has_turns}
    if unknown:
        head, params = values_table(conn, [(s,) for s in sorted(unknown)], "sources")
        sql = (
            f"{head} SELECT s.c0 FROM sources s WHERE EXISTS "
            "(SELECT 1 FROM turn t WHERE t.source_id = s.c0)"
        )
        with_turns = {row[0] for row in fetch(conn, sql, params)}
        for i, source_id, _, _ in batch:
            if source_id in with_turns:
                found[i].has_turns = True


def _by_source(
    conn: Connection,
    spans: Sequence[tuple[int, int, int]],
    sources: list[int],
    found: list[Place],
    times: bool,
) -> None:
    turns: dict[int, list[tuple[int, int, str, str, int | None]]] = {}
    anchors: dict[int, tuple[list[int], list[int]]] = {}
    for at in range(0, len(sources), _BATCH):
        head, params = values_table(conn, [(s,) for s in sources[at : at + _BATCH]], "want")
        sql = (
            f'{head} SELECT t.source_id, t.start, t."end", t.speaker, t.role, t.case_id '
            "FROM want w JOIN turn t ON t.source_id = w.c0 ORDER BY t.source_id, t.start"
        )
        for source_id, *turn in fetch(conn, sql, params):
            turns.setdefault(source_id, []).append(tuple(turn))
        if times:
            sql = (
                f"{head} SELECT m.source_id, m.start, m.ms FROM want w "
                "JOIN time_anchor m ON m.source_id = w.c0 ORDER BY m.source_id, m.start"
            )
            for source_id, start, ms in fetch(conn, sql, params):
                starts, values = anchors.setdefault(source_id, ([], []))
                starts.append(start)
                values.append(ms)
    starts = {s: [t[0] for t in found_turns] for s, found_turns in turns.items()}
    for place, (source_id, start, end) in zip(found, spans, strict=True):
        own = turns.get(source_id)
        if own:
            place.has_turns = True
            # The turn the span starts in (if it has not ended), then those inside it.
            at = bisect_right(starts[source_id], start) - 1
            if at >= 0 and own[at][1] > start:
                place.turns.append(own[at])
            at += 1
            while at < len(own) and own[at][0] < end:
                place.turns.append(own[at])
                at += 1
        if source_id in anchors:
            anchor_starts, values = anchors[source_id]
            at = bisect_right(anchor_starts, start) - 1
            place.ms = values[at] if at >= 0 else None
