"""Move anchored spans through a change of text.

A source's canonical text changes only through a list of :class:`Edit` replacements
(a late redaction, a correction). Every coding, memo anchor, turn and quote is carried
through the same two functions, so the rules are stated once:

* text outside every edit keeps its span, shifted by the edits before it;
* an edit that overlaps a span, or lies inside it, is taken into the span whole (a
  redacted name inside a quote becomes the placeholder inside the quote);
* an insertion exactly at a span's start or end stays outside it;
* a span whose every character was deleted collapses, and :func:`remap_span` returns None.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from thematica.errors import InvalidInput
from thematica.text.span import Span


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace ``[start, end)`` of the old text with ``text``."""

    start: int
    end: int
    text: str = ""

    @property
    def delta(self) -> int:
        return len(self.text) - (self.end - self.start)


def check_edits(edits: Sequence[Edit], length: int) -> list[Edit]:
    """Return the edits sorted; raise when they overlap or run past the text."""
    ordered = sorted(edits, key=lambda e: (e.start, e.end))
    previous_end = 0
    for edit in ordered:
        if not 0 <= edit.start <= edit.end <= length:
            raise InvalidInput(
                f"edit [{edit.start}, {edit.end}) is out of range: the text has {length} characters"
            )
        if edit.start < previous_end:
            raise InvalidInput(f"edits overlap at offset {edit.start}")
        previous_end = edit.end
    return ordered


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """The new text. ``edits`` must be sorted and disjoint (see :func:`check_edits`)."""
    pieces, at = [], 0
    for edit in edits:
        pieces.append(text[at : edit.start])
        pieces.append(edit.text)
        at = edit.end
    pieces.append(text[at:])
    return "".join(pieces)


def _map_start(position: int, edits: Sequence[Edit]) -> int:
    shift = 0
    for edit in edits:
        if edit.end <= position:
            shift += edit.delta
        elif edit.start < position:
            return edit.start + shift
        else:
            break
    return position + shift


def _map_end(position: int, edits: Sequence[Edit]) -> int:
    shift = 0
    for edit in edits:
        if edit.end < position or (edit.end == position and edit.start < edit.end):
            shift += edit.delta
        elif edit.start < position:
            return edit.start + shift + len(edit.text)
        else:
            break
    return position + shift


def remap_span(span: Span, edits: Sequence[Edit]) -> Span | None:
    """Where ``span`` lies after ``edits`` (sorted, disjoint); None if all its text went.

    >>> remap_span(Span(10, 20), [Edit(0, 5, "")])
    Span(start=5, end=15)
    >>> remap_span(Span(10, 20), [Edit(12, 17, "[Person 1]")])
    Span(start=10, end=25)
    """
    start, end = _map_start(span.start, edits), _map_end(span.end, edits)
    return Span(start, end) if start < end else None
