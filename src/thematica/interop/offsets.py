"""Selections as other tools count them, carried into canonical text.

The REFI-QDA standard counts a selection in Unicode code points from 0, with an
exclusive end, over the plain text file as it is. Tools differ: NVivo counts UTF-16
code units (an emoji is two) and, where the file has them, CRLF line ends as two;
ATLAS.ti, MAXQDA and QualCoder count a line end as one character whatever the file
holds. A :class:`Counting` names one such model; :func:`counting_for` picks the model
for the tool named in a project's ``origin`` attribute.

:class:`PositionMap` turns positions counted one way over the file's text (a BOM
stripped, line ends kept) into positions over the canonical text (NFC, ``\\n``), the
only text Thematica stores. No library maps offsets through Unicode normalisation, so
this is written here: the text is cut into pieces that normalise on their own (a line
end, a base character with its combining marks) and a position inside a piece that
changed is moved to the piece's edge, outward, and reported as adjusted.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

from thematica.text import canonical


@dataclass(frozen=True)
class Counting:
    """How a tool counts positions: in code points or UTF-16 code units, and whether a
    line end counts as the file has it (CRLF as two) or as one character."""

    unit: str  # "codepoint" | "utf16"
    crlf: int  # 2: line ends as in the file (CRLF is two), 1: every line end is one

    def describe(self) -> str:
        unit = "UTF-16 code units" if self.unit == "utf16" else "code points"
        ends = "line ends as in the file" if self.crlf == 2 else "a line end as one"
        return f"{unit}, {ends}"


STANDARD = Counting("codepoint", 2)  # the standard: code points over the file as it is
NVIVO = Counting("utf16", 2)
ONE_PER_LINE_END = Counting("codepoint", 1)
UTF16_ONE_PER_LINE_END = Counting("utf16", 1)
ALL = (STANDARD, NVIVO, ONE_PER_LINE_END, UTF16_ONE_PER_LINE_END)

# The exporting tool, from the start of the project's origin attribute, and how it
# counts. NVivo (Windows and Mac) is a .NET/Cocoa program counting UTF-16 units over
# the text it writes; ATLAS.ti and QualCoder are known to count CRLF as one (QualCoder's
# importer reads ATLAS.ti's CRLF files that way, and writes CRLF for MAXQDA with
# positions counted over \n). Anything else is taken at the standard's word.
_TOOLS = (
    ("nvivo", "NVivo", NVIVO),
    ("atlas", "ATLAS.ti", ONE_PER_LINE_END),
    ("maxqda", "MAXQDA", ONE_PER_LINE_END),
    ("qualcoder", "QualCoder", ONE_PER_LINE_END),
    ("qc ", "qc", ONE_PER_LINE_END),
    ("thematica", "Thematica", STANDARD),
)


def counting_for(origin: str | None) -> tuple[str, Counting]:
    """The tool named by a project's ``origin`` and the way it counts positions."""
    lowered = (origin or "").strip().lower() + " "
    for prefix, tool, counting in _TOOLS:
        if lowered.startswith(prefix) or (prefix != "qc " and prefix in lowered):
            return tool, counting
    return (origin or "unknown").strip() or "unknown", STANDARD


@dataclass(frozen=True)
class Placed:
    """Where a selection lies in the canonical text; ``adjusted`` when an edge fell
    inside a character the canonical text writes differently (half an emoji's UTF-16
    pair, a letter and its accent that NFC joins) and was moved outward."""

    start: int
    end: int
    adjusted: bool = False


class PositionMap:
    """Positions counted over ``raw`` (one way) as positions over ``canonical(raw)``."""

    def __init__(self, raw: str, counting: Counting, _shared: PositionMap | None = None) -> None:
        if raw.startswith("\ufeff"):
            raw = raw[1:]
        self.raw = raw
        self.counting = counting
        if _shared is None:
            self.canonical, self._segments = _segments(raw)
        else:
            self.canonical, self._segments = _shared.canonical, _shared._segments
        self._starts = [s[0] for s in self._segments]
        # the counted offset at each code point of raw, where counting differs from it
        self._counted: list[int] | None = None
        if (counting.unit == "utf16" and _ASTRAL.search(raw)) or (
            counting.crlf == 1 and "\r\n" in raw
        ):
            self._counted = _counted_offsets(raw, counting)
        self.length = self._counted[-1] if self._counted else len(raw)

    def recount(self, counting: Counting) -> PositionMap:
        """The same text counted another way (the canonical text is not worked out again)."""
        return PositionMap(self.raw, counting, _shared=self)

    def differs(self, other: Counting) -> bool:
        """Whether counting ``other``'s way gives different positions over this text."""
        mine, theirs = self.counting, other
        astral = _ASTRAL.search(self.raw) is not None
        return (astral and mine.unit != theirs.unit) or (
            "\r\n" in self.raw and mine.crlf != theirs.crlf
        )

    def place(self, start: int, end: int) -> Placed | None:
        """The canonical span of counted ``[start, end)``; None when it is outside the
        text or empty."""
        if not 0 <= start < end <= self.length:
            return None
        (a, exact_a), (b, exact_b) = self._raw(start, up=False), self._raw(end, up=True)
        (ca, fine_a), (cb, fine_b) = self._canon(a, up=False), self._canon(b, up=True)
        if ca >= cb:
            return None
        return Placed(ca, cb, not (exact_a and exact_b and fine_a and fine_b))

    def point(self, counted: int) -> int | None:
        """The canonical position of one counted position (a sync point, say); None when
        it is outside the text."""
        if not 0 <= counted <= self.length:
            return None
        return self._canon(self._raw(counted, up=False)[0], up=False)[0]

    def _raw(self, counted: int, up: bool) -> tuple[int, bool]:
        if self._counted is None:
            return counted, True
        offsets = self._counted
        # the leftmost code point index whose counted offset is `counted`
        at = bisect_right(offsets, counted - 1)
        if at < len(offsets) and offsets[at] == counted:
            return at, True
        # inside a UTF-16 surrogate pair: round outward
        return (at if up else at - 1), False

    def _canon(self, position: int, up: bool) -> tuple[int, bool]:
        index = bisect_right(self._starts, position) - 1
        r_start, r_end, c_start, c_end, same = self._segments[index]
        if same:
            return c_start + (position - r_start), True
        if position == r_start:
            return c_start, True
        if position == r_end:
            return c_end, True
        return (c_end if up else c_start), False


def _counted_offsets(raw: str, counting: Counting) -> list[int]:
    """The counted offset before each code point of ``raw``, and at its end.

    Counting CRLF as one gives the \r no width, so the offset after the line end is
    reached only after the \n, and the one before it is found at the \r.
    """
    widths = []
    for at, char in enumerate(raw):
        if counting.crlf == 1 and char == "\r" and raw.startswith("\n", at + 1):
            widths.append(0)
        elif counting.unit == "utf16" and ord(char) > 0xFFFF:
            widths.append(2)
        else:
            widths.append(1)
    return [0, *accumulate(widths)]


_LINE = re.compile(r"\r\n|\r|\n")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _segments(raw: str) -> tuple[str, list[tuple[int, int, int, int, bool]]]:
    """Canonical text and the segments ``(raw start, raw end, canonical start, canonical
    end, same)`` that cover ``raw``; a segment is ``same`` when its text is unchanged."""
    segments: list[tuple[int, int, int, int, bool]] = []
    pieces: list[str] = []
    at = 0  # canonical length so far

    def emit(r_start: int, r_end: int, text: str) -> None:
        nonlocal at
        same = raw[r_start:r_end] == text
        if same and segments and segments[-1][4] and segments[-1][1] == r_start:
            last = segments[-1]
            segments[-1] = (last[0], r_end, last[2], at + len(text), True)
        else:
            segments.append((r_start, r_end, at, at + len(text), same))
        pieces.append(text)
        at += len(text)

    line_start = 0
    for match in _LINE.finditer(raw):
        _line(raw, line_start, match.start(), emit)
        emit(match.start(), match.end(), "\n")
        line_start = match.end()
    _line(raw, line_start, len(raw), emit)
    if not segments:
        segments.append((0, 0, 0, 0, True))
    text = "".join(pieces)
    if text != canonical(raw):  # the pieces must make the same text as a whole
        raise AssertionError("canonical text differs when normalised in pieces")
    return text, segments


def _line(raw: str, start: int, end: int, emit) -> None:
    if start == end:
        return
    line = raw[start:end]
    if unicodedata.is_normalized("NFC", line):
        emit(start, end, line)
        return
    normal = unicodedata.normalize("NFC", line)
    # A base character and the combining marks after it normalise on their own, except
    # where two of them compose (Hangul jamo, some Indic vowel signs): those are joined
    # into one piece. Should the pieces still not make the whole, pieces cut before white
    # space (which never composes) are used, and failing that the line is one piece.
    for cut in (_pieces, _words):
        pieces = cut(line)
        normalised = [unicodedata.normalize("NFC", p) for p in pieces]
        if "".join(normalised) == normal:
            at = start
            for piece, norm in zip(pieces, normalised, strict=True):
                emit(at, at + len(piece), norm)
                at += len(piece)
            return
    emit(start, end, normal)


def _pieces(line: str) -> list[str]:
    pieces: list[str] = []
    for cluster in _clusters(line):
        if pieces:
            last = pieces[-1]
            joined = unicodedata.normalize("NFC", last + cluster)
            apart = unicodedata.normalize("NFC", last) + unicodedata.normalize("NFC", cluster)
            if joined != apart:
                pieces[-1] = last + cluster
                continue
        pieces.append(cluster)
    return pieces


def _clusters(line: str) -> list[str]:
    pieces: list[str] = []
    for char in line:
        if pieces and unicodedata.combining(char):
            pieces[-1] += char
        else:
            pieces.append(char)
    return pieces


def _words(line: str) -> list[str]:
    return [p for p in re.split(r"(?=\s)", line) if p]


# -- checking a selection against the text its file gives for it ------------------------

_ELLIPSIS = ("\u2026", "...")
# Names that tools give selections which are labels, not their text.
_LABEL = re.compile(r"(?:line:\d+|Quotation \d+:\d+|\(\d+,\d+\),\(\d+,\d+\))", re.IGNORECASE)


_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def _flat(text: str) -> str:
    """Text as compared with a selection's name: NFC, white space collapsed, and without
    the control characters an XML attribute cannot hold (or their U+FFFD stand-ins)."""
    return " ".join(_CONTROL.sub("", unicodedata.normalize("NFC", text)).split())


def name_text(name: str | None) -> tuple[str, bool] | None:
    """The text a selection's ``name`` quotes, and whether it was cut short with an
    ellipsis; None when the name is empty or a label that tools write instead of text."""
    if not name or not name.strip() or _LABEL.fullmatch(name.strip()):
        return None
    flat = _flat(name)
    for mark in _ELLIPSIS:
        if flat.endswith(mark):
            return flat[: -len(mark)].rstrip(), True
    return flat, False


def matches(name: tuple[str, bool], text: str) -> bool:
    """Whether ``text`` (a selection's canonical text) is what ``name`` quotes."""
    quoted, cut = name
    flat = _flat(text)
    if cut:
        return bool(quoted) and flat.startswith(quoted)
    return flat == quoted


def find_quoted(name: tuple[str, bool], text: str, near: int) -> list[tuple[int, int]]:
    """Where in ``text`` the words of ``name`` occur, nearest ``near`` first, as
    ``(start, end)``; the end is where the quoted words end (for a cut name, where its
    words stop)."""
    quoted, _ = name
    words = quoted.split()
    if not words:
        return []
    pattern = r"\s+".join(re.escape(w) for w in words)
    found = [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    return sorted(found, key=lambda span: (abs(span[0] - near), span[0]))
