"""Text folded the way the full-text index folds it: lower case, without diacritics,
one character for one, so that offsets in the folded text are offsets in the original.

>>> fold("Café NAÏVE")
'cafe naive'
>>> [m.group() for m in TOKEN.finditer("social-worker's")]
['social', 'worker', 's']
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# A token as SQLite's unicode61 tokenizer cuts them: a run of letters and digits.
TOKEN = re.compile(r"[^\W_]+")
_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(text: str) -> str:
    """``text`` in lower case without diacritics, of the same length."""
    low = text.lower()
    if len(low) != len(text):  # a letter whose lower case is two characters (İ)
        low = "".join(_lower(c) for c in text)
    return fold_lowered(low)


def fold_lowered(text: str) -> str:
    """Fold ``text`` whose ASCII letters are in lower case already (as SQLite's
    ``lower()`` leaves it): only the other characters are left to do.

    >>> fold_lowered("café ÉTÉ")
    'cafe ete'
    """
    if text.isascii():
        return text
    return _NOT_ASCII.sub(lambda m: _bare(_lower(m.group())), text)


@lru_cache(maxsize=4096)
def _lower(char: str) -> str:
    low = char.lower()
    return low if len(low) == 1 else char


@lru_cache(maxsize=4096)
def _bare(char: str) -> str:
    """A letter without its accents (é -> e), if that is one character."""
    parts = unicodedata.normalize("NFD", char)
    if len(parts) > 1 and all(unicodedata.combining(c) for c in parts[1:]):
        return parts[0]
    return char
