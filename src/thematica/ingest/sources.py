"""Sources: the transcripts of a study, stored once in canonical form.

>>> project.sources.add_file("interviews/interview-01.txt", case="1")
>>> project.sources.list()[0].words
2431
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from thematica.errors import InvalidInput
from thematica.ingest.readers import Document, ReadOptions, TimeAnchor, read_document
from thematica.ingest.refs import find_case, find_source
from thematica.store.raw import fetch, mark
from thematica.store.schema import (
    SPAN_TABLES,
    coding,
    source,
    source_case,
    source_chunk,
    time_anchor,
    turn,
)
from thematica.store.texts import cases_by_source, chunk_rows, source_text
from thematica.text import (
    Edit,
    Span,
    canonical,
    checksum,
    detect_turns,
    remap_span,
    word_count,
)
from thematica.text.remap import apply_edits, check_edits
from thematica.text.turns import DEFAULT_LABEL, Turn

if TYPE_CHECKING:
    from thematica.project import Project, Transaction


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    kind: str
    length: int
    words: int
    checksum: str
    created: str
    origin: str | None
    media: str | None = None
    turns: int = 0
    codings: int = 0
    cases: tuple[str, ...] = ()

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "characters": self.length,
            "words": self.words,
            "turns": self.turns,
            "codings": self.codings,
            "cases": list(self.cases),
            "checksum": self.checksum,
            "created": self.created,
            "origin": self.origin,
            "media": self.media,
        }


@dataclass(frozen=True)
class RemapReport:
    """What a change of text did to the spans anchored to it."""

    moved: int
    resized: int
    collapsed: int


@dataclass(frozen=True)
class TurnOptions:
    """How speaker turns are found on import (see :func:`thematica.text.detect_turns`).

    ``label_pattern`` None means: the pattern the reader found labels with, if any, else
    the default one.
    """

    label_pattern: str | None = None
    interviewers: tuple[str, ...] = ()
    others: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    """What a batch import did: the sources added, and each file skipped with why."""

    imported: tuple[Source, ...]
    skipped: tuple[tuple[str, str], ...]
    notes: tuple[tuple[str, str], ...] = ()  # (source, what the reader noticed)


@dataclass(frozen=True)
class _Incoming:
    name: str
    document: Document
    origin: str | None


@dataclass(frozen=True)
class _Ready:
    """A source to insert, with everything that needs no database worked out."""

    incoming: _Incoming
    digest: str
    words: int
    turns: list[Turn]


def _prepare(incoming: _Incoming, turns: TurnOptions) -> _Ready:
    text = incoming.document.text
    if not incoming.name.strip():
        raise InvalidInput("a source needs a name")
    pattern = turns.label_pattern or incoming.document.label_pattern or DEFAULT_LABEL
    found = detect_turns(text, pattern, turns.interviewers, turns.others)
    return _Ready(incoming, checksum(text), word_count(text), found)


def _insert_source(
    tx: Transaction,
    ready: _Ready,
    case: str | None,
    media: str | None = None,
) -> Source:
    """Insert a prepared source with its chunks, turns and time anchors; return it as
    :meth:`Sources.get` would (built here: reading it back costs as much again)."""
    from thematica.project import now

    incoming, text = ready.incoming, ready.incoming.document.text
    name = incoming.name
    clash = f"SELECT name FROM source WHERE name = {mark(tx.conn)} OR checksum = {mark(tx.conn)}"
    others = [row[0] for row in fetch(tx.conn, clash, [name, ready.digest])]
    if name in others:
        raise InvalidInput(f"a source named {name!r} already exists")
    if others:
        raise InvalidInput(f"{name} has the same text as source {others[0]!r}, already imported")
    # Every check that can fail comes before the first write, so a batch can skip a bad
    # item without undoing half of it.
    linked = find_case(tx.conn, case) if case is not None else None
    created = now()
    source_id = tx.insert(
        source,
        {
            "name": name,
            "kind": incoming.document.kind,
            "text": text,
            "length": len(text),
            "words": ready.words,
            "checksum": ready.digest,
            "origin": incoming.origin,
            "media_path": media,
            "created": created,
        },
    )
    tx.insert_many(source_chunk, chunk_rows(source_id, text))
    anchors = incoming.document.anchors
    tx.insert_many(turn, _turn_rows(source_id, ready.turns, anchors))
    tx.insert_many(time_anchor, _anchor_rows(source_id, anchors, len(text)))
    if linked is not None:
        tx.insert(source_case, {"source_id": source_id, "case_id": linked.id})
    return Source(
        source_id,
        name,
        incoming.document.kind,
        len(text),
        ready.words,
        ready.digest,
        created,
        incoming.origin,
        media,
        turns=len(ready.turns),
        cases=(linked.label,) if linked is not None else (),
    )


def _turn_rows(source_id: int, turns: Sequence[Turn], anchors: Sequence[TimeAnchor]) -> list:
    """Turn rows, each with the time of the last anchor at or before its start.

    Columns that would be NULL in every row are left out: a transcript brings a hundred
    turns, and binding their three empty columns took 0.13 ms of its 2 ms import."""
    rows = [
        {
            "source_id": source_id,
            "start": t.start,
            "end": t.end,
            "speaker": t.speaker,
            "role": t.role,
        }
        for t in turns
    ]
    if not anchors:
        return rows
    starts = [a.offset for a in anchors]
    times: list[int | None] = []
    for t in turns:
        at = bisect_right(starts, t.start) - 1
        if at < 0 and anchors[0].offset < t.end:
            at = 0  # the turn's first cue starts just after its label
        times.append(round(anchors[at].seconds * 1000) if at >= 0 else None)
    for i, row in enumerate(rows):
        row["t_start"] = times[i]
        row["t_end"] = times[i + 1] if i + 1 < len(times) else None
    return rows


def _anchor_rows(source_id: int, anchors: Sequence[TimeAnchor], length: int) -> list[dict]:
    ends = [a.offset for a in anchors[1:]] + ([length] if anchors else [])
    return [
        {"source_id": source_id, "start": a.offset, "end": end, "ms": round(a.seconds * 1000)}
        for a, end in zip(anchors, ends, strict=True)
        if end > a.offset
    ]


def _media_path(media: str | Path) -> str:
    path = Path(media).expanduser().resolve()
    if not path.is_file():
        raise InvalidInput(f"no such media file: {media}")
    return str(path)


def expand_paths(paths: Sequence[str | Path], recursive: bool = False) -> list[Path]:
    """Files named, and the readable files inside folders named, in a stable order."""
    from thematica.ingest.readers import supported

    suffixes = set(supported())
    found: list[Path] = []
    for given in map(Path, paths):
        if given.is_dir():
            pattern = "**/*" if recursive else "*"
            found += sorted(
                p for p in given.glob(pattern) if p.is_file() and p.suffix.lower() in suffixes
            )
        else:
            found.append(given)
    return found


class Sources:
    """The project's sources. Reached as ``project.sources``."""

    def __init__(self, project: Project) -> None:
        self.project = project

    def add(
        self,
        name: str,
        text: str,
        kind: str = "text",
        case: str | None = None,
        origin: str | None = None,
        turns: TurnOptions | None = None,
    ) -> Source:
        """Add a source from a string; ``case`` links it to a participant (key or label)."""
        document = Document(text=canonical(text), kind=kind)
        ready = _prepare(_Incoming(name, document, origin), turns or TurnOptions())
        with self.project.transaction("add source", name) as tx:
            added = _insert_source(tx, ready, case)
            tx.after = {"name": name, "kind": kind, "case": case}
        return added

    def add_file(
        self,
        path: str | Path,
        name: str | None = None,
        options: ReadOptions | None = None,
        case: str | None = None,
        turns: TurnOptions | None = None,
        media: str | Path | None = None,
    ) -> Source:
        """Read a file in any supported format and add it; named after the file.

        ``media``: the interview's recording, attached in the same change (see
        :meth:`attach_media`).
        """
        path = Path(path)
        recording = _media_path(media) if media is not None else None
        document = read_document(path, options)
        name = name or path.name
        ready = _prepare(_Incoming(name, document, str(path)), turns or TurnOptions())
        with self.project.transaction("add source", name) as tx:
            added = _insert_source(tx, ready, case, recording)
            tx.after = {"name": name, "kind": document.kind, "case": case}
            if recording is not None:
                tx.after["media"] = recording
        return added

    def add_files(
        self,
        paths: Sequence[str | Path],
        options: ReadOptions | None = None,
        case: str | None = None,
        turns: TurnOptions | None = None,
        recursive: bool = False,
        progress: Callable[[str], None] | None = None,
    ) -> ImportReport:
        """Add files and the readable files in folders, in one transaction.

        A file that cannot be read, or whose text is already in the project, is skipped
        with the reason; the others are added. ``progress`` is called with each file name
        as it is read.
        """
        read: list[tuple[str, Document, str]] = []
        skipped: list[tuple[str, str]] = []
        for path in expand_paths(paths, recursive):
            if progress:
                progress(path.name)
            try:
                read.append((path.name, read_document(path, options), str(path)))
            except InvalidInput as error:
                skipped.append((str(path), str(error)))
        return self.add_documents(read, skipped, case, turns)

    def add_documents(
        self,
        documents: Sequence[tuple[str, Document, str | None]],
        skipped: Sequence[tuple[str, str]] = (),
        case: str | None = None,
        turns: TurnOptions | None = None,
    ) -> ImportReport:
        """Add ``(name, document, origin)`` items already read by
        :func:`~thematica.ingest.readers.read_document` (perhaps on another machine, as
        :mod:`thematica.batch` does), in one transaction, as :meth:`add_files` would.

        ``skipped`` are ``(file, reason)`` pairs of files that could not be read, passed
        through to the report.
        """
        incoming = [_Incoming(name, document, origin) for name, document, origin in documents]
        return self._insert_batch(incoming, list(skipped), case, turns)

    def add_table(
        self,
        path: str | Path,
        text_column: str = "text",
        name_column: str | None = None,
        encoding: str | None = None,
        turns: TurnOptions | None = None,
    ) -> ImportReport:
        """Add one source per row of a CSV or Excel table of transcripts.

        The source is named by ``name_column`` (default: the file name and row number).
        """
        from thematica.ingest.tables import read_table

        path = Path(path)
        required = [text_column] + ([name_column] if name_column else [])
        _, rows = read_table(path, required, encoding, unstripped=(text_column,))
        incoming, skipped = [], []
        for number, row in enumerate(rows, start=2):
            name = row[name_column] if name_column else f"{path.stem}-{number - 1}"
            text = canonical(row[text_column])
            if not text.strip():
                skipped.append((f"{path.name}, line {number}", "the text cell is empty"))
                continue
            incoming.append(_Incoming(name, Document(text=text, kind="table"), f"{path}:{number}"))
        return self._insert_batch(incoming, skipped, None, turns)

    def _insert_batch(
        self,
        incoming: list[_Incoming],
        skipped: list[tuple[str, str]],
        case: str | None,
        turns: TurnOptions | None,
    ) -> ImportReport:
        added: list[Source] = []
        notes = [(item.name, note) for item in incoming for note in item.document.warnings]
        if incoming:
            target = incoming[0].name if len(incoming) == 1 else f"{len(incoming)} sources"
            with self.project.transaction("add sources", target) as tx:
                options = turns or TurnOptions()
                for item in incoming:
                    try:
                        added.append(_insert_source(tx, _prepare(item, options), case))
                    except InvalidInput as error:
                        skipped.append((item.origin or item.name, str(error)))
                names = [a.name for a in added]
                tx.target = names[0] if len(names) == 1 else f"{len(names)} sources"
                tx.after = {"names": names, "case": case}
        imported = {a.name for a in added}
        return ImportReport(
            tuple(added), tuple(skipped), tuple(n for n in notes if n[0] in imported)
        )

    def add_many(self, items: Iterable[tuple[str, str] | tuple[str, str, str | None]]) -> int:
        """Add many ``(name, text[, case])`` sources in one transaction; return the count.

        For programs that already hold the texts; a bad item aborts the whole batch.
        """
        with self.project.transaction("add sources") as tx:
            names = []
            for item in items:
                document = Document(canonical(item[1]), kind="text")
                ready = _prepare(_Incoming(item[0], document, None), TurnOptions())
                _insert_source(tx, ready, item[2] if len(item) > 2 else None)
                names.append(item[0])
            tx.target = f"{len(names)} sources"
            tx.after = {"names": names}
        return len(names)

    def attach_media(self, name: str, media: str | Path) -> Source:
        """Attach the interview's recording, so a segment can be played from its time."""
        path = _media_path(media)
        with self.project.transaction("attach media", name) as tx:
            ref = find_source(tx.conn, name)
            tx.update(source, ref.id, {"media_path": path})
            tx.after = {"media": path}
        return self.get(name)

    def list(self) -> list[Source]:
        """Every source, by name, with counts of turns and codings and linked cases."""
        return self._select()

    def get(self, name: str) -> Source:
        found = self._select(name)
        if not found:
            with self.project.read() as conn:
                find_source(conn, name)  # raises, with suggestions
        return found[0]

    def _select(self, name: str | None = None) -> list[Source]:
        turns = select(turn.c.source_id, func.count().label("n")).group_by(turn.c.source_id)
        codings = select(coding.c.source_id, func.count().label("n")).group_by(coding.c.source_id)
        query = select(
            source.c.id,
            source.c.name,
            source.c.kind,
            source.c.length,
            source.c.words,
            source.c.checksum,
            source.c.created,
            source.c.origin,
            source.c.media_path,
        ).order_by(source.c.name)
        if name is not None:
            query = query.where(source.c.name == name)
        with self.project.read() as conn:
            rows = conn.execute(query).all()
            one = None
            if name is not None:
                # One source (as after every import): count only its rows.
                if not rows:
                    return []
                one = rows[0][0]
                turns = turns.where(turn.c.source_id == one)
                codings = codings.where(coding.c.source_id == one)
            cases = cases_by_source(conn, one)
            turn_counts = dict(conn.execute(turns).all())
            coding_counts = dict(conn.execute(codings).all())
            return [
                Source(
                    *row,
                    turns=turn_counts.get(row[0], 0),
                    codings=coding_counts.get(row[0], 0),
                    cases=tuple(cases.get(row[0], ())),
                )
                for row in rows
            ]

    def text(self, name: str) -> str:
        """The canonical text of a source."""
        with self.project.read() as conn:
            return source_text(conn, find_source(conn, name).id)

    def turns(self, name: str) -> list[Turn]:
        """The speaker turns, in text order; ``t_start``/``t_end`` are seconds into the
        recording where the source has times (a subtitle file), else None."""
        with self.project.read() as conn:
            ref = find_source(conn, name)
            rows = conn.execute(
                select(turn.c.start, turn.c.end, turn.c.speaker, turn.c.role)
                .add_columns(turn.c.t_start, turn.c.t_end)
                .where(turn.c.source_id == ref.id)
                .order_by(turn.c.start)
            )
            return [
                Turn(*row[:4], *(None if ms is None else ms / 1000 for ms in row[4:]))
                for row in rows
            ]

    def edit_text(self, name: str, edits: Sequence[Edit], reason: str = "") -> RemapReport:
        """Change a source's canonical text and carry every anchored span with it.

        This is the only way a source's text changes after import. Codings, memo anchors
        and speaker turns are remapped by :func:`thematica.text.remap_span`; a coding whose
        every character was deleted is removed (the audit event keeps it, so undo brings
        it back) and a memo whose anchor text went is kept, anchored to the whole source.
        """
        with self.project.transaction("edit source text", name) as tx:
            report, before, after = edit_source_text(tx, name, edits)
            tx.before, tx.after = before, {**after, "reason": reason}
        return report


def edit_source_text(
    tx: Transaction, name: str, edits: Sequence[Edit]
) -> tuple[RemapReport, dict, dict]:
    """Apply ``edits`` to a source inside ``tx`` (see :meth:`Sources.edit_text`).

    Returns the report and audit summaries of the text before and after.
    """
    ref = find_source(tx.conn, name)
    old = source_text(tx.conn, ref.id)
    ordered = check_edits(edits, len(old))
    new = apply_edits(old, ordered)
    tx.update(
        source,
        ref.id,
        {"text": new, "length": len(new), "words": word_count(new), "checksum": checksum(new)},
    )
    old_chunks = tx.conn.execute(
        select(source_chunk.c.id).where(source_chunk.c.source_id == ref.id)
    ).scalars()
    tx.delete_many(source_chunk, list(old_chunks))
    tx.insert_many(source_chunk, chunk_rows(ref.id, new))
    moved = resized = collapsed = 0
    for table in SPAN_TABLES:
        rows = tx.conn.execute(
            select(table.c.id, table.c.start, table.c.end).where(
                table.c.source_id == ref.id, table.c.start.is_not(None)
            )
        ).all()
        updates, gone = {}, []
        for row_id, start, end in rows:
            span = remap_span(Span(start, end), ordered)
            if span is None:
                gone.append(row_id)
            elif (span.start, span.end) != (start, end):
                updates[row_id] = {"start": span.start, "end": span.end}
                if len(span) == end - start:
                    moved += 1
                else:
                    resized += 1
        tx.update_each(table, updates)
        if table.name == "memo":
            tx.update_many(table, gone, {"start": None, "end": None})
        else:
            tx.delete_many(table, gone)
        if table.name == "coding":
            collapsed += len(gone)
    report = RemapReport(moved=moved, resized=resized, collapsed=collapsed)
    before = {"checksum": checksum(old), "length": len(old)}
    after = {
        "checksum": checksum(new),
        "length": len(new),
        "edits": len(ordered),
        "codings_removed": collapsed,
    }
    return report, before, after
