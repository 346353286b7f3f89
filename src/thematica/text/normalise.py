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
