"""Passages: the pieces of text that assistance embeds, ranks and groups.

A passage is a speaker turn (``unit="turn"``) or a sentence within one
(``unit="sentence"``), as a span of its source with who said it. By default only
participants' turns count: what the interviewer says is not data to code. A source
without speaker turns (a written answer, field notes) counts as one participant turn.
Passages of fewer than ``MIN_WORDS`` words ("Yeah.", "Mm, fine.") are left out: they say
too little to be like anything.

Sentences are found by sentencex (Wikimedia's rule-based segmenter, in Rust).

>>> with project.read() as conn:
...     turns = passages(conn)                        # participant turns
...     said = passages(conn, unit="sentence", roles=("participant", "interviewer"))
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from thematica.assist.extra import require
from thematica.errors import InvalidInput
from thematica.store.schema import case as case_table
from thematica.store.schema import source, turn
from thematica.store.texts import cases_by_source

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

UNITS = ("turn", "sentence")
ROLES = ("participant", "interviewer", "other")
MIN_WORDS = 3


@dataclass
class Passage:
    source_id: int
    source: str
    start: int
    end: int
    text: str
    speaker: str | None
    role: str | None
    case: str | None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in vars(self).items() if k != "source_id"}


def description_text(name: str, description: str) -> str:
    """What is embedded for a code's description: its name, then the description."""
    return f"{name}: {description}"


def check_unit(unit: str, roles: Sequence[str]) -> None:
    if unit not in UNITS:
        raise InvalidInput(f"unit {unit!r} is not one of {', '.join(UNITS)}")
    unknown = [r for r in roles if r not in ROLES]
    if unknown or not roles:
        raise InvalidInput(f"roles must be some of {', '.join(ROLES)}, not {unknown or 'none'}")


def passages(
    conn: Connection, unit: str = "turn", roles: Sequence[str] = ("participant",)
) -> list[Passage]:
    """Every passage of the project's sources, in source and text order."""
    check_unit(unit, roles)
    labels = dict(conn.execute(select(case_table.c.id, case_table.c.label)).all())
    linked = {sid: ", ".join(names) for sid, names in cases_by_source(conn).items()}
    turns: dict[int, list[Any]] = {}
    for row in conn.execute(
        select(turn.c.source_id, turn.c.start, turn.c.end, turn.c.speaker, turn.c.role,
               turn.c.case_id).order_by(turn.c.source_id, turn.c.start)
    ):  # fmt: skip
        turns.setdefault(row.source_id, []).append(row)
    found: list[Passage] = []
    for source_id, name, text in conn.execute(
        select(source.c.id, source.c.name, source.c.text).order_by(source.c.name)
    ):
        case = linked.get(source_id)
        if source_id not in turns:
            if "participant" in roles:
                found += _cut(source_id, name, text, 0, len(text), None, None, case, unit)
            continue
        for row in turns[source_id]:
            if row.role in roles:
                who = labels.get(row.case_id, case) if row.case_id else case
                found += _cut(
                    source_id, name, text, row.start, row.end, row.speaker, row.role, who, unit
                )
    return found


def _cut(
    source_id: int,
    name: str,
    text: str,
    start: int,
    end: int,
    speaker: str | None,
    role: str | None,
    case: str | None,
    unit: str,
) -> list[Passage]:
    spans = [(start, end)] if unit == "turn" else sentences(text[start:end], start)
    found = []
    for s, e in spans:
        s, e = _trim(text, s, e)
        words = text[s:e]
        if len(words.split()) >= MIN_WORDS:
            found.append(Passage(source_id, name, s, e, words, speaker, role, case))
    return found


def sentences(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence of ``text``, shifted by ``offset``."""
    sentencex = require("sentencex")
    return [
        (offset + b["start_index"], offset + b["end_index"])
        for b in sentencex.get_sentence_boundaries("en", text)
    ]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


class Spans:
    """Spans of sources, to ask whether a passage overlaps any of them.

    >>> coded = Spans([(1, 0, 40), (1, 100, 120)])
    >>> coded.overlaps(1, 30, 60), coded.overlaps(1, 40, 100), coded.overlaps(2, 0, 9)
    (True, False, False)
    """

    def __init__(self, spans: Iterable[tuple[int, int, int]]) -> None:
        by_source: dict[int, list[tuple[int, int]]] = {}
        for source_id, start, end in spans:
            by_source.setdefault(source_id, []).append((start, end))
        self._starts: dict[int, list[int]] = {}
        # The furthest end of any span starting at or before each start, so a span
        # that begins early and runs long is not missed.
        self._reach: dict[int, list[int]] = {}
        for source_id, found in by_source.items():
            found.sort()
            self._starts[source_id] = [s for s, _ in found]
            reach, furthest = [], -1
            for _, e in found:
                furthest = max(furthest, e)
                reach.append(furthest)
            self._reach[source_id] = reach

    def overlaps(self, source_id: int, start: int, end: int) -> bool:
        starts = self._starts.get(source_id)
        if not starts:
            return False
        before = bisect_left(starts, end) - 1  # the last span starting before ``end``
        return before >= 0 and self._reach[source_id][before] > start
