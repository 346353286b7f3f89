"""Canonical text: the one form in which a source's text is stored and every offset counts.

A source's text is fixed at import: Unicode NFC, ``\\n`` line ends, no byte-order mark.
Offsets are Unicode code points over that string, so they mean the same thing in
Python, SQLite's ``substr`` and PostgreSQL's ``substr``.
"""

import hashlib
import unicodedata


def canonical(text: str) -> str:
    """Return ``text`` in canonical form.

    >>> canonical("\\ufeffcafe\\u0301\\r\\nnext\\rline")
    'café\\nnext\\nline'
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def checksum(text: str) -> str:
    """SHA-256 of the canonical text's UTF-8 bytes, as hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# Every byte made "x", except the ASCII characters str.split() counts as white space,
# which are made " ": a word then starts at each " x", and at an "x" that opens the text.
_WORD_BYTES = bytes.maketrans(
    bytes(range(256)),
    bytes(32 if chr(b).isspace() else 120 for b in range(128)) + b"x" * 128,
)


def word_count(text: str) -> int:
    """The number of words, as ``len(text.split())`` counts them.

    An ASCII text is counted in two passes over its bytes rather than split: making a
    string of each word of a transcript took longer than finding its speaker turns.

    >>> word_count("  Well,\\tI  think\\nso. ")
    4
    """
    if not text.isascii():
        return len(text.split())
    marked = text.encode("ascii").translate(_WORD_BYTES)
    return marked.count(b" x") + marked.startswith(b"x")


def canonical_with_offsets(text: str, offsets: list[int]) -> tuple[str, list[int]]:
    """Canonicalise ``text`` and carry ``offsets`` (sorted) into the canonical text.

    Each stretch between two offsets is canonicalised on its own, so an offset stays at
    the start of the same words. (A line end split as ``\\r`` | ``\\n`` across an offset
    would count twice; readers put offsets at the start of words, never there.)
    """
    if canonical(text) == text:
        return text, list(offsets)
    cuts = [0, *offsets, len(text)]
    pieces = [canonical(text[a:b]) for a, b in zip(cuts, cuts[1:], strict=False)]
    moved, at = [], 0
    for piece in pieces[:-1]:
        at += len(piece)
        moved.append(at)
    return "".join(pieces), moved
