"""Half-open spans ``[start, end)`` over canonical text, and the interval algebra on them."""

from collections.abc import Iterable
from dataclasses import dataclass

from thematica.errors import InvalidInput


@dataclass(frozen=True, order=True, slots=True)
class Span:
    """A half-open span of code points.

    >>> Span(4, 9).overlaps(Span(8, 12))
    True
    >>> Span(4, 9) & Span(8, 12)
    Span(start=8, end=9)
    """

    start: int
    end: int

    def __post_init__(self) -> None:
        if not (0 <= self.start <= self.end):
            raise InvalidInput(f"invalid span [{self.start}, {self.end}): need 0 <= start <= end")

    def __len__(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "Span") -> bool:
        """True when the spans share at least one code point."""
        return self.start < other.end and other.start < self.end

    def contains(self, other: "Span") -> bool:
        return self.start <= other.start and other.end <= self.end

    def __and__(self, other: "Span") -> "Span | None":
        start, end = max(self.start, other.start), min(self.end, other.end)
        return Span(start, end) if start < end else None

    def check_within(self, length: int) -> "Span":
        """Return self, or raise when the span is empty or runs past a text of ``length``."""
        if self.start >= self.end:
            raise InvalidInput(f"empty span [{self.start}, {self.end}): start must be below end")
        if self.end > length:
            raise InvalidInput(
                f"offsets [{self.start}, {self.end}) are out of range: the text has {length} "
                "characters"
            )
        return self


def union(spans: Iterable[Span]) -> list[Span]:
    """Merge overlapping or touching spans into a sorted list of disjoint spans."""
    merged: list[Span] = []
    for span in sorted(spans):
        if merged and span.start <= merged[-1].end:
            last = merged[-1]
            merged[-1] = Span(last.start, max(last.end, span.end))
        else:
            merged.append(span)
    return merged


def intersection(a: Iterable[Span], b: Iterable[Span]) -> list[Span]:
    """Code points covered by both span sets, as disjoint sorted spans."""
    left, right = union(a), union(b)
    out: list[Span] = []
    i = j = 0
    while i < len(left) and j < len(right):
        piece = left[i] & right[j]
        if piece is not None:
            out.append(piece)
        if left[i].end < right[j].end:
            i += 1
        else:
            j += 1
    return out


def difference(a: Iterable[Span], b: Iterable[Span]) -> list[Span]:
    """Code points covered by ``a`` and not by ``b``, as disjoint sorted spans."""
    out: list[Span] = []
    cut = union(b)
    for span in union(a):
        start = span.start
        for hole in cut:
            if hole.end <= start or hole.start >= span.end:
                continue
            if hole.start > start:
                out.append(Span(start, hole.start))
            start = max(start, hole.end)
        if start < span.end:
            out.append(Span(start, span.end))
    return out


def covered(spans: Iterable[Span]) -> int:
    """Number of code points covered by at least one span."""
    return sum(len(s) for s in union(spans))
