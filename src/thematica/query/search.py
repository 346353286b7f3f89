"""Text search over the full-text index, keyword in context, coding every hit, and word
frequencies.

>>> result = project.query.search('"social worker" OR NEAR(health visitor, 3)')
>>> for left, words, right in result.kwic(width=30):
...     print(f"{left:>30} [{words}] {right}")
>>> project.query.code_hits('"social worker"', "Social care", unit="sentence")

A search is written as in SQLite's FTS5: ``word``, ``"a phrase"``, ``prefix*`` (and
``"a phrase"*``), ``NEAR(a b, n)`` (``a`` and ``b`` at most ``n`` words apart, 10 when
``n`` is left out), and ``AND`` (or nothing), ``OR`` and ``NOT`` (or ``AND NOT``)
between them, with brackets; the operators in capitals. Case and accents do not matter.
The index says where hits can be (on SQLite, which windows of which transcripts: see
:mod:`thematica.store.fts`); only that text is read to place the hits, and the filter
keeps the hits in the turns, participants and scope it asks for (participants' turns
by default), so ``a NOT b`` means ``b`` is not said in the filtered text. On
PostgreSQL its full-text index says which transcripts, read whole (there, accents
count).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DatabaseError

from thematica.errors import InvalidInput
from thematica.query.coding import WORD
from thematica.query.filters import Filter, Scope, resolve
from thematica.query.fold import TOKEN, fold, fold_lowered
from thematica.query.parsing import Reader, Token, shown
from thematica.query.passages import Found, Passage, admitted, passages
from thematica.query.places import places
from thematica.query.stopwords import ENGLISH
from thematica.store.fts import OVERLAP, WINDOW
from thematica.store.raw import fetch, values_table
from thematica.store.schema import CHUNKS_PER_SOURCE, source
from thematica.store.texts import text_slices
from thematica.text.span import Span

if TYPE_CHECKING:
    from thematica.project import Project

WHAT = "search"
OPERATORS = ("AND", "OR", "NOT", "NEAR")
UNITS = ("words", "sentence", "turn")
NEAR_DEFAULT = 10
# A transcriber's note: [laughs], [pause], [inaudible 00:12]; not the participant's words.
_NOTE = re.compile(r"\[[^\]\n]*\]")
# Where a sentence ends: . ! ? or an ellipsis, with any closing quotes or brackets.
_SENTENCE_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s|$)")


@dataclass(frozen=True)
class SearchResult(Found):
    """The hits of a search, in source and text order, with the words around them."""

    FIELD = "hits"
    TITLE = "Search"

    hits: list[Passage]

    def kwic(self, width: int = 40) -> list[tuple[str, str, str]]:
        """Keyword in context: each hit's ``width`` characters either side, on one line
        (a space at the edge of the left or right part where the text has one)."""
        lines = []
        for hit in self.hits:
            left = _flat(hit.before)
            left = (left + " " if left and hit.before[-1].isspace() else left)[-width:]
            right = _flat(hit.after)
            right = (" " + right if right and hit.after[0].isspace() else right)[:width]
            lines.append((left, _flat(hit.text), right))
        return lines


@dataclass(frozen=True)
class WordCount:
    word: str
    count: int
    sources: int
    cases: int


@dataclass(frozen=True)
class Frequencies:
    filter: Filter
    total: int  # words counted, stop words included
    words: list[WordCount]

    def as_dict(self) -> dict[str, Any]:
        return {
            "filter": self.filter.as_dict(),
            "total": self.total,
            "words": [vars(w) for w in self.words],
        }

    def save(self, path: str | Path, title: str = "Word frequencies") -> Path:
        """Write the counts as ``.csv``, ``.xlsx``, ``.md`` or ``.docx``."""
        from thematica.query.export import export_table

        rows = [[w.word, w.count, w.sources, w.cases] for w in self.words]
        return export_table(path, title, ["word", "count", "sources", "participants"], rows)


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- the parsed search --------------------------------------------------------------------


@dataclass(frozen=True)
class Phrase:
    tokens: tuple[str, ...]  # folded
    prefix: bool  # the last token is a prefix
    pattern: re.Pattern[str]  # finds it in folded text (its left edge is checked apart)


@dataclass(frozen=True)
class Near:
    phrases: tuple[Phrase, Phrase]
    words: int


@dataclass(frozen=True)
class Both:
    kind: str  # and | or | not ("a NOT b")
    left: Any
    right: Any


def parse(text: str) -> Phrase | Near | Both:
    reader = Reader(text, WHAT)
    if reader.peek().kind == "end":
        raise InvalidInput('the search is empty: give a word or a "phrase"')
    node = _either(reader)
    reader.done()
    return node


def _keyword(token: Token, *words: str) -> bool:
    # As in FTS5, operators are written in capitals; "and" is a word to find.
    return token.kind == "word" and token.text in words


def _either(reader: Reader) -> Phrase | Near | Both:
    node = _both(reader)
    while _keyword(reader.peek(), "OR"):
        reader.take()
        node = Both("or", node, _both(reader))
    return node


def _both(reader: Reader) -> Phrase | Near | Both:
    node = _unit(reader)
    while True:
        token = reader.peek()
        if _keyword(token, "NOT"):
            reader.take()
            node = Both("not", node, _unit(reader))
        elif _keyword(token, "AND"):
            reader.take()
            # "a AND NOT b" reads as people write it; FTS5 itself has only "a NOT b".
            kind = "not" if _keyword(reader.peek(), "NOT") and reader.take() else "and"
            node = Both(kind, node, _unit(reader))
        elif token.kind in ("word", "string") and not _keyword(token, "OR") or token.opens():
            node = Both("and", node, _unit(reader))
        else:
            return node


def _unit(reader: Reader) -> Phrase | Near | Both:
    group = reader.bracketed(_either)
    if group is not None:
        return group
    token = reader.peek()
    if _keyword(token, "NEAR"):
        return _near(reader)
    if _keyword(token, "NOT"):
        raise reader.error("NOT needs words before it, e.g. social NOT worker", token.at)
    if _keyword(token, "AND", "OR"):
        raise reader.error(f"{token.text} needs words on both sides", token.at)
    return _phrase(reader)


def _phrase(reader: Reader) -> Phrase:
    token = reader.take()
    if token.kind not in ("word", "string"):
        raise reader.error(f'expected a word or a "phrase", found {shown(token)}', token.at)
    text = token.text
    prefix = False
    if token.kind == "word" and text.endswith("*"):
        text, prefix = text[:-1], True
    elif token.kind == "string":
        star = reader.peek()
        if star.kind == "word" and star.text == "*" and star.at == token.at + len(token.text) + 2:
            reader.take()
            prefix = True
    if "*" in text:
        raise reader.error("* marks a prefix and goes at the end of a word: soc*", token.at)
    tokens = tuple(m.group() for m in TOKEN.finditer(fold(text)))
    if not tokens:
        raise reader.error(f"nothing to search for in {text!r}: give letters or digits", token.at)
    return make_phrase(tokens, prefix)


def make_phrase(tokens: tuple[str, ...], prefix: bool) -> Phrase:
    """A phrase and the pattern that finds it: its tokens with anything but letters and
    digits between them, and no letter or digit after (unless the last is a prefix)."""
    body = r"[\W_]+".join(re.escape(t) for t in tokens)
    tail = r"[^\W_]*" if prefix else r"(?![^\W_])"
    return Phrase(tokens, prefix, re.compile(body + tail))


def _near(reader: Reader) -> Near:
    keyword = reader.take()
    reader.expect("punct", "(", "NEAR takes brackets: NEAR(social worker, 5)")
    phrases = []
    while reader.peek().kind in ("word", "string"):
        phrases.append(_phrase(reader))
    words = NEAR_DEFAULT
    if reader.peek().kind == "punct" and reader.peek().text == ",":
        reader.take()
        token = reader.take()
        if token.kind != "word" or not re.fullmatch(r"[+-]?\d+", token.text):
            raise reader.error(
                f"NEAR needs a number of words after the comma, found {shown(token)}", token.at
            )
        words = int(token.text)
        if words < 0:
            raise reader.error(f"NEAR needs a number of words of 0 or more, not {words}", token.at)
    reader.expect("punct", ")", "NEAR's bracket is not closed: NEAR(social worker, 5)")
    if len(phrases) != 2:
        raise reader.error(
            f"NEAR takes two words or phrases, not {len(phrases)}: NEAR(social worker, 5)",
            keyword.at,
        )
    return Near((phrases[0], phrases[1]), words)


def _leaves(node: Phrase | Near | Both) -> list[Phrase | Near]:
    if isinstance(node, Both):
        return _leaves(node.left) + _leaves(node.right)
    return [node]


# -- the index: where the hits can be ---------------------------------------------------


# The index narrows what is read; it does not decide. The right side of a NOT is left
# out of which sources can match (a word said only in a turn the filter leaves out must
# not rule a source out), but where its hits can be is still read.


def _fts5(node: Phrase | Near | Both) -> str:
    if isinstance(node, Phrase):
        return f'"{" ".join(node.tokens)}"' + ("*" if node.prefix else "")
    if isinstance(node, Near):
        return f"NEAR({_fts5(node.phrases[0])} {_fts5(node.phrases[1])}, {node.words})"
    if node.kind == "not":
        return _fts5(node.left)
    return f"({_fts5(node.left)}) {node.kind.upper()} ({_fts5(node.right)})"


def _tsquery(node: Phrase | Near | Both) -> str:
    if isinstance(node, Phrase):
        return " <-> ".join(node.tokens) + (":*" if node.prefix else "")
    if isinstance(node, Near):  # a looser test: the hits decide
        return f"({_tsquery(node.phrases[0])}) & ({_tsquery(node.phrases[1])})"
    if node.kind == "not":
        return _tsquery(node.left)
    joiner = " & " if node.kind == "and" else " | "
    return f"({_tsquery(node.left)}){joiner}({_tsquery(node.right)})"


Ranges = dict[int, list[tuple[int, int]] | None]  # source id -> where to read (None: all)


def _where_to_read(conn: Connection, node: Phrase | Near | Both) -> Ranges:
    """The sources that may match ``node`` and the ranges of each its hits can be in.

    SQLite's index holds windows of each source (see :mod:`thematica.store.fts`): a
    phrase's hits are looked for in the windows that hold it. A NEAR pair may straddle
    two windows, so a source holding both its phrases is read whole; so is every source
    on PostgreSQL, whose index holds whole texts.
    """
    leaves = _leaves(node)
    try:
        if conn.dialect.name != "sqlite":
            sql = (
                "SELECT id FROM source WHERE to_tsvector('simple', text) "
                "@@ to_tsquery('simple', %s)"
            )
            return {r[0]: None for r in fetch(conn, sql, [_tsquery(node)])}
        windows = {
            id(phrase): _windows(conn, phrase)
            for leaf in leaves
            for phrase in (leaf.phrases if isinstance(leaf, Near) else (leaf,))
        }
    except DatabaseError as error:  # the query is built from tokens; this is a safeguard
        raise InvalidInput(f"{WHAT}: the full-text index refused it ({error.orig})") from None
    near = set().union(*(_sources(leaf, windows) for leaf in leaves if isinstance(leaf, Near)))
    phrases = [windows[id(leaf)] for leaf in leaves if isinstance(leaf, Phrase)]
    return {
        s: None if s in near else _merged(set().union(*(p.get(s, ()) for p in phrases)))
        for s in _sources(node, windows)
    }


def _windows(conn: Connection, phrase: Phrase) -> dict[int, set[int]]:
    """The numbers of the windows holding ``phrase``, by source."""
    found: dict[int, set[int]] = {}
    sql = "SELECT rowid FROM source_fts WHERE source_fts MATCH ?"
    for (rowid,) in fetch(conn, sql, [_fts5(phrase)]):
        source_id, n = divmod(rowid, CHUNKS_PER_SOURCE)
        found.setdefault(source_id, set()).add(n)
    return found


def _sources(node: Phrase | Near | Both, windows: dict[int, dict[int, set[int]]]) -> set[int]:
    if isinstance(node, Phrase):
        return set(windows[id(node)])
    if isinstance(node, Near):
        first, second = (windows[id(p)] for p in node.phrases)
        return first.keys() & second.keys()
    left = _sources(node.left, windows)
    if node.kind == "not":
        return left
    right = _sources(node.right, windows)
    return left & right if node.kind == "and" else left | right


def _merged(numbers: set[int]) -> list[tuple[int, int]]:
    """Windows as ranges of text, windows that overlap made one."""
    ranges: list[tuple[int, int]] = []
    for n in sorted(numbers):
        start, end = n * WINDOW, (n + 1) * WINDOW + OVERLAP
        if ranges and start <= ranges[-1][1]:
            ranges[-1] = (ranges[-1][0], end)
        else:
            ranges.append((start, end))
    return ranges


def _read(conn: Connection, ranges: Ranges) -> Iterable[tuple[int, int, str, bool, bool]]:
    """Each range's folded text: ``(source_id, start, text, cut_before, cut_after)``;
    ``cut_before`` and ``cut_after`` say whether the text goes on past either edge."""
    whole = sorted(s for s, r in ranges.items() if r is None)
    for source_id, text in _folded(conn, whole).items():
        yield source_id, 0, text, False, False
    parts = [(s, a, b) for s, r in sorted(ranges.items()) if r is not None for a, b in r]
    for (source_id, start, end), text in zip(parts, text_slices(conn, parts), strict=True):
        yield source_id, start, fold(text), start > 0, len(text) == end - start


# -- placing the hits ---------------------------------------------------------------------


def _phrase_hits(phrase: Phrase, folded: str) -> list[tuple[int, int]]:
    found = []
    for match in phrase.pattern.finditer(folded):
        start = match.start()
        # A hit starts a token: what comes before it is not a letter or digit. Checked
        # here, since a look-behind in the pattern would slow every search down.
        if start == 0 or not folded[start - 1].isalnum():
            found.append((start, match.end()))
    return found


def _near_hits(near: Near, folded: str) -> list[tuple[int, int]]:
    first, second = (_phrase_hits(p, folded) for p in near.phrases)
    if not first or not second:
        return []
    starts = [s for s, _ in second]

    def between(end: int, start: int) -> int:  # tokens strictly between two hits
        return len(TOKEN.findall(folded, end, start)) if start > end else 0

    found = []
    for a_start, a_end in first:
        # Hits of the second phrase after this one, then before it, nearest first.
        at = bisect_left(starts, a_start)
        for b_start, b_end in second[at:]:
            if between(a_end, b_start) > near.words:
                break
            found.append((a_start, max(a_end, b_end)))
        for b_start, b_end in reversed(second[:at]):
            if between(b_end, a_start) > near.words:
                break
            found.append((b_start, max(a_end, b_end)))
    return found


def _hits(leaf: Phrase | Near, folded: str) -> list[tuple[int, int]]:
    return _phrase_hits(leaf, folded) if isinstance(leaf, Phrase) else _near_hits(leaf, folded)


def _matches(node: Phrase | Near | Both, found: dict[int, list]) -> tuple[bool, list]:
    """Whether a source matches ``node`` given each leaf's admitted hits (by id of the
    leaf), and the hits that make it match."""
    if not isinstance(node, Both):
        hits = found.get(id(node), [])
        return bool(hits), hits
    left, left_hits = _matches(node.left, found)
    right, right_hits = _matches(node.right, found)
    if node.kind == "and":
        return left and right, left_hits + right_hits if left and right else []
    if node.kind == "not":
        return left and not right, left_hits if left and not right else []
    return left or right, left_hits + right_hits


@dataclass
class _Found:
    """A search's admitted hits with their places."""

    scope: Scope
    hits: list[tuple[tuple[int, int, int], Any]]


def _search(conn: Connection, project: Project, query: str, where: Filter) -> _Found:
    node = parse(query)
    scope = resolve(conn, where, project.actor)
    ranges = _where_to_read(conn, node)
    if scope.source_ids is not None:
        ranges = {s: r for s, r in ranges.items() if s in scope.source_ids}
    leaves = _leaves(node)
    spans: list[tuple[int, int, int]] = []
    owners: list[int] = []  # the leaf each span is a hit of
    for source_id, at, folded, cut_before, cut_after in _read(conn, ranges):
        for leaf in leaves:
            for start, end in _hits(leaf, folded):
                # A hit at a cut edge may be part of a longer word, or the tail of one.
                # A real hit there lies whole in the window beside, and the index puts
                # that window in the same range.
                if (cut_before and start == 0) or (cut_after and end == len(folded)):
                    continue
                spans.append((source_id, at + start, at + end))
                owners.append(id(leaf))
    found_places = places(conn, spans, times=True)
    by_source: dict[int, dict[int, list]] = {}
    for span, place, owner in zip(spans, found_places, owners, strict=True):
        if scope.admits(*span, place):
            by_source.setdefault(span[0], {}).setdefault(owner, []).append((span, place))
    kept: dict[tuple[int, int, int], Any] = {}
    for found in by_source.values():
        matched, hits = _matches(node, found)
        if matched:
            kept.update(hits)
    ordered = sorted(kept.items())
    return _Found(scope, _merge(ordered))


def _merge(hits: list[tuple[tuple[int, int, int], Any]]) -> list[tuple[tuple[int, int, int], Any]]:
    """Overlapping hits (of two leaves, or NEAR's pairs) as one, in order."""
    merged: list[tuple[tuple[int, int, int], Any]] = []
    for (source_id, start, end), place in hits:
        if merged and merged[-1][0][0] == source_id and start < merged[-1][0][2]:
            (_, first, last), kept_place = merged[-1]
            merged[-1] = ((source_id, first, max(last, end)), kept_place)
        else:
            merged.append(((source_id, start, end), place))
    return merged


def _texts(conn: Connection, ids: Sequence[int], column: str = "s.text") -> dict[int, str]:
    texts: dict[int, str] = {}
    for at in range(0, len(ids), 2000):
        head, params = values_table(conn, [(i,) for i in ids[at : at + 2000]], "want")
        sql = f"{head} SELECT s.id, {column} FROM want w JOIN source s ON s.id = w.c0"
        texts.update(fetch(conn, sql, params))
    return texts


def _folded(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    """The sources' texts folded (see :mod:`thematica.query.fold`). SQLite lowers ASCII
    letters as it hands the text over, which costs next to nothing there and saves a
    pass over every transcript here; PostgreSQL's lower() follows the locale and might
    change a text's length, so there the folding is all done here."""
    if conn.dialect.name == "sqlite":
        return {i: fold_lowered(t) for i, t in _texts(conn, ids, "lower(s.text)").items()}
    return {i: fold(t) for i, t in _texts(conn, ids).items()}


def search(project: Project, query: str, where: Filter | None, context: int) -> SearchResult:
    """The hits of ``query`` (see the module's docstring) within ``where``."""
    if context < 0:
        raise InvalidInput("context must be zero or more characters")
    where = where or Filter()
    with project.read() as conn:
        found = _search(conn, project, query, where)
        hits = passages(conn, found.scope, found.hits, context)
    hits.sort(key=lambda p: (p.source, p.start, p.end))
    return SearchResult(query, where, hits)


# -- coding every hit ---------------------------------------------------------------------


def code_hits(
    project: Project,
    query: str,
    code: str,
    unit: str,
    where: Filter | None,
    coder: str | None,
) -> int:
    """Code each hit of ``query`` with ``code`` as its ``words``, its ``sentence`` or its
    speaker ``turn``, in one transaction; return how many codings were new."""
    if unit not in UNITS:
        raise InvalidInput(f"unknown unit {unit!r}: use {', '.join(UNITS)}")
    where = where or Filter()
    with project.read() as conn:
        found = _search(conn, project, query, where)
        names = dict(conn.execute(select(source.c.id, source.c.name)).all())
        texts = _texts(conn, sorted({s for (s, _, _), _ in found.hits}))
    spans = sorted(
        {_unit_span(texts[s], a, b, place.turn, unit) + (s,) for (s, a, b), place in found.hits}
    )
    if not spans:
        raise InvalidInput(f"{WHAT} {query!r} finds nothing to code in the filtered text")
    rows = [
        {"source": names[s], "code": code, "start": a, "end": b, "coder": coder or project.actor}
        for a, b, s in spans
    ]
    return project.codings.add_many(rows, provenance=f"search: {query}"[:200])


def _unit_span(
    text: str, start: int, end: int, turn: tuple[int, int] | None, unit: str
) -> tuple[int, int]:
    """The span to code for a hit: the hit, its sentence, or its turn (its paragraph
    where the source has no turns)."""
    if unit == "words":
        return start, end
    low, high = turn if turn else _paragraph(text, start, end)
    if unit == "turn":
        return low, high
    first = low
    for mark in _SENTENCE_END.finditer(text, low, start):
        first = mark.end()
    after = _SENTENCE_END.search(text, end, high)
    last = after.end() if after else high
    while first < start and text[first].isspace():
        first += 1
    return first, max(last, end)


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    low = text.rfind("\n\n", 0, start)
    high = text.find("\n\n", end)
    return (0 if low == -1 else low + 2), (len(text) if high == -1 else high)


# -- word frequencies ---------------------------------------------------------------------


def word_frequencies(
    project: Project,
    where: Filter | None,
    top: int,
    stop_words: bool,
    min_length: int,
    ignore: Iterable[str],
) -> Frequencies:
    """The ``top`` words of the filtered text (the turns and participants it asks for),
    with how many sources and participants use each; English stop words, words shorter
    than ``min_length`` and transcribers' notes in square brackets left out."""
    if top < 1:
        raise InvalidInput("top must be 1 or more")
    where = where or Filter()
    skip = (ENGLISH if stop_words else frozenset()) | {fold(w) for w in ignore}
    with project.read() as conn:
        scope = resolve(conn, where, project.actor)
        query = select(source.c.id)
        if scope.source_ids is not None:
            query = query.where(source.c.id.in_(sorted(scope.source_ids)))
        ids = list(conn.execute(query).scalars())
        texts = _folded(conn, ids)
        pieces = _spoken(conn, scope, texts)
    counts: Counter[str] = Counter()
    in_sources: dict[str, set[int]] = {}
    in_cases: dict[str, set[int]] = {}
    total = 0
    for source_id, start, end, cases in pieces:
        for word in WORD.findall(_NOTE.sub(" ", texts[source_id][start:end])):
            total += 1
            if word in skip or len(word) < min_length:
                continue
            counts[word] += 1
            in_sources.setdefault(word, set()).add(source_id)
            in_cases.setdefault(word, set()).update(cases)
    words = [
        WordCount(w, n, len(in_sources[w]), len(in_cases[w])) for w, n in counts.most_common(top)
    ]
    return Frequencies(where, total, words)


def _spoken(
    conn: Connection, scope: Scope, texts: dict[int, str]
) -> list[tuple[int, int, int, frozenset[int]]]:
    """The pieces of text the scope admits: each turn (a source without turns whole),
    cut to the scoping code, with the participants whose words they are."""
    ids = sorted(texts)
    turns: dict[int, list[tuple[int, int]]] = {}
    if ids:
        head, params = values_table(conn, [(i,) for i in ids], "want")
        sql = (
            f'{head} SELECT t.source_id, t.start, t."end" FROM want w '
            "JOIN turn t ON t.source_id = w.c0"
        )
        for source_id, start, end in fetch(conn, sql, params):
            turns.setdefault(source_id, []).append((start, end))
    spans = [(s, a, b) for s in ids for a, b in turns.get(s, [(0, len(texts[s]))])]
    pieces = []
    for (source_id, start, end), _ in admitted(conn, scope, spans):
        cases = scope.people.of_span(source_id, start, end)
        for piece in scope.clip(source_id, [Span(start, end)]):
            pieces.append((source_id, piece.start, piece.end, cases))
    return pieces
