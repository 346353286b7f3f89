"""Coding queries: where codes meet, in boolean and proximity terms.

>>> result = project.query.coding('"Getting referred" AND NOT "Waiting"')
>>> for passage in result.passages:
...     print(passage.cases, passage.text)

A query names codes (in double quotes when the name has spaces; ``Parent/Child`` for a
path) and combines them, loosest first:

``A OR B``
    text coded with either.
``A AND B``
    the text coded with both: the overlap of their codings.
``NOT A``
    the text not coded with ``A``: ``B AND NOT A`` is ``B``'s text less ``A``'s, and a
    bare ``NOT A`` is every turn of the filter's speakers less ``A``'s text.
``A NEAR n B``
    codings of ``A`` and ``B`` at most ``n`` words apart (overlapping counts as 0);
    both are kept.
``A PRECEDES B``, ``A PRECEDES n B``
    codings of ``A`` that end before a coding of ``B`` starts (at most ``n`` words
    before it), and those codings of ``B``.
``A WITHIN TURN B``
    codings of ``A`` and ``B`` in one speaker turn.

Brackets group. Each operator yields text, so they nest: ``("Warmth" OR "Trust") NEAR
20 "Therapist"``. With ``children``, a code stands for itself and its sub-codes.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection

from thematica.errors import InvalidInput
from thematica.query.filters import Filter, Scope, resolve
from thematica.query.parsing import Reader, Token, shown
from thematica.query.passages import Found, Passage, passages
from thematica.query.places import Place, places
from thematica.store.schema import coder as coder_table
from thematica.store.schema import coding, source, turn
from thematica.text.span import Span, difference, intersection, union

if TYPE_CHECKING:
    from thematica.project import Project

WHAT = "coding query"
KEYWORDS = ("AND", "OR", "NOT", "NEAR", "PRECEDES", "WITHIN", "TURN")
# A word as people count them: letters and digits, with inner apostrophes ("don't").
WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

Regions = dict[int, list[Span]]  # source id -> disjoint spans, in order
SpanKey = tuple[int, int, int]  # (source id, start, end)


@dataclass(frozen=True)
class CodingResult(Found):
    """The passages a coding query found, in source and text order."""

    FIELD = "passages"
    TITLE = "Coding query"

    passages: list[Passage]

    @property
    def cases(self) -> int:
        return len({c for p in self.passages for c in p.cases})


# -- the parsed query ---------------------------------------------------------------------


@dataclass(frozen=True)
class Code:
    name: str
    at: int


@dataclass(frozen=True)
class Op:
    kind: str  # or | and | not | near | precedes | turn
    left: Any
    right: Any = None
    words: int | None = None


def parse(text: str) -> Code | Op:
    """The query's tree of codes and operators; raises :class:`InvalidInput` on a mistake."""
    reader = Reader(text, WHAT)
    if reader.peek().kind == "end":
        raise InvalidInput('the coding query is empty: name a code, e.g. "Warmth"')
    tree = _either(reader)
    token = reader.peek()
    if token.kind != "end":
        hint = ""
        if token.kind == "word" and reader.position > 0 and reader.peek(-1).kind == "word":
            hint = "; put code names with spaces in double quotes"
        raise reader.error(
            f"expected AND, OR, NEAR, PRECEDES or WITHIN TURN, found {shown(token)}{hint}",
            token.at,
        )
    return tree


def _either(reader: Reader) -> Code | Op:
    node = _both(reader)
    while reader.take_word("OR"):
        node = Op("or", node, _both(reader))
    return node


def _both(reader: Reader) -> Code | Op:
    node = _negation(reader)
    while reader.take_word("AND"):
        node = Op("and", node, _negation(reader))
    return node


def _negation(reader: Reader) -> Code | Op:
    if reader.take_word("NOT"):
        return Op("not", _negation(reader))
    return _proximity(reader)


def _proximity(reader: Reader) -> Code | Op:
    node = _primary(reader)
    while True:
        token = reader.peek()
        if reader.take_word("NEAR"):
            words = _words(reader, token, required=True)
            node = Op("near", node, _primary(reader), words)
        elif reader.take_word("PRECEDES"):
            words = _words(reader, token, required=False)
            node = Op("precedes", node, _primary(reader), words)
        elif reader.take_word("WITHIN"):
            if not reader.take_word("TURN"):
                raise reader.error("write WITHIN TURN: both in one speaker turn", reader.peek().at)
            node = Op("turn", node, _primary(reader))
        else:
            return node


def _words(reader: Reader, operator: Token, required: bool) -> int | None:
    token = reader.peek()
    if token.kind == "word" and re.fullmatch(r"[+-]?\d+", token.text):
        reader.take()
        words = int(token.text)
        if words < 0:
            raise reader.error(
                f"{operator.text.upper()} needs a number of words of 0 or more, not {words}",
                token.at,
            )
        return words
    if required:
        raise reader.error(
            f'{operator.text.upper()} needs a number of words, e.g. "Warmth" NEAR 20 "Trust"',
            token.at,
        )
    return None


def _primary(reader: Reader) -> Code | Op:
    group = reader.bracketed(_either)
    if group is not None:
        return group
    token = reader.peek()
    if token.kind == "string" or (token.kind in ("word", "name") and not token.is_word(*KEYWORDS)):
        reader.take()
        return Code(token.text, token.at)
    raise reader.error(f'expected a code name, found {shown(token)}; e.g. "Warmth"', token.at)


# -- running it ---------------------------------------------------------------------------


def run_coding_query(
    project: Project,
    query: str,
    where: Filter | None,
    children: bool,
    context: int,
) -> CodingResult:
    """Run a coding query (see the module's docstring) within ``where``."""
    if context < 0:
        raise InvalidInput("context must be zero or more characters")
    tree_of_query = parse(query)
    where = where or Filter()
    with project.read() as conn:
        scope = resolve(conn, where, project.actor)
        run = _Run(conn, scope, children)
        regions = run.evaluate(tree_of_query)
        spans = sorted((s, r.start, r.end) for s, found in regions.items() for r in found)
        found = passages(conn, scope, run.admitted(spans), context, run.labels)
    found.sort(key=lambda p: (p.source, p.start, p.end))
    return CodingResult(query, where, found)


class _Run:
    """One evaluation of a query tree against a scope."""

    def __init__(self, conn: Connection, scope: Scope, children: bool) -> None:
        self.conn = conn
        self.scope = scope
        self.children = children
        # Every coding the query's codes read: source id -> sorted (start, end, code, coder)
        self.codings: dict[int, list[tuple[int, int, int, int]]] = {}
        # Where each coding the query read sits: a result that is one coding's span
        # (the most common) is not looked up again.
        self.known: dict[SpanKey, Place] = {}
        self._words: dict[int, list[int]] = {}
        self._coders: dict[int, str] | None = None
        self._paths: dict[int, str] = {}

    def evaluate(self, node: Code | Op) -> Regions:
        if isinstance(node, Code):
            return self._code(node)
        if node.kind == "not":
            return self._minus(self._universe(), self.evaluate(node.left))
        if node.kind == "and":
            # "A AND NOT B" is A less B: no need to work out everything that is not B.
            for keep, drop in ((node.left, node.right), (node.right, node.left)):
                if isinstance(drop, Op) and drop.kind == "not":
                    return self._minus(self.evaluate(keep), self.evaluate(drop.left))
        left, right = self.evaluate(node.left), self.evaluate(node.right)
        if node.kind == "or":
            return {
                s: union(left.get(s, []) + right.get(s, [])) for s in left.keys() | right.keys()
            }
        both = left.keys() & right.keys()
        if node.kind == "and":
            found = {s: intersection(left[s], right[s]) for s in both}
        elif node.kind == "turn":
            found = self._same_turn(left, right, both)
        else:
            found = {s: self._pairs(node, left[s], right[s], s) for s in both}
        return {s: spans for s, spans in found.items() if spans}

    def _code(self, node: Code) -> Regions:
        tree = self.scope.tree
        try:
            code_id = tree.find(node.name)
        except InvalidInput as error:  # an ambiguous name
            raise InvalidInput(f"{WHAT}: {error}") from None
        ids = [code_id, *tree.descendants(code_id)] if self.children else [code_id]
        c = coding.c
        query = self.scope.codings(
            select(c.source_id, c.start, c.end, c.code_id, c.coder_id).where(c.code_id.in_(ids)),
            roles=False,
        )
        rows = self.conn.execute(query).all()
        new = sorted({(s, a, b) for s, a, b, _, _ in rows} - self.known.keys())
        self.known.update(zip(new, places(self.conn, new, times=True), strict=True))
        roles = self.scope.roles
        spans: dict[int, list[Span]] = {}
        for source_id, start, end, code_id, coder_id in rows:
            place = self.known[(source_id, start, end)]
            # Only codings in the filter's speakers' turns take part.
            if roles is None or not place.has_turns or place.roles & roles:
                self.codings.setdefault(source_id, []).append((start, end, code_id, coder_id))
                spans.setdefault(source_id, []).append(Span(start, end))
        return {
            s: clipped
            for s, found in spans.items()
            if (clipped := union(self.scope.clip(s, found)))
        }

    def admitted(
        self, spans: list[tuple[int, int, int]]
    ) -> list[tuple[tuple[int, int, int], Place]]:
        """The result spans the scope admits, with their places."""
        new = [s for s in spans if s not in self.known]
        self.known.update(zip(new, places(self.conn, new, times=True), strict=True))
        return [(s, self.known[s]) for s in spans if self.scope.admits(*s, self.known[s])]

    def _minus(self, keep: Regions, drop: Regions) -> Regions:
        found = {s: difference(spans, drop.get(s, [])) for s, spans in keep.items()}
        return {s: spans for s, spans in found.items() if spans}

    def _universe(self) -> Regions:
        """The text a bare NOT works within: the turns of the filter's speakers (a
        source without turns whole), in the filter's sources and scoping code."""
        scope = self.scope
        query = select(source.c.id, source.c.length)
        if scope.source_ids is not None:
            query = query.where(source.c.id.in_(sorted(scope.source_ids)))
        lengths = dict(self.conn.execute(query).all())
        turns = select(turn.c.source_id, turn.c.start, turn.c.end, turn.c.role).where(
            turn.c.source_id.in_(sorted(lengths))
        )
        spoken: dict[int, list[Span]] = {}
        with_turns: set[int] = set()
        for source_id, start, end, role in self.conn.execute(turns):
            with_turns.add(source_id)
            if scope.roles is None or role in scope.roles:
                spoken.setdefault(source_id, []).append(Span(start, end))
        found: Regions = {}
        for source_id, length in lengths.items():
            whole = spoken.get(source_id, []) if source_id in with_turns else [Span(0, length)]
            if clipped := union(scope.clip(source_id, whole)):
                found[source_id] = clipped
        return found

    def _same_turn(self, left: Regions, right: Regions, both: set[int]) -> Regions:
        turns: dict[int, list[tuple[int, int]]] = {}
        query = select(turn.c.source_id, turn.c.start, turn.c.end).where(
            turn.c.source_id.in_(sorted(both))
        )
        for source_id, start, end in self.conn.execute(query):
            turns.setdefault(source_id, []).append((start, end))
        found: Regions = {}
        for source_id in both:
            kept = []
            for start, end in turns.get(source_id, []):
                a = [r for r in left[source_id] if r.start < end and start < r.end]
                b = [r for r in right[source_id] if r.start < end and start < r.end]
                if a and b:
                    kept += a + b
            found[source_id] = union(kept)
        return found

    def _pairs(self, node: Op, left: list[Span], right: list[Span], source_id: int) -> list[Span]:
        """Spans of ``left`` and ``right`` that NEAR or PRECEDES pairs up."""
        words = self._word_starts(source_id) if node.words is not None else []

        def gap(a: Span, b: Span) -> int:  # words strictly between two spans, a first
            if b.start <= a.end:
                return 0
            return bisect_left(words, b.start) - bisect_left(words, a.end)

        kept: list[Span] = []
        for a in left:
            for b in right:
                if node.kind == "near":
                    first, second = (a, b) if a.start <= b.start else (b, a)
                    close = gap(first, second) <= (node.words or 0)
                else:
                    close = a.end <= b.start and (node.words is None or gap(a, b) <= node.words)
                if close:
                    kept += [a, b]
        return union(kept)

    def _word_starts(self, source_id: int) -> list[int]:
        if source_id not in self._words:
            text = self.conn.execute(select(source.c.text).where(source.c.id == source_id))
            self._words[source_id] = [m.start() for m in WORD.finditer(text.scalar_one())]
        return self._words[source_id]

    def labels(self, source_id: int, start: int, end: int) -> tuple[list[str], list[str]]:
        """The code paths and coders of the query's codings over a span."""
        found = self.codings.get(source_id, [])
        codes = sorted({c for s, e, c, _ in found if s < end and start < e})
        coders = sorted({w for s, e, _, w in found if s < end and start < e})
        if self._coders is None:
            self._coders = dict(
                self.conn.execute(select(coder_table.c.id, coder_table.c.name)).all()
            )
        for c in codes:
            if c not in self._paths:
                self._paths[c] = self.scope.tree.path(c)
        return sorted(self._paths[c] for c in codes), sorted(self._coders[c] for c in coders)
