"""Whose words a span is: the participants (cases) a coded segment draws on.

A case is linked to a source (``source_case``: the interview is hers) and may also
claim speaker turns in it (``turn.case_id``: in a joint interview or focus group, only
her turns are hers). A span of a source is attributed:

1. to the cases of the claimed turns it overlaps, if any;
2. otherwise, if no turn of the source is claimed, to every case linked to the source
   (a one-to-one interview: even a coded interviewer question is part of her
   interview);
3. otherwise (turns are claimed, but the span touches none of them: an interviewer's
   words in a group) to the source's linked case if there is exactly one, else to no
   one.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.store.schema import case, source_case, turn


class Participants:
    """Attribution of spans to cases, read once for the whole project."""

    def __init__(self, conn: Connection) -> None:
        self.labels: dict[int, str] = dict(conn.execute(select(case.c.id, case.c.label)).all())
        self.linked: dict[int, list[int]] = {}
        for source_id, case_id in conn.execute(
            select(source_case.c.source_id, source_case.c.case_id).order_by(source_case.c.case_id)
        ):
            self.linked.setdefault(source_id, []).append(case_id)
        # source id -> claimed turns as parallel lists, sorted by start
        self.claimed: dict[int, tuple[list[int], list[int], list[int]]] = {}
        for source_id, start, end, case_id in conn.execute(
            select(turn.c.source_id, turn.c.start, turn.c.end, turn.c.case_id)
            .where(turn.c.case_id.is_not(None))
            .order_by(turn.c.source_id, turn.c.start)
        ):
            starts, ends, cases = self.claimed.setdefault(source_id, ([], [], []))
            starts.append(start)
            ends.append(end)
            cases.append(case_id)
        self._longest = {
            source_id: max(e - s for s, e in zip(starts, ends, strict=True))
            for source_id, (starts, ends, _) in self.claimed.items()
        }

    def of_span(self, source_id: int, start: int, end: int) -> frozenset[int]:
        """The case ids a span of a source is attributed to (see the module's rules)."""
        linked = self.linked.get(source_id, [])
        claimed = self.claimed.get(source_id)
        if claimed is None:
            return frozenset(linked)
        starts, ends, cases = claimed
        found = set()
        # Turns that start before ``end`` and end after ``start``; none is longer than
        # the longest, so the search can begin there.
        at = bisect_left(starts, start - self._longest[source_id])
        while at < len(starts) and starts[at] < end:
            if ends[at] > start:
                found.add(cases[at])
            at += 1
        if found:
            return frozenset(found)
        return frozenset(linked) if len(linked) == 1 else frozenset()

    def with_data(self) -> list[int]:
        """Every case with a source or a claimed turn, in case order: the participants
        a study's counts are out of."""
        found = {c for cases in self.linked.values() for c in cases}
        found |= {c for _, _, cases in self.claimed.values() for c in cases}
        return sorted(found)

    def label_of(self, case_ids: Iterable[int]) -> list[str]:
        return [self.labels[c] for c in sorted(case_ids)]
