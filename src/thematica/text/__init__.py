"""Text primitives: canonical text, spans, quote anchors, speaker turns, offset remapping.

Names load from their modules on first use, as in :mod:`thematica`: a command that needs
one of them (``clock`` to show a time, say) does not pay for importing the others.
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "Edit": "thematica.text.remap",
    "Span": "thematica.text.span",
    "Turn": "thematica.text.turns",
    "canonical": "thematica.text.normalise",
    "checksum": "thematica.text.normalise",
    "detect_turns": "thematica.text.turns",
    "find_quote": "thematica.text.quote",
    "remap_span": "thematica.text.remap",
    "word_count": "thematica.text.normalise",
}

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

if TYPE_CHECKING:
    from thematica.text.normalise import canonical, checksum, word_count
    from thematica.text.quote import find_quote
    from thematica.text.remap import Edit, remap_span
    from thematica.text.span import Span
    from thematica.text.turns import Turn, detect_turns


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'thematica.text' has no attribute {name!r}")
