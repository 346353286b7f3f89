"""What each screen shows, read from the public API and shaped for the templates.

Nothing here changes a project: every change is one call in :mod:`thematica.web.routes`.
The functions are plain so that tests and the benchmark can call them without a server.
"""

from __future__ import annotations

import hashlib
import html
import mimetypes
import re
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import accumulate
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from thematica.coding.coders import visible_coders
from thematica.errors import NotFound
from thematica.team.blind import is_blind, visible_events, visible_memos, visible_quotes
from thematica.text.clock import clock

if TYPE_CHECKING:
    from thematica.agreement.double_coding import Picked
    from thematica.coding.codebook import Code
    from thematica.coding.codings import Coding
    from thematica.coding.memos import Memo
    from thematica.project import AuditEvent, Project

ALL_CODERS = "*"
RECENT_CODES = 9  # the number keys 1-9
IN_VIVO_WORDS = 8  # an in-vivo code is named after at most this many words
_PARAGRAPH = re.compile(r"\n[ \t]*\n")


# -- the transcript ---------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A piece of the canonical text shown as one element: ``text == source[start:end]``.

    The browser maps a selection to offsets by counting code points from a block's start,
    so a block's text must be exactly the canonical slice, whitespace included.
    """

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class TurnView:
    index: int
    speaker: str | None
    role: str  # interviewer | participant | other | text (no speaker labels)
    label: Block | None  # the "Speaker: " label, kept in the text before the turn's span
    speech: Block
    time: float | None = None  # seconds into the recording, where the source has times

    @property
    def clock(self) -> str:
        return clock(self.time) if self.time is not None else ""


def media_type(path: str) -> str:
    """The content type of a recording, by its file name (``audio/mpeg``, ``video/mp4``)."""
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def media_kind(path: str | None) -> str | None:
    """The element that plays an attached recording, ``audio`` or ``video``; None when
    there is none. A type that says neither is tried as audio."""
    if not path:
        return None
    kind = media_type(path).partition("/")[0]
    return kind if kind in ("audio", "video") else "audio"


@dataclass(frozen=True)
class TextView:
    """Text outside any turn: a heading before the first label, say."""

    block: Block
    index: None = None


def _stripped(text: str, start: int, end: int) -> Block | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Block(start, end, text[start:end]) if start < end else None


def layout(text: str, turns: list[Any]) -> list[TurnView | TextView]:
    """Split a transcript into its speaker turns (each with its label) and the text
    between them; whitespace between blocks is left out. A source without speaker
    labels is split into paragraphs, shown as turns without a speaker."""
    items: list[TurnView | TextView] = []
    if not turns:
        at = 0
        for gap in [*_PARAGRAPH.finditer(text), None]:
            end = gap.start() if gap else len(text)
            block = _stripped(text, at, end)
            if block:
                items.append(TurnView(len(items), None, "text", None, block))
            at = gap.end() if gap else len(text)
        return items
    at = 0
    for index, turn in enumerate(turns):
        line = max(text.rfind("\n", at, turn.start) + 1, at)
        between = _stripped(text, at, line)
        if between:
            items.append(TextView(between))
        label = Block(line, turn.start, text[line : turn.start]) if line < turn.start else None
        speech = Block(turn.start, turn.end, text[turn.start : turn.end])
        time = getattr(turn, "t_start", None)
        items.append(TurnView(index, turn.speaker, turn.role, label, speech, time))
        at = turn.end
    tail = _stripped(text, at, len(text))
    if tail:
        items.append(TextView(tail))
    return items


# -- codes and codings ------------------------------------------------------------------


@dataclass
class CodeNode:
    code: Code  # with its counts, alone and with its sub-codes (``code.with_children``)
    children: list[CodeNode] = field(default_factory=list)


def code_tree(codes: list[Code]) -> list[CodeNode]:
    """The codebook (``project.codes.list()``, depth first) as a tree."""
    roots: list[CodeNode] = []
    by_path: dict[str, CodeNode] = {}
    for c in codes:
        node = CodeNode(c)
        by_path[c.path] = node
        (roots if c.parent is None else by_path[c.parent].children).append(node)
    return roots


def code_by_id(project: Project, code_id: int) -> Code:
    for c in project.codes.list():
        if c.id == code_id:
            return c
    raise NotFound(f"no code with id {code_id}: it may have been merged, deleted or undone")


def descendants(codes: list[Code], path: str) -> set[str]:
    prefix = path + "/"
    return {c.path for c in codes if c.path.startswith(prefix)}


def in_vivo_name(words: str) -> str:
    """A code name from the words a participant used: the first few, without the
    punctuation around them."""
    flat = " ".join(words.split())
    parts = flat.split(" ")
    name = " ".join(parts[:IN_VIVO_WORDS])
    name = name.strip(" \t.,;:!?…-–—\"'“”‘’()[]")
    if len(parts) > IN_VIVO_WORDS:
        name += "…"
    return name[:80]


@dataclass(frozen=True)
class CodingView:
    id: int
    start: int
    end: int
    code: str
    code_id: int
    lane: int
    coder: str
    excerpt: str


@dataclass(frozen=True)
class LegendEntry:
    code: Code
    lane: int
    count: int


def recent_codes(events: list[AuditEvent], actor: str, codes: dict[str, Code]) -> list[Code]:
    """The codes ``actor`` applied most recently (newest first), from the audit log."""
    found: list[Code] = []
    for event in events:
        if (
            event.actor != actor
            or not event.action.startswith("code")
            or event.undone_by is not None
            or not isinstance(event.after, dict)
        ):
            continue
        c = codes.get(event.after.get("code", ""))
        if c is not None and c not in found:
            found.append(c)
            if len(found) == RECENT_CODES:
                break
    return found


@dataclass(frozen=True)
class UndoView:
    label: str
    possible: bool


def undo_view(events: list[AuditEvent]) -> UndoView | None:
    """What the Undo button would undo: the newest change not undone yet."""
    for event in events:
        if event.action == "undo" or event.undone_by is not None:
            continue
        label = f"{event.action} {event.target}".strip()
        return UndoView(label, event.undoable)
    return None


def codings_html(codings: list[CodingView], more_like_this: bool = False) -> Markup:
    """The reader's list of codings, as the items of its ``<ol>``; ``more_like_this``
    adds the button that finds passages like each (with the ``assist`` extra).

    Written here rather than in a template: the list goes out again after every change
    in the reader, and a Jinja loop over a few hundred codings (a dozen escapes each)
    took half the time of the answer; ``html.escape`` in one f-string per item takes a
    tenth of that. Every value from the project is escaped; the numbers are ints.
    """
    esc = html.escape
    items = []
    for c in codings:
        code, coder, words = esc(c.code), esc(c.coder), esc(c.excerpt)
        more = (
            f'<button type="button" class="link more-like" id="more-{c.id}" data-id="{c.id}" '
            f'aria-labelledby="more-{c.id} show-{c.id}">More like this</button> '
            if more_like_this
            else ""
        )
        items.append(
            f'<li id="coding-{c.id}" class="coding" data-id="{c.id}" data-start="{c.start}" '
            f'data-end="{c.end}" data-lane="{c.lane}" data-code-id="{c.code_id}" '
            f'data-path="{code}" data-coder="{coder}">'
            f'<span class="swatch code-{c.code_id}" aria-hidden="true"></span>'
            f'<button type="button" class="link show-coding" id="show-{c.id}">'
            f'<span class="coding-code">{code}</span> <span class="coding-text">“{words}”</span>'
            f'</button> <span class="coding-meta">{coder} · [{c.start}, {c.end})</span> '
            f'{more}<button type="button" class="remove-coding" id="remove-{c.id}" '
            f'data-id="{c.id}" aria-labelledby="remove-{c.id} show-{c.id}">Remove</button></li>'
        )
    return Markup("\n".join(items))


def excerpt(text: str, width: int = 90) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


@dataclass
class Panel:
    """The reader's side panel and everything that changes with a coding."""

    source: str
    layer: str  # a coder's name, or ALL_CODERS
    codings: list[CodingView]
    legend: list[LegendEntry]
    memos: list[Any]
    recent: list[Code]
    palette: list[Code]
    coders: list[str]
    undo: UndoView | None
    live: str  # what the panel shows, as :func:`live_changes` compares it

    def codings_html(self, more_like_this: bool = False) -> Markup:
        return codings_html(self.codings, more_like_this)


def _layer_codings(project: Project, source: str, layer: str) -> tuple[list[Coding], list[Coding]]:
    """Every coding of ``source`` the user may see, and those of them in ``layer``."""
    every: list[Coding] = project.codings.list(source_name=source)
    return every, every if layer == ALL_CODERS else [c for c in every if c.coder == layer]


def _source_memos(project: Project, source: str) -> list[Memo]:
    """The memos on ``source`` and its codings that the user may see."""
    memos = [m for m in project.memos.list() if m.source == source and m.kind != "project"]
    return visible_memos(project, memos)


def _live_token(
    blind: bool, newest: int, shown: list[Coding], memos: list[Memo], codes: list[Code]
) -> str:
    """``WHEN.STATE``: WHEN is the id of the newest audit event read before the rest, or
    ``b`` for a coder who is blind (who is not to learn even that others changed
    something); STATE digests what the panel shows: the codings of its layer, the memos,
    and the codes' names and colours (not their counts, which change with every coder's
    work, hidden or not)."""
    digest = hashlib.blake2b(digest_size=9)
    for c in shown:
        digest.update(repr(("coding", c.id, c.code, c.coder, c.start, c.end)).encode())
    for m in memos:
        digest.update(repr(("memo", m.id, m.author, m.title, m.text, m.start, m.end)).encode())
    for code in codes:
        digest.update(repr(("code", code.id, code.path, code.colour)).encode())
    return f"{'b' if blind else newest}.{digest.hexdigest()}"


def live_changes(
    project: Project, source: str, layer: str | None, since: str
) -> tuple[str, bool] | None:
    """Whether the reader's panel of ``source`` in ``layer`` would differ from the one
    whose :attr:`Panel.live` token is ``since``: None when it would not, else the new
    token and whether what the panel shows changed (False: the project changed, but not
    this panel; the page keeps the new token and asks with it next time).

    >>> live_changes(project, "interview-02.txt", "*", since)
    ('412.5f0c1e9a7b2d3c4e8f', True)

    While nothing has been changed in the project since ``since`` was drawn, this is
    two small queries (is the user blind; the newest audit event); only after a change
    is what the panel shows read and compared. For a blind coder it is read every time,
    through the blind coder's own view, so the answer never depends on what others do
    on the double-coded sources.
    """
    layer = layer or project.actor
    when, _, state = since.partition(".")
    blind = is_blind(project)
    # Read before the codings: a change made in between then shows as a newer event
    # next time, instead of hiding behind an event id that already counts it.
    newest = 0 if blind else _newest_event(project)
    if not blind and when == str(newest):
        return None
    _, shown = _layer_codings(project, source, layer)
    memos = _source_memos(project, source)
    token = _live_token(blind, newest, shown, memos, project.codes.list())
    if token == since:
        return None
    return token, token.partition(".")[2] != state


def _newest_event(project: Project) -> int:
    events = project.log(1)
    return events[0].id if events else 0


def panel(project: Project, source: str, layer: str | None = None) -> Panel:
    """The codings of ``source`` in one coder's layer (default: the user's own) or all
    layers, the legend of codes with one stripe lane each, memos on the source, and the
    palette (recent codes first)."""
    layer = layer or project.actor
    # The log first: its newest event in the live token must not count a change that
    # the codings read after it would miss (see live_changes).
    events = project.log(200)
    codes = project.codes.list()
    by_path = {c.path: c for c in codes}
    order = {c.path: n for n, c in enumerate(codes)}
    every, shown = _layer_codings(project, source, layer)
    coders = sorted({c.coder for c in every} | {project.actor} | ({layer} - {ALL_CODERS}))
    counts = Counter(c.code for c in shown)
    used = sorted(counts, key=lambda path: order.get(path, len(order)))
    lanes = {path: n for n, path in enumerate(used)}
    legend = [LegendEntry(by_path[p], lanes[p], counts[p]) for p in used if p in by_path]
    views = [
        CodingView(
            c.id,
            c.start,
            c.end,
            c.code,
            by_path[c.code].id if c.code in by_path else 0,
            lanes[c.code],
            c.coder,
            excerpt(c.text),
        )
        for c in shown
    ]
    recent = recent_codes(events, project.actor, by_path)
    rest = [c for c in codes if c not in recent]
    memos = _source_memos(project, source)
    newest = events[0].id if events else 0
    return Panel(
        source=source,
        layer=layer,
        codings=views,
        legend=legend,
        memos=memos,
        recent=recent,
        palette=recent + rest,
        coders=coders,
        undo=undo_view(events),
        live=_live_token(is_blind(project), newest, shown, memos, codes),
    )


# -- the dashboard ----------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    codings: int
    turns: int  # participant turns with at least one of this coder's codings
    of: int  # participant turns in the source

    @property
    def percent(self) -> int:
        return round(100 * self.turns / self.of) if self.of else 0


@dataclass
class SourceRow:
    source: Any
    progress: dict[str, Progress]


@dataclass
class Dashboard:
    name: str
    sources: list[SourceRow]
    coders: list[str]
    codes: int
    codings: int
    activity: list[AuditEvent]
    journal: list[Any]
    undo: UndoView | None


def _participant_turns(turns: list[Any]) -> list[tuple[int, int]]:
    spoken = [(t.start, t.end) for t in turns if t.role == "participant"]
    return spoken or [(t.start, t.end) for t in turns]


def _touched(turns: list[tuple[int, int]], codings: list[tuple[int, int]]) -> int:
    """How many ``turns`` overlap at least one of ``codings`` (sorted by start).

    A turn ``[a, b)`` is touched when some coding starting before ``b`` ends after
    ``a``: the furthest end among the codings that start before ``b`` decides it.
    """
    starts = [start for start, _ in codings]
    furthest = list(accumulate((end for _, end in codings), max))
    touched = 0
    for a, b in turns:
        k = bisect_left(starts, b)
        if k and furthest[k - 1] > a:
            touched += 1
    return touched


def dashboard(project: Project, activity: int = 15) -> Dashboard:
    """Sources with each coder's progress (share of participant turns touched by at
    least one of the coder's codings), recent activity and the reflexive journal."""
    sources = project.sources.list()
    every = project.codings.list()
    by_source: dict[str, list[Coding]] = defaultdict(list)
    for c in every:
        by_source[c.source].append(c)
    coders = sorted({c.coder for c in every})
    rows = []
    for s in sources:
        spans = _participant_turns(project.sources.turns(s.name)) if s.turns else []
        progress = {}
        for coder in coders:
            mine = sorted((c.start, c.end) for c in by_source[s.name] if c.coder == coder)
            progress[coder] = Progress(len(mine), _touched(spans, mine), len(spans))
        rows.append(SourceRow(s, progress))
    events = project.log(max(activity, 20))
    return Dashboard(
        name=project.setting("name") or "study",
        sources=rows,
        coders=coders,
        codes=len(project.codes.list()),
        codings=len(every),
        activity=visible_events(project, events)[:activity],
        journal=list(reversed(project.memos.journal())),
        undo=undo_view(events),
    )


def undo_of(project: Project) -> UndoView | None:
    """The Undo button's offer: the newest change, if it can be undone."""
    return undo_view(project.log(20))


# -- the themes board -------------------------------------------------------------------


@dataclass(frozen=True)
class QuoteChoice:
    """A coded segment of a theme's linked codes, offered as an exemplar quote."""

    coding: int
    label: str


@dataclass
class Board:
    columns: list[Any]  # the top-level themes
    children: dict[str, list[Any]]  # theme path -> its subthemes
    words: dict[str, str]  # theme path -> prevalence in words
    codes: list[Code]
    quotes: dict[str, list[Any]]  # theme path -> its exemplar quotes
    choices: dict[str, list[QuoteChoice]]  # theme path -> segments to pick quotes from
    undo: UndoView | None


def board(project: Project) -> Board:
    """Themes as columns with their subthemes, prevalence, linked codes and exemplar
    quotes, and for each theme the segments of its linked codes (with their sub-codes)
    that could be quotes."""
    themes = project.themes.list()
    words = {
        row.theme: row.words
        for row in project.themes.prevalence().rows
        if row.kind in ("theme", "subtheme")
    }
    quotes: dict[str, list[Any]] = defaultdict(list)
    for quote in visible_quotes(project, project.themes.quotes()):
        quotes[quote.theme].append(quote)
    segments: dict[str, list[Any]] = {}
    choices: dict[str, list[QuoteChoice]] = {}
    for t in themes:
        chosen = {q.coding for q in quotes[t.path]}
        seen: set[int] = set()
        offered = []
        for linked in t.codes:
            if linked not in segments:
                segments[linked] = project.segments(linked, context=0, children=True)
            for segment in segments[linked]:
                if segment.coding in chosen or segment.coding in seen:
                    continue
                seen.add(segment.coding)
                who = segment.case or segment.source
                offered.append(QuoteChoice(segment.coding, f"{who}: “{excerpt(segment.text, 80)}”"))
        choices[t.path] = offered
    undo = undo_of(project)
    return Board(
        columns=[t for t in themes if t.parent is None],
        children={t.path: [c for c in themes if c.parent == t.path] for t in themes},
        words=words,
        codes=project.codes.list(),
        quotes=dict(quotes),
        choices=choices,
        undo=undo,
    )


# -- agreement and consensus ------------------------------------------------------------

CONSENSUS_KEYS = {
    "a": ("take", 0, "take the first coder's version"),
    "b": ("take", 1, "take the second coder's version"),
    "u": ("union", None, "union: everything either coded"),
    "i": ("intersection", None, "intersection: only what both coded"),
    "d": ("drop", None, "drop: the code does not apply here"),
}


@dataclass
class Piece:
    text: str
    marked: bool


def marked_pieces(text: str, start: int, spans: list[tuple[int, int]]) -> list[Piece]:
    """``text`` (which begins at offset ``start``) cut into pieces, each marked when it
    lies inside one of ``spans`` (offsets in code points, as the API counts them)."""
    cuts = sorted({0, len(text)} | {max(0, min(len(text), p - start)) for s in spans for p in s})
    pieces = []
    for left, right in zip(cuts, cuts[1:], strict=False):
        if right <= left:
            continue
        inside = any(s - start <= left and right <= e - start for s, e in spans)
        pieces.append(Piece(text[left:right], inside))
    return pieces


def coders_of(project: Project) -> list[str]:
    """The coders with codings, without consensus layers."""
    from thematica.agreement.consensus import LAYER

    return sorted({c.coder for c in project.codings.list()} - {LAYER})


@dataclass(frozen=True)
class DoubleCoding:
    """The sources picked for double coding, and which coders code blind."""

    picked: list[Picked]
    blind: dict[str, bool]  # coder -> coding blind
    unpicked: list[str]  # the sources not yet picked, by name
    attributes: list[str]  # the participant attributes a draw can be spread over

    @property
    def shown(self) -> bool:
        return bool(self.picked) or any(self.blind.values())

    @property
    def by_method(self) -> dict[str, list[str]]:
        """The picked sources under each way they were picked (by hand, each draw)."""
        found: dict[str, list[str]] = {}
        for p in sorted(self.picked, key=lambda p: (p.picked, p.source)):
            found.setdefault(p.method, []).append(p.source)
        return found


def double_coding(project: Project, coders: set[str]) -> DoubleCoding:
    """The double-coding step as the agreement screen shows it, for ``coders``."""
    from thematica.agreement.double_coding import picked

    with project.read() as conn:
        blind = {name: visible_coders(conn, name) is not None for name in sorted(coders)}
    chosen = picked(project)
    taken = {p.source for p in chosen}
    unpicked = [s.name for s in project.sources.list() if s.name not in taken]
    attributes = [a.name for a in project.cases.attributes()]
    return DoubleCoding(chosen, blind, unpicked, attributes)
