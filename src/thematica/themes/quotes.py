"""Exemplar quotes: coded segments chosen to show a theme, trimmed, and attributed.

>>> quote = project.themes.add_quote("Like a mum would", coding=12, keep=[(0, 41), (96, 140)])
>>> quote.render()
'She made me toast. In my own flat. ... Like she was my mum. [Mother 1]'

A quote keeps the pieces of its segment that were chosen (``keep``: offsets from the
segment's start, half-open); the words between two kept pieces become an elision
(``...``). Interviewer turns inside the segment are left out (with an elision) unless
``interviewer`` is asked for, and so are speaker labels between turns. The words are
the source's as they stand: anonymisation placeholders such as ``[Person 1]`` or
``[my baby]`` stay exactly as written. The attribution is the participant's label
(``Mother 10``, from the project's participant label template), or the source's name
where the words belong to no participant.

The quote stores its segment's span and its kept pieces as spans of the source, so a
later change of the text (a late redaction) carries them along like codings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from thematica.errors import InvalidInput, NotFound
from thematica.store.schema import coding, exemplar, exemplar_span, source, turn
from thematica.store.texts import span_texts
from thematica.text.span import Span, intersection
from thematica.themes.participants import Participants
from thematica.themes.tree import ThemeTree

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from thematica.project import Project

ELISION = "..."


@dataclass(frozen=True)
class Quote:
    id: int
    theme: str  # the theme's path
    source: str
    start: int  # the segment's span in the source
    end: int
    coding: int | None  # the coding it was chosen from
    keep: tuple[tuple[int, int], ...]  # kept pieces, as offsets from the segment's start
    text: str  # the quote as printed: kept words, elisions, white space tidied
    attribution: str  # "Mother 10"
    interviewer: bool  # interviewer turns kept

    def render(self) -> str:
        """The quote with its attribution: ``Like she was my mum. [Mother 1]``."""
        return f"{self.text} [{self.attribution}]"

    def as_dict(self) -> dict[str, Any]:
        out = dict(vars(self))
        out["keep"] = [list(piece) for piece in self.keep]
        out["quote"] = self.render()
        return out


def parse_keep(values: Sequence[str]) -> list[tuple[int, int]]:
    """``["0:41", "96:140"]`` (the CLI's ``--keep START:END``) into offset pairs."""
    pieces = []
    for value in values:
        start, colon, end = value.partition(":")
        try:
            if not colon:
                raise ValueError
            pieces.append((int(start), int(end)))
        except ValueError:
            raise InvalidInput(
                f"--keep {value!r} should be START:END, offsets from the segment's start"
            ) from None
    return pieces


def _check_keep(keep: Sequence[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    ordered = sorted((int(a), int(b)) for a, b in keep)
    if not ordered:
        raise InvalidInput("keep at least one piece of the segment")
    previous = 0
    for start, end in ordered:
        if not 0 <= start < end <= length:
            raise InvalidInput(
                f"piece {start}:{end} is not within the segment: give START:END with "
                f"0 <= START < END <= {length}"
            )
        if start < previous:
            raise InvalidInput(f"pieces overlap at {start}: give each word once")
        previous = end
    return ordered


def add_quote(
    project: Project,
    theme_name: str,
    coding_id: int,
    keep: Sequence[tuple[int, int]] | None = None,
    interviewer: bool = False,
) -> Quote:
    with project.transaction("add quote", theme_name) as tx:
        conn = tx.conn
        tree = ThemeTree(conn)
        theme_id = tree.find(theme_name)
        row = conn.execute(
            select(coding.c.source_id, coding.c.start, coding.c.end, source.c.name)
            .join(source, source.c.id == coding.c.source_id)
            .where(coding.c.id == coding_id)
        ).first()
        if row is None:
            raise NotFound(f"no coding with id {coding_id}; `thematica codings list` shows them")
        source_id, start, end, source_name = row
        pieces = [(0, end - start)] if keep is None else _check_keep(keep, end - start)
        from thematica.project import now

        position = conn.execute(
            select(func.count()).select_from(exemplar).where(exemplar.c.theme_id == theme_id)
        ).scalar_one()
        quote_id = tx.insert(
            exemplar,
            {
                "theme_id": theme_id,
                "source_id": source_id,
                "start": start,
                "end": end,
                "coding_id": coding_id,
                "interviewer": bool(interviewer),
                "position": position,
                "author": project.actor,
                "created": now(),
            },
        )
        rows = [
            {"exemplar_id": quote_id, "source_id": source_id, "start": start + a, "end": start + b}
            for a, b in pieces
        ]
        tx.insert_many(exemplar_span, rows)
        tx.target = tree.path(theme_id) or theme_name
        tx.after = {
            "themes": [theme_id],
            "quote": quote_id,
            "source": source_name,
            "start": start,
            "end": end,
            "coding": coding_id,
            "keep": [list(p) for p in pieces],
            "interviewer": bool(interviewer),
        }
    return _quotes(project, ids=[quote_id])[0]


def remove_quote(project: Project, quote_id: int) -> Quote:
    removed = _quotes(project, ids=[quote_id])
    if not removed:
        raise NotFound(f"no quote with id {quote_id}; `thematica quotes list` shows them")
    with project.transaction("remove quote", f"quote {quote_id}") as tx:
        theme_id = tx.conn.execute(
            select(exemplar.c.theme_id).where(exemplar.c.id == quote_id)
        ).scalar_one()
        spans = tx.conn.execute(
            select(exemplar_span.c.id).where(exemplar_span.c.exemplar_id == quote_id)
        ).scalars()
        tx.delete_many(exemplar_span, list(spans))
        tx.delete(exemplar, quote_id)
        tx.before = {"themes": [theme_id], **removed[0].as_dict(), "quote": quote_id}
    return removed[0]


def list_quotes(project: Project, theme_name: str | None = None) -> list[Quote]:
    return _quotes(project, theme=theme_name)


def _quotes(
    project: Project, theme: str | None = None, ids: Sequence[int] | None = None
) -> list[Quote]:
    with project.read() as conn:
        tree = ThemeTree(conn)
        query = select(
            exemplar.c.id,
            exemplar.c.theme_id,
            exemplar.c.source_id,
            source.c.name,
            exemplar.c.start,
            exemplar.c.end,
            exemplar.c.coding_id,
            exemplar.c.interviewer,
            exemplar.c.position,
        ).join(source, source.c.id == exemplar.c.source_id)
        if theme is not None:
            query = query.where(exemplar.c.theme_id == tree.find(theme))
        if ids is not None:
            query = query.where(exemplar.c.id.in_(list(ids)))
        rows = conn.execute(query).all()
        order = {theme_id: index for index, (theme_id, _) in enumerate(tree.walk())}
        rows.sort(key=lambda r: (order.get(r.theme_id, 0), r.position, r.id))
        return render_rows(conn, tree, rows)


def render_rows(conn: Connection, tree: ThemeTree, rows: Sequence[Any]) -> list[Quote]:
    if not rows:
        return []
    wanted = [r.id for r in rows]
    kept: dict[int, list[Span]] = {}
    for exemplar_id, start, end in conn.execute(
        select(exemplar_span.c.exemplar_id, exemplar_span.c.start, exemplar_span.c.end)
        .where(exemplar_span.c.exemplar_id.in_(wanted))
        .order_by(exemplar_span.c.start)
    ):
        kept.setdefault(exemplar_id, []).append(Span(start, end))
    sources = sorted({r.source_id for r in rows})
    spoken: dict[int, list[Span]] = {}
    has_turns: set[int] = set()
    for source_id, start, end, role in conn.execute(
        select(turn.c.source_id, turn.c.start, turn.c.end, turn.c.role).where(
            turn.c.source_id.in_(sources)
        )
    ):
        has_turns.add(source_id)
        if role != "interviewer":
            spoken.setdefault(source_id, []).append(Span(start, end))
    texts = span_texts(conn, [(r.source_id, r.start, r.end) for r in rows])
    people = Participants(conn)
    quotes = []
    for row, (_, words, _) in zip(rows, texts, strict=True):
        pieces = kept.get(row.id, [])
        if row.source_id in has_turns and not row.interviewer:
            pieces = intersection(pieces, spoken.get(row.source_id, []))
        text, shown = _join(words, row.start, pieces)
        whose: set[int] = set()
        for piece in shown:
            whose |= people.of_span(row.source_id, piece.start, piece.end)
        attribution = ", ".join(people.label_of(whose)) or row.name
        quotes.append(
            Quote(
                id=row.id,
                theme=tree.path(row.theme_id) or "",
                source=row.name,
                start=row.start,
                end=row.end,
                coding=row.coding_id,
                keep=tuple((s.start - row.start, s.end - row.start) for s in kept.get(row.id, [])),
                text=text,
                attribution=attribution,
                interviewer=bool(row.interviewer),
            )
        )
    return quotes


def _join(words: str, offset: int, pieces: Sequence[Span]) -> tuple[str, list[Span]]:
    """The kept pieces of ``words`` (which starts at ``offset``) as one line, with an
    elision wherever words were left out between two pieces."""
    shown: list[Span] = []
    for piece in pieces:
        start, end = max(piece.start, offset), min(piece.end, offset + len(words))
        while start < end and words[start - offset].isspace():
            start += 1
        while end > start and words[end - offset - 1].isspace():
            end -= 1
        if start < end:
            shown.append(Span(start, end))
    parts: list[str] = []
    for index, piece in enumerate(shown):
        if index:
            gap = words[shown[index - 1].end - offset : piece.start - offset]
            parts.append(" " if not gap.strip() else f" {ELISION} ")
        parts.append(" ".join(words[piece.start - offset : piece.end - offset].split()))
    return "".join(parts), shown
