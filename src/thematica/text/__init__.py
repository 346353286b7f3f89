"""Text primitives: canonical text, spans, quote anchors, speaker turns, offset remapping."""

from thematica.text.normalise import canonical, checksum, word_count
from thematica.text.quote import find_quote
from thematica.text.remap import Edit, remap_span
from thematica.text.span import Span
from thematica.text.turns import Turn, detect_turns

__all__ = [
    "Edit",
    "Span",
    "Turn",
    "canonical",
    "checksum",
    "detect_turns",
    "find_quote",
    "remap_span",
    "word_count",
]
